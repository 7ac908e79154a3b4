{#- NUCC taxonomy codes in each HRSA specialty group (seed specialty_group_rules). Specialization
    '*' matches all of a classification; an empty one matches the classification-level code. -#}
{{ config(tags=['reference']) }}

with

taxonomies as (

    select * from {{ ref('stg_nucc__taxonomies') }}

),

rules as (

    select * from {{ ref('specialty_group_rules') }}

),

grouped as (

    select distinct
        taxonomies.taxonomy_code,
        rules.specialty_group
    from taxonomies
    inner join rules
        on taxonomies.taxonomy_grouping = rules.taxonomy_grouping
        and taxonomies.taxonomy_classification = rules.taxonomy_classification
        and (
            rules.taxonomy_specialization = '*'
            or coalesce(taxonomies.taxonomy_specialization, '') = coalesce(rules.taxonomy_specialization, '')
        )

)

select * from grouped
