{#- The per-NPI allocation the marts use (int_provider_locations_allocated) equals the
    allocation in the build's mode that int_provider_locations_compared computed beside the
    other mode, for every provider with a secondary location the run wrote (every one on a
    re-baseline; on a weekly build the NPIs it changed: both tables are kept per NPI, and the
    rows of unchanged NPIs were compared by the build that wrote them), within 1e-9 per county.
    A mode switch without a re-baseline is caught by allocation_mode_matches_the_run and the
    reference fingerprint. -#}
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
    where applied_run_id = {{ run_value('run_id') }}

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
