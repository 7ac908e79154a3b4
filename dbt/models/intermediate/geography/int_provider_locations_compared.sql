{#- Both allocation modes side by side for the providers the choice can change: active
    individuals listing at least one secondary practice location. One row per NPI and county
    (or outside class) either mode places them in, with the weight of each mode (0 where that
    mode puts nothing); both weights sum to 1 per NPI (tested). Providers without a secondary
    location are allocated alike in both modes and are not listed.
    Incremental per NPI like int_provider_locations_allocated: a weekly build deletes the rows
    of the NPIs it changed and appends theirs. A provider's rows depend only on its own record,
    its secondary locations and the crosswalk, and those two change only with a re-baseline
    (tag reference), so the table equals a full rebuild (docs/decisions/incremental-build.md). -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
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
        and npi in (select npi from {{ ref('int_provider_secondary_locations') }})
    {%- if is_incremental() %}
        and applied_run_id = {{ run_value('run_id') }}
    {%- endif %}

),

primary_address as (

    {{ allocate_locations('providers', mode='primary') }}

),

all_locations as (

    {{ allocate_locations('providers', mode='all_locations') }}

),

compared as (

    select
        coalesce(primary_address.npi, all_locations.npi) as npi,
        coalesce(primary_address.applied_run_id, all_locations.applied_run_id) as applied_run_id,
        coalesce(primary_address.county_fips, all_locations.county_fips) as county_fips,
        coalesce(primary_address.location_class, all_locations.location_class) as location_class,
        coalesce(primary_address.is_clinician, all_locations.is_clinician) as is_clinician,
        coalesce(primary_address.allocation_weight, 0) as primary_address_weight,
        coalesce(all_locations.allocation_weight, 0) as all_locations_weight
    from primary_address
    full join all_locations
        on primary_address.npi = all_locations.npi
        and primary_address.location_class = all_locations.location_class
        and primary_address.county_fips is not distinct from all_locations.county_fips

)

select * from compared
