{#- Where active individual providers practise, as weights that sum to 1 per provider: a
    domestic practice ZIP is split over its counties by int_zip_counties_weighted, so a ZIP
    spanning counties never counts a provider twice. Foreign and military addresses, and
    domestic ones whose ZIP is missing or not in the crosswalk, get one row without a county
    (location_class says why) and are kept out of county figures. Each row carries the
    provider's classification and specialty groups so counts need no further join.
    Incremental per NPI like int_providers_classified. -#}
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

    select
        npi, state_fips, applied_run_id, practice_state_code, practice_country_code, location_class,
        taxonomy_classification, specialty_groups,
        {#- one equality join key: a left-only condition in the ON clause defeats the hash join #}
        case when location_class = 'domestic' then practice_zip5 end as crosswalk_zip5,
        practice_zip5
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual
    {%- if is_incremental() %}
        and applied_run_id = {{ run_value('run_id') }}
    {%- endif %}

),

zip_counties as (

    select * from {{ ref('int_zip_counties_weighted') }}

),

allocated as (

    select

        ---------- ids
        providers.npi,
        zip_counties.county_fips,
        providers.state_fips,
        providers.applied_run_id,

        ---------- strings
        providers.practice_state_code,
        providers.practice_country_code,
        case
            when providers.location_class != 'domestic' then providers.location_class
            when providers.practice_zip5 is null then 'no_zip'
            when zip_counties.county_fips is null then 'zip_not_in_crosswalk'
            else 'county'
        end as location_class,
        providers.taxonomy_classification,
        providers.specialty_groups,

        ---------- numerics
        coalesce(zip_counties.allocation_weight, 1.0) as allocation_weight

    from providers
    left join zip_counties on providers.crosswalk_zip5 = zip_counties.zip5

)

select * from allocated
