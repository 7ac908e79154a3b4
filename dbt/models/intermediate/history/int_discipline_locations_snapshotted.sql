{#- The discipline locations as of the last step of the supply history, which the next step's
    entries, exits and moves are measured from. Built after fct_county_supply_history (depends_on
    below), which reads the previous build's rows without a ref (a ref would be a cycle).
    Incremental per NPI and never refreshed: only a build whose step the history recorded moves
    it on, deleting the rows of the NPIs that step compared (the NPIs the build rewrote and the
    pending ones; all on a re-baseline) and appending their current ones. A build that records
    no step (its release is not newer: e.g. the same release re-based on new reference data or
    in another allocation mode) leaves it as it is, and int_discipline_locations_pending lists
    the NPIs it changed instead, for the next step to count. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
-- depends_on: {{ ref('fct_county_supply_history') }}
-- depends_on: {{ ref('int_providers_merged') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail',
        pre_hook="{{ delete_stepped_npis() }}",
    )
}}

{#- the stepped NPIs' rows only: the predicate is on npi, so it filters the allocation rows
    before they are aggregated (macro discipline_locations) -#}
select npi, discipline, county_fips, weight
from ({{ discipline_locations(supply_history_stepped_npis() if is_incremental() else 'true') }})
