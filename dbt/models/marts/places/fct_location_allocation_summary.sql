{#- One row: how many providers and counties the allocation mode changes (docs/access.md). -#}
with

active as (

    select count(*) as active_individual_providers
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual

),

listed as (

    select
        count(distinct npi) as providers_with_secondary_locations,
        count(distinct npi) filter (where all_locations_weight != primary_address_weight) as providers_changed
    from {{ ref('int_provider_locations_compared') }}

),

counties as (

    select
        any_value(location_allocation) as location_allocation,
        count(*) filter (where is_changed) as counties_changed,
        count(*) filter (where providers_primary_address is not null) as counties_counted,
        coalesce(fsum(clinicians_change) filter (where clinicians_change > 0), 0) as clinicians_moved
    from {{ ref('fct_county_location_allocation') }}

),

final as (

    select
        counties.location_allocation,
        active.active_individual_providers,
        listed.providers_with_secondary_locations,
        listed.providers_changed,
        100.0 * listed.providers_changed / nullif(active.active_individual_providers, 0) as providers_changed_pct,
        counties.counties_counted,
        counties.counties_changed,
        counties.clinicians_moved
    from active
    cross join listed
    cross join counties

)

select * from final
