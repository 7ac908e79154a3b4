{#- NPIs whose discipline locations changed since the last step of the supply history without
    a step recording it: a build whose release is not newer than the last step's (the same
    release re-based on new reference data or in another allocation mode, say) leaves the
    snapshot at the last step and lists here the NPIs it changed, so that the next step compares
    them too (fct_county_supply_history, changed_npis). A re-baseline lists, in place of the
    list, the NPIs whose locations now differ from the snapshot's (one comparison of all NPIs, in
    a build that rebuilds them all anyway); a weekly build adds the NPIs it rewrote. Emptied by
    the build that records the next step. Built after the snapshot, which reads it without a ref
    (a ref would be a cycle); incremental and never refreshed, like the snapshot. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
-- depends_on: {{ ref('fct_county_supply_history') }}
-- depends_on: {{ ref('int_providers_merged') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail',
        pre_hook="{% if is_incremental() %}delete from {{ this }}
            where {{ supply_history_step_is_this_runs() }} or {{ run_value('is_rebaseline') }}{% endif %}",
    )
}}

{#- a re-baseline compares every NPI (as does the first build of this model, whatever the
    snapshot holds then); a weekly build lists the NPIs it rewrote -#}
{%- set compares_all = flags.FULL_REFRESH or not is_incremental() %}

with

{%- if compares_all %}

snapshot as (

    select * from {{ ref('int_discipline_locations_snapshotted') }}

),

current_locations as (

    select npi, discipline, county_fips, weight from {{ ref('int_discipline_locations_current') }}

),

changed as (

    select distinct coalesce(current_locations.npi, snapshot.npi) as npi
    from current_locations
    full outer join snapshot
        on current_locations.npi = snapshot.npi
        and current_locations.discipline = snapshot.discipline
        and current_locations.county_fips = snapshot.county_fips
    where current_locations.weight is distinct from snapshot.weight

)

{%- else %}

changed as (

    select npi from {{ ref('int_providers_merged') }} where applied_run_id = {{ run_value('run_id') }}

)

{%- endif %}

select npi
from changed
where not {{ supply_history_step_is_this_runs() }}
{%- if is_incremental() %}
    and npi not in (select npi from {{ this }})
{%- endif %}
