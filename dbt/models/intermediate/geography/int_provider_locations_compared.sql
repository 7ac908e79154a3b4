{#- Both allocation modes side by side for the providers the choice can change: active
    individuals listing at least one secondary practice location. One row per NPI and county
    (or outside class) either mode places them in, with the weight of each mode (0 where that
    mode puts nothing); both weights sum to 1 per NPI (tested). Providers without a secondary
    location are allocated alike in both modes and are not listed. -#}
{{ config(materialized='table') }}

with

providers as (

    select *
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual
        and npi in (select npi from {{ ref('int_provider_secondary_locations') }})

),

primary_address as (

    {{ allocate_locations('providers', mode='primary') }}

),

all_locations as (

    {{ allocate_locations('providers', mode='all_locations') }}

),

compared as (

    select
        coalesce(primary_address.npi, all_locations.npi) as npi,
        coalesce(primary_address.county_fips, all_locations.county_fips) as county_fips,
        coalesce(primary_address.location_class, all_locations.location_class) as location_class,
        coalesce(primary_address.is_clinician, all_locations.is_clinician) as is_clinician,
        coalesce(primary_address.allocation_weight, 0) as primary_address_weight,
        coalesce(all_locations.allocation_weight, 0) as all_locations_weight
    from primary_address
    full join all_locations
        on primary_address.npi = all_locations.npi
        and primary_address.location_class = all_locations.location_class
        and primary_address.county_fips is not distinct from all_locations.county_fips

)

select * from compared
