{#- Providers per state and specialty by practice-location state: every domestic address
    counts, including those whose ZIP could not be placed in a county; military and foreign
    addresses do not. -#}
{{ config(materialized='table') }}

with

providers as (

    select state_fips, taxonomy_classification, specialty_groups
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual and location_class = 'domestic' and state_fips is not null

),

summed as (

    {{ sum_by_specialty('providers', 'state_fips', 'count(*)') }}

)

select * from summed
