{#- Conservation: every active individual provider is counted exactly once, in a county of
    fct_county_access or in fct_providers_outside_counties (placed + outside = active
    individuals), and the allocation table holds each of them (the same NPIs, total weight 1
    each). The per-NPI sums_to_one test cannot see an NPI missing entirely; this can. Weights
    are doubles: sums use fsum (error-compensated) and agree to a billionth of the total
    (1e-9 relative: 0.01 of a provider at 9.4 M; a whole provider off always fails). -#}
with

active as (

    select count(*) as providers
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual

),

placed as (

    select coalesce(fsum(individual_providers), 0) as providers from {{ ref('fct_county_access') }}

),

outside as (

    select coalesce(fsum(providers), 0) as providers from {{ ref('fct_providers_outside_counties') }}

),

allocated as (

    select coalesce(fsum(allocation_weight), 0) as providers, count(distinct npi) as npis
    from {{ ref('int_provider_locations_allocated') }}

)

select
    active.providers as active_individuals,
    placed.providers as placed_in_counties,
    outside.providers as outside_counties,
    allocated.providers as allocated_weight,
    allocated.npis as allocated_npis
from active, placed, outside, allocated
where allocated.npis != active.providers
    or abs(placed.providers + outside.providers - active.providers) > 1e-9 * greatest(active.providers, 1)
    or abs(allocated.providers - active.providers) > 1e-9 * greatest(active.providers, 1)
