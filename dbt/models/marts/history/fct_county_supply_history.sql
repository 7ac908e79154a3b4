{#- Supply history: one step per NPPES release the warehouse builds (the newest release of the
    build: the monthly full file or the last weekly delta applied), per county and discipline.
    Incremental and never refreshed (full_refresh = false): a re-baseline rebuilds the per-NPI
    state but keeps the history; a step is appended once, when the build's release is newer than
    the last recorded one, and the past is never recomputed.
    Supply now is int_county_specialties_summed (kept incrementally), supply before the last
    step's rows. The flows compare, per NPI, discipline and county and as exact decimal weights,
    the discipline locations now (int_discipline_locations_current) with those of the last step
    (int_discipline_locations_snapshotted: the locations as of the last recorded step, moved on
    only by a build that records a step), for every NPI whose locations may have changed since
    that step: all on a re-baseline; on a weekly build, the NPIs it rewrote plus those that
    builds recording no step changed in between (int_discipline_locations_pending: a re-baseline
    of the same release, e.g. new reference data or another allocation mode). Every other NPI's
    locations are those of the snapshot, so the flows account for the whole change:
      entries        providers of the discipline now who were not before (weight now)
      new_npis       entries enumerated after the previous release
      exits          providers of the discipline before who are not now (weight before)
      deactivations  exits whose NPI is no longer active (deactivated, or gone from NPPES)
      moves_in/out   weight gained / lost in the county by providers in the discipline at both
    and net_change = providers - previous_providers = entries - exits + moves_in - moves_out
    (tests county_supply_history_flows_add_up, and ..._snapshot_matches_the_county_sums for the
    state the next step starts from). The first step has no previous release: its flows are null. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail',
    )
}}
{%- set snapshot = supply_history_state('int_discipline_locations_snapshotted') %}
{%- set pending = supply_history_state('int_discipline_locations_pending') %}
{%- set current_rows -%}
    applied_run_id = {{ run_value('run_id') }}
    {%- if pending is not none %} or npi in (select npi from {{ pending }}){% endif %}
{%- endset %}

with

this_release as (

    select release_date, release_kind
    from {{ ref('stg_run__nppes_releases') }}
    order by release_date desc, release_kind = 'weekly' desc
    limit 1

),

previous_step as (

    {%- if is_incremental() %}
    select max(release_date) as release_date from {{ this }}
    {%- else %}
    select cast(null as date) as release_date
    {%- endif %}

),

