{#- The per-NPI allocation the marts use (int_provider_locations_allocated, kept incrementally)
    equals a fresh allocation in the build's mode (int_provider_locations_compared) for every
    provider with a secondary location, within 1e-9 per county. Fails if the table and the mode diverge, e.g. a mode
    switch without a re-baseline. -#}
with

mode as (

    select {{ spreads_over_all_locations() }} as is_all_locations

),

fresh as (

    select
        npi, county_fips, location_class,
        case when mode.is_all_locations then all_locations_weight else primary_address_weight end as weight
    from {{ ref('int_provider_locations_compared') }}
    cross join mode

),

kept as (

    select npi, county_fips, location_class, allocation_weight as weight
    from {{ ref('int_provider_locations_allocated') }}
    where npi in (select npi from fresh)

)

select
    coalesce(fresh.npi, kept.npi) as npi,
    coalesce(fresh.county_fips, kept.county_fips) as county_fips,
    fresh.weight as fresh_weight,
    kept.weight as kept_weight
from fresh
full join kept
    on fresh.npi = kept.npi
    and fresh.location_class = kept.location_class
    and fresh.county_fips is not distinct from kept.county_fips
where abs(coalesce(fresh.weight, 0) - coalesce(kept.weight, 0)) > 1e-9
