{#- The specialties the marts count: every NUCC classification (by primary taxonomy), keyed by
    (grouping, classification), and each HRSA specialty group, with the taxonomy codes each
    covers. -#}
{{ config(tags=['reference']) }}

with

taxonomies as (

    select * from {{ ref('stg_nucc__taxonomies') }}

),

classifications as (

    select
        'classification' as specialty_kind,
        taxonomy_grouping as specialty_grouping,
        taxonomy_classification as specialty_name,
        count(*) as taxonomy_codes
    from taxonomies
    where taxonomy_classification is not null
    group by taxonomy_grouping, taxonomy_classification

),

groups as (

    select
        'group' as specialty_kind,
        'HRSA specialty group' as specialty_grouping,
        specialty_group as specialty_name,
        count(*) as taxonomy_codes
    from {{ ref('int_taxonomies_grouped') }}
    group by specialty_group

),

final as (

    select * from classifications
    union all
    select * from groups

)

select * from final
