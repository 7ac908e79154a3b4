{#- Each safety-net code names, in the loaded NUCC version, the classification and
    specialization seed safety_net_taxonomies says: a typo or a reused code would count the
    wrong organisations. (NUCC 25.1 lists all three; a NUCC version without one leaves its
    count 0.) -#}
{{ config(tags=['reference']) }}

select codes.taxonomy_code, codes.taxonomy_specialization as seed_specialization,
    nucc.taxonomy_specialization as nucc_specialization
from {{ ref('safety_net_taxonomies') }} as codes
inner join {{ ref('stg_nucc__taxonomies') }} as nucc on codes.taxonomy_code = nucc.taxonomy_code
where codes.taxonomy_classification is distinct from nucc.taxonomy_classification
    or codes.taxonomy_specialization is distinct from nucc.taxonomy_specialization
