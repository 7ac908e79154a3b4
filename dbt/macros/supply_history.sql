{#- Helpers of the supply history (fct_county_supply_history and its per-NPI state in
    models/intermediate/history). -#}

{#- A model of the supply history's per-NPI state read where a ref would be a cycle (the
    history reads the state before the state models rebuild it); none before its first build. -#}
{% macro supply_history_state(identifier) -%}
    {{- return(adapter.get_relation(database=this.database, schema='intermediate', identifier=identifier)
               if execute else none) -}}
{%- endmacro %}

{#- True when the newest step of the supply history was recorded by this run: appended by this
    build, or by an earlier attempt of the same run whose build stopped before the per-NPI state
    followed. Only then does the snapshot move on to the current locations. -#}
{% macro supply_history_step_is_this_runs() -%}
    exists (
        select 1
        from {{ ref('fct_county_supply_history') }} as steps
        where steps.recorded_run_id = {{ run_value('run_id') }}
            and steps.release_date = (select max(release_date) from {{ ref('fct_county_supply_history') }})
    )
{%- endmacro %}

{#- The NPIs whose snapshot rows this build moves on to their current locations: those the
    history step it recorded compared (the NPIs the build rewrote, the pending ones; all on a
    re-baseline), and none when it recorded no step. A predicate on `npi`. -#}
{% macro supply_history_stepped_npis() -%}
    {%- set pending = supply_history_state('int_discipline_locations_pending') -%}
    {{ supply_history_step_is_this_runs() }}
    and (
        {{ run_value('is_rebaseline') }}
        or npi in (select npi from {{ ref('int_providers_merged') }} where applied_run_id = {{ run_value('run_id') }})
        {%- if pending is not none %}
        or npi in (select npi from {{ pending }})
        {%- endif %}
    )
{%- endmacro %}

{#- pre_hook of int_discipline_locations_snapshotted: the rows it is about to replace. -#}
{% macro delete_stepped_npis() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where {{ supply_history_stepped_npis() }}
    {%- endif -%}
{%- endmacro %}

{#- The NPIs a step of the supply history compares with the snapshot: those this build rewrote
    in int_providers_merged and the pending ones (every NPI's locations but theirs are the
    snapshot's). A select of `npi`. -#}
{% macro compared_npis() -%}
    {%- set pending = supply_history_state('int_discipline_locations_pending') -%}
    select npi from {{ ref('int_providers_merged') }} where applied_run_id = {{ run_value('run_id') }}
    {%- if pending is not none %}
    union
    select npi from {{ pending }}
    {%- endif %}
{%- endmacro %}

{#- The rows of `relation` (a per-NPI table) of the NPIs in `npis` (a select of `npi`), by a
    semi-join: a weekly build reads the few thousand NPIs it compares, not every provider's. -#}
{% macro rows_of_compared_npis(relation, npis) -%}
    select * from {{ relation }} where npi in ({{ npis }})
{%- endmacro %}

{#- int_discipline_locations_current's rows (one per NPI, discipline and county, with the
    provider's applied_run_id) of the allocation rows `rows` selects: a predicate on the npi and
    applied_run_id of int_provider_locations_allocated. Both are keys of the aggregation, so
    filtering its input selects exactly the rows that filtering its output would, and a weekly
    build aggregates the NPIs it compares instead of all 9.4 M providers before filtering. -#}
{% macro discipline_locations(rows='true') -%}
    select
        locations.npi,
        disciplines.discipline,
        locations.county_fips,
        locations.applied_run_id,
        sum({{ exact_weight('locations.allocation_weight') }}) as weight
    from (
        select npi, county_fips, applied_run_id, allocation_weight, unnest(specialty_groups) as specialty_group
        from {{ ref('int_provider_locations_allocated') }}
        where location_class = 'county' and ({{ rows }})
    ) as locations
    inner join {{ ref('access_disciplines') }} as disciplines on locations.specialty_group = disciplines.specialty_group
    group by locations.npi, disciplines.discipline, locations.county_fips, locations.applied_run_id
{%- endmacro %}
