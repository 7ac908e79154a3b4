{#- The specialties the marts count: every NUCC classification (by primary taxonomy) and each
    HRSA specialty group, with the taxonomy codes each covers. -#}
{{ config(tags=['reference']) }}

with

taxonomies as (

    select * from {{ ref('stg_nucc__taxonomies') }}

),

classifications as (

    select
        'classification' as specialty_kind,
        taxonomy_classification as specialty_name,
        string_agg(distinct taxonomy_grouping, '; ' order by taxonomy_grouping) as taxonomy_grouping,
        count(*) as taxonomy_codes
    from taxonomies
    where taxonomy_classification is not null
    group by taxonomy_classification

),

groups as (

    select
        'group' as specialty_kind,
        specialty_group as specialty_name,
        'HRSA specialty group' as taxonomy_grouping,
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
