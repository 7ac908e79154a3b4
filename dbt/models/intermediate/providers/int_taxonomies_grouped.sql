{#- NUCC taxonomy codes of each HRSA specialty group: the explicit code lists of seed
    specialty_group_codes, as far as the loaded NUCC version lists them (a seed code NUCC does
    not list warns: tests/specialty_group_codes_match_nucc). -#}
{{ config(tags=['reference']) }}

with

codes as (

    select * from {{ ref('specialty_group_codes') }}

),

taxonomies as (

    select taxonomy_code from {{ ref('stg_nucc__taxonomies') }}

),

grouped as (

    select codes.taxonomy_code, codes.specialty_group
    from codes
    inner join taxonomies on codes.taxonomy_code = taxonomies.taxonomy_code

)

select * from grouped
