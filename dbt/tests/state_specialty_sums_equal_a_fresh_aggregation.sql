{#- Incremental equals full, per state: the sums kept by weekly builds equal a fresh count of
    int_providers_classified (the rows int_state_specialties_summed counts). -#}
{{ config(tags=['incremental_audit']) }}

with

counted as (

    {#- grouped once on every key sum_by_specialty reads (its two sums then read a few thousand
        rows, not two passes over every provider): counts add up exactly -#}
    select state_fips, taxonomy_grouping, taxonomy_classification, specialty_groups, count(*) as provider
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual and location_class = 'domestic' and state_fips is not null
    group by all

),

fresh as (

    {{ sum_by_specialty('counted', 'state_fips', 'sum(provider)') }}

),

kept as (

    select * from {{ ref('int_state_specialties_summed') }}

)

{{ specialty_sums_differ('kept', 'fresh', 'state_fips') }}
