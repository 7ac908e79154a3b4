{#- The key that makes two practice locations of a provider one: a domestic ZIP5, else the
    reason the location has none (foreign, military, no_zip). -#}
{% macro practice_location_key(location_class, zip5) -%}
    case
        when {{ location_class }} != 'domestic' then {{ location_class }}
        when {{ zip5 }} is null then 'no_zip'
        else {{ zip5 }}
    end
{%- endmacro %}

{#- The build's allocation mode, primary or all_locations, known when a model compiles: the
    environment variable CAREATLAS_DBT_LOCATION_ALLOCATION, which the transform's dbt runner
    sets from Settings.location_allocation (CAREATLAS_LOCATION_ALLOCATION), the same value the
    run's plan writes into run_inputs.build.location_allocation (test
    allocation_mode_matches_the_run). Read at compile time, a primary build plans no
    secondary-location branch; a scalar read from run_inputs at run time made DuckDB plan the
    join with the pl rows, the per-NPI count and the group by over list columns in either mode.
    The mode is part of the reference fingerprint: changing it re-baselines. -#}
{% macro location_allocation_mode() -%}
    {%- set mode = env_var('CAREATLAS_DBT_LOCATION_ALLOCATION', 'primary') -%}
    {%- if mode not in ('primary', 'all_locations') -%}
        {{ exceptions.raise_compiler_error("CAREATLAS_DBT_LOCATION_ALLOCATION must be primary or all_locations, not " ~ mode) }}
    {%- endif -%}
    {{- return(mode) -}}
{%- endmacro %}

{#- The allocation mode as a SQL boolean literal: `mode` when given ('primary' or
    'all_locations'), else the build's (macro location_allocation_mode). -#}
{% macro spreads_over_all_locations(mode=none) -%}
    {{ 'true' if (mode or location_allocation_mode()) == 'all_locations' else 'false' }}
{%- endmacro %}

{#- Allocation rows of `providers` (rows shaped like int_providers_classified, active
    individuals only): a domestic practice ZIP split over its counties by crosswalk weight
    (int_zip_counties_weighted, already on the demographic vintage's counties), anything else
    one row without a county; location_class says which (county) or why not: foreign,
    military, no_zip, zip_not_in_crosswalk, or the crosswalk county's own class
    (county_not_in_demographics, territory_not_in_demographics: county_fips is then the
    crosswalk's code). Used by int_provider_locations_allocated for the rows it writes and by
    int_county_specialties_summed for the rows a weekly run replaces, so both allocate alike. -#}
{#- In all_locations mode a provider is spread in equal shares over its distinct practice
    locations: the primary one and each secondary location of int_provider_secondary_locations
    with another key (1/n each for n locations); each share is then split over counties like a
    primary location, and shares landing in the same county (or outside class) are added, so
    the rows still sum to 1 per provider. In primary mode n = 1: the primary location only. -#}
{% macro allocate_locations(providers, mode=none) -%}
    {%- set spreads = (mode or location_allocation_mode()) == 'all_locations' %}
    select
        npi, county_fips, state_fips, applied_run_id, practice_state_code, practice_country_code,
        location_class, taxonomy_grouping, taxonomy_classification, specialty_groups,
        is_clinician, is_resident, is_stale,
        {#- one location per provider in primary mode: its rows are already one per county
            (int_zip_counties_weighted is unique per ZIP and county), nothing to add up #}
        {{ 'sum(allocation_weight)' if spreads else 'allocation_weight' }} as allocation_weight
    from (
        {{ _allocate_each_location(providers, spreads) }}
    ) as shares
    {%- if spreads %}
    group by all
    {%- endif %}
{%- endmacro %}

{% macro _allocate_each_location(providers, spreads) -%}
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
            else zip_counties.county_class
        end as location_class,
        providers.taxonomy_grouping,
        providers.taxonomy_classification,
        providers.specialty_groups,

        ---------- booleans
        providers.is_clinician,
        providers.is_resident,
        providers.is_stale,

        ---------- numerics
        providers.location_share * coalesce(zip_counties.allocation_weight, 1.0) as allocation_weight

    from (
        select
            *,
            {#- one equality join key: a left-only condition in the ON clause defeats the hash join #}
            case when location_class = 'domestic' then practice_zip5 end as crosswalk_zip5,
            {%- if spreads %}
            1.0 / count(*) over (partition by npi) as location_share
            {%- else %}
            cast(1 as double) as location_share
            {%- endif %}
        from (
            select * from {{ providers }}
            {%- if spreads %}
            union all by name
            select
                primary_location.* replace (
                    secondary.location_zip5 as practice_zip5,
                    secondary.location_class as location_class
                )
            from {{ providers }} as primary_location
            inner join {{ ref('int_provider_secondary_locations') }} as secondary
                on primary_location.npi = secondary.npi
            where secondary.location_key != {{ practice_location_key('primary_location.location_class', 'primary_location.practice_zip5') }}
            {%- endif %}
        )
    ) as providers
    left join {{ ref('int_zip_counties_weighted') }} as zip_counties
        on providers.crosswalk_zip5 = zip_counties.zip5
{%- endmacro %}
