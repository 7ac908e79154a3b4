{#- Codes of seed specialty_group_codes that the loaded NUCC version does not list: the group
    counts without them (a retired code, or a NUCC load that lacks them). -#}
{{ config(tags=['reference'], severity='warn') }}

select codes.specialty_group, codes.taxonomy_code
from {{ ref('specialty_group_codes') }} as codes
left join {{ ref('stg_nucc__taxonomies') }} as nucc on codes.taxonomy_code = nucc.taxonomy_code
where nucc.taxonomy_code is null
