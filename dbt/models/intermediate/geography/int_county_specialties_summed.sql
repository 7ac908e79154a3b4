{#- Providers per county and specialty: the sum of allocation weights, so a provider whose ZIP
    spans two counties adds e.g. 0.75 to one and 0.25 to the other. Specialties are the
    primary taxonomy's NUCC classification and each HRSA group it belongs to; a provider
    counts once per specialty. -#}
{{ config(materialized='table') }}

with

locations as (

    select county_fips, taxonomy_classification, specialty_groups, allocation_weight
    from {{ ref('int_provider_locations_allocated') }}
    where location_class = 'county'

),

summed as (

    {{ sum_by_specialty('locations', 'county_fips', 'sum(allocation_weight)') }}

)

select * from summed
