{#- Conservation: every active individual provider is counted exactly once, in a county of
    fct_county_access or in fct_providers_outside_counties (placed + outside = active
    individuals, to 1e-9 of a weight), and the allocation table holds each of them with total
    weight 1. The per-NPI sums_to_one test cannot see an NPI missing entirely; this can. -#}
with

active as (

    select count(*) as providers
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual

),

placed as (

    select coalesce(sum(individual_providers), 0) as providers from {{ ref('fct_county_access') }}

),

outside as (

    select coalesce(sum(providers), 0) as providers from {{ ref('fct_providers_outside_counties') }}

),

allocated as (

    select coalesce(sum(allocation_weight), 0) as providers from {{ ref('int_provider_locations_allocated') }}

)

select
    active.providers as active_individuals,
    placed.providers as placed_in_counties,
    outside.providers as outside_counties,
    allocated.providers as allocated_weight
from active, placed, outside, allocated
where abs(placed.providers + outside.providers - active.providers) > 1e-9
    or abs(allocated.providers - active.providers) > 1e-9