{#- the NPIs whose locations may differ from the snapshot's (the last step's): those this build
    rewrote (all of them on a re-baseline, the weekly delta's on a weekly build), those builds
    without a step changed since the last step, and, on a re-baseline, NPIs gone from NPPES -#}
changed_npis as (

    {{ compared_npis() }}

),

{#- int_discipline_locations_current's rows that this build wrote or that are pending,
    selected before the aggregation (macro discipline_locations): a weekly build aggregates the
    delta's NPIs, not every provider -#}
current_locations as (

    select npi, discipline, county_fips, weight
    from ({{ discipline_locations(current_rows) }})

),

previous_locations as (

    {%- if snapshot is not none and is_incremental() %}
    select npi, discipline, county_fips, weight
    from {{ snapshot }}
    where npi in (select npi from changed_npis)
    {#- NPIs gone from NPPES leave only in a re-baseline (dbt build --full-refresh, build_args):
        a weekly build does not plan this anti-join over every NPI (2 s at national size) #}
    {%- if flags.FULL_REFRESH %}
        or ({{ run_value('is_rebaseline') }} and npi not in (select npi from {{ ref('int_providers_merged') }}))
    {%- endif %}
    {%- else %}
    select * from current_locations where false
    {%- endif %}

),

presence as (

    select npi, discipline, bool_or(is_now) as is_in_now, bool_or(not is_now) as was_in
    from (
        select npi, discipline, true as is_now from current_locations
        union all
        select npi, discipline, false from previous_locations
    )
    group by npi, discipline

),

paired as (

    select
        coalesce(now.npi, before.npi) as npi,
        coalesce(now.discipline, before.discipline) as discipline,
        coalesce(now.county_fips, before.county_fips) as county_fips,
        coalesce(now.weight, 0) as weight_now,
        coalesce(before.weight, 0) as weight_before
    from current_locations as now
    full outer join previous_locations as before
        on now.npi = before.npi
        and now.discipline = before.discipline
        and now.county_fips = before.county_fips

),

classified as (

    select
        paired.*,
        presence.is_in_now,
        presence.was_in,
        coalesce(providers.is_active, false) as is_active,
        providers.enumeration_date > (select release_date from previous_step) as is_new_npi
    from paired
    inner join presence on paired.npi = presence.npi and paired.discipline = presence.discipline
    left join {{ ref('int_providers_classified') }} as providers on paired.npi = providers.npi

),

flows as (

    select
        county_fips,
        discipline,
        coalesce(sum(weight_now) filter (where not was_in), 0) as entries,
        coalesce(sum(weight_now) filter (where not was_in and is_new_npi), 0) as new_npis,
        coalesce(sum(weight_before) filter (where not is_in_now), 0) as exits,
        coalesce(sum(weight_before) filter (where not is_in_now and not is_active), 0) as deactivations,
        coalesce(sum(greatest(weight_now - weight_before, 0)) filter (where is_in_now and was_in), 0) as moves_in,
        coalesce(sum(greatest(weight_before - weight_now, 0)) filter (where is_in_now and was_in), 0) as moves_out
    from classified
    group by county_fips, discipline

),

{#- supply now: the county sums int_county_specialties_summed keeps (incrementally on weekly
    builds); supply before: the last step's rows -#}
supply_now as (

    select sums.county_fips, disciplines.discipline, sums.providers
    from {{ ref('int_county_specialties_summed') }} as sums
    inner join {{ ref('access_disciplines') }} as disciplines
        on sums.specialty_kind = 'group' and sums.specialty_name = disciplines.specialty_group

),

supply_before as (

    {%- if is_incremental() %}
    select county_fips, discipline, providers
    from {{ this }}
    where release_date = (select release_date from previous_step) and providers > 0
    {%- else %}
    select * from supply_now where false
    {%- endif %}

),

steps as (

    select
        coalesce(supply_now.county_fips, supply_before.county_fips, flows.county_fips) as county_fips,
        coalesce(supply_now.discipline, supply_before.discipline, flows.discipline) as discipline,
        coalesce(supply_now.providers, 0) as providers,
        coalesce(supply_before.providers, 0) as previous_providers,
        coalesce(flows.entries, 0) as entries,
        coalesce(flows.new_npis, 0) as new_npis,
        coalesce(flows.exits, 0) as exits,
        coalesce(flows.deactivations, 0) as deactivations,
        coalesce(flows.moves_in, 0) as moves_in,
        coalesce(flows.moves_out, 0) as moves_out
    from supply_now
    full outer join supply_before
        on supply_now.county_fips = supply_before.county_fips and supply_now.discipline = supply_before.discipline
    full outer join flows
        on coalesce(supply_now.county_fips, supply_before.county_fips) = flows.county_fips
        and coalesce(supply_now.discipline, supply_before.discipline) = flows.discipline

),

final as (

    select

        ---------- ids
        this_release.release_date,
        steps.county_fips,
        {{ run_value('run_id') }} as recorded_run_id,

        ---------- strings
        steps.discipline,
        this_release.release_kind,

        ---------- numerics
        cast(steps.providers as decimal(38, 12)) as providers,
        {%- for flow in ['previous_providers', 'entries', 'new_npis', 'exits', 'deactivations', 'moves_in', 'moves_out'] %}
        cast(case when previous_step.release_date is not null then steps.{{ flow }} end as decimal(38, 12)) as {{ flow }},
        {%- endfor %}
        cast(case when previous_step.release_date is not null
            then steps.providers - steps.previous_providers end as decimal(38, 12)) as net_change,

        ---------- dates
        previous_step.release_date as previous_release_date,

        ---------- timestamps
        current_timestamp as recorded_at

    from steps
    cross join this_release
    cross join previous_step
    where this_release.release_date > coalesce(previous_step.release_date, date '0001-01-01')

)

select * from final
