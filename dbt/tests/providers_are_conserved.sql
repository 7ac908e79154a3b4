{#- Conservation: every active individual provider is counted exactly once, in a county of
    fct_county_access or in fct_providers_outside_counties (placed + outside = active
    individuals), and the allocation table holds each of them with total weight 1.
    Two checks of the allocation table, so that a weekly build does not group all 9.4 M NPIs:
    - per NPI, exactly, for the NPIs this run wrote in int_providers_classified (every NPI on a
      re-baseline): each active individual among them has allocation rows of total weight 1,
      and none of the others has any (a deactivated NPI's old rows left behind, say). The
      per-NPI sums_to_one test cannot see an NPI missing entirely; this can.
    - the whole table by total weight: the sum of every allocation weight equals the number of
      active individuals. The rows of the NPIs the run did not write were checked per NPI by
      the build that wrote them, and later builds only delete and append the rows of their own
      NPIs; an NPI wrong anywhere since (missing, doubled, or any weight off) moves the total by
      its error, which is seen once it exceeds the tolerance below (0.0094 of a provider at
      9.4 M; a whole provider always). Only errors in several NPIs that cancel to within it
      would pass, and each NPI's error is one independent defect, not a rounding.
    Weights are doubles: sums use fsum (error-compensated) and agree to a billionth of the total
    (1e-9 relative). -#}
with

run_npis as (

    select npi, is_active and is_individual as is_counted
    from {{ ref('int_providers_classified') }}
    where applied_run_id = {{ run_value('run_id') }}

),

run_allocated as (

    {#- by the run's NPIs as well as by the run id: rows of them an earlier run wrote count too #}
    select npi, fsum(allocation_weight) as weight
    from {{ ref('int_provider_locations_allocated') }}
    where applied_run_id = {{ run_value('run_id') }} or npi in (select npi from run_npis)
    group by npi

),

npis_off as (

    select coalesce(run_npis.npi, run_allocated.npi) as npi, run_allocated.weight
    from (select npi from run_npis where is_counted) as run_npis
    full outer join run_allocated on run_npis.npi = run_allocated.npi
    where run_npis.npi is null or run_allocated.npi is null or abs(run_allocated.weight - 1) > 1e-9

),

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

    select coalesce(fsum(allocation_weight), 0) as providers from {{ ref('int_provider_locations_allocated') }}

)

select
    active.providers as active_individuals,
    placed.providers as placed_in_counties,
    outside.providers as outside_counties,
    allocated.providers as allocated_weight,
    (select count(*) from npis_off) as run_npis_off,
    (select min(npi) from npis_off) as first_run_npi_off
from active, placed, outside, allocated
where exists (select 1 from npis_off)
    or abs(placed.providers + outside.providers - active.providers) > 1e-9 * greatest(active.providers, 1)
    or abs(allocated.providers - active.providers) > 1e-9 * greatest(active.providers, 1)
