{#- Each code of seed specialty_group_codes names, in the loaded NUCC version, the
    classification and specialization the seed says it does: a typo or a code NUCC reused
    would otherwise put the wrong providers in an HRSA group. Codes NUCC does not list are
    tests/specialty_group_codes_listed_by_nucc (warn). -#}
{{ config(tags=['reference']) }}

select codes.specialty_group, codes.taxonomy_code,
    codes.taxonomy_classification as seed_classification, nucc.taxonomy_classification as nucc_classification,
    codes.taxonomy_specialization as seed_specialization, nucc.taxonomy_specialization as nucc_specialization
from {{ ref('specialty_group_codes') }} as codes
inner join {{ ref('stg_nucc__taxonomies') }} as nucc on codes.taxonomy_code = nucc.taxonomy_code
where codes.taxonomy_classification is distinct from nucc.taxonomy_classification
    or coalesce(codes.taxonomy_specialization, '') != coalesce(nucc.taxonomy_specialization, '')
