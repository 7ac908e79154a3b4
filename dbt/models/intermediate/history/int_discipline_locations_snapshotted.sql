{#- The discipline locations as of the release the supply history recorded last, kept for the
    next step's entries, exits and moves. Built after fct_county_supply_history (depends_on
    below), which reads the previous build's rows without a ref (a ref would be a cycle).
    Incremental per NPI like int_provider_locations_allocated: a weekly run deletes the rows of
    the NPIs it changed and appends their current ones; a re-baseline rebuilds it from all. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
-- depends_on: {{ ref('fct_county_supply_history') }}
-- depends_on: {{ ref('int_providers_merged') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_npis('int_providers_merged') }}",
    )
}}

select npi, discipline, county_fips, weight
from {{ ref('int_discipline_locations_current') }}
{%- if is_incremental() %}
where applied_run_id = {{ run_value('run_id') }}
{%- endif %}
