{#- Where active individual providers practise, as weights that sum to 1 per provider: a
    domestic practice ZIP is split over its counties by int_zip_counties_weighted, so a ZIP
    spanning counties never counts a provider twice. Foreign and military addresses, and
    domestic ones whose ZIP is missing or not in the crosswalk, get one row without a county
    (location_class says why) and are kept out of county figures. Each row carries the
    provider's classification and specialty groups so counts need no further join.
    Incremental per NPI like int_providers_classified. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
-- depends_on: {{ ref('int_provider_secondary_locations') }}  (read in all_locations mode only)
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_npis('int_providers_classified') }}",
    )
}}

with

providers as (

    select *
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual
    {%- if is_incremental() %}
        and applied_run_id = {{ run_value('run_id') }}
    {%- endif %}

),

allocated as (

    {{ allocate_locations('providers') }}

)

select * from allocated
