{#- Allocation rows of `providers` (rows shaped like int_providers_classified, active
    individuals only): a domestic practice ZIP split over its counties by crosswalk weight
    (int_zip_counties_weighted, already on the demographic vintage's counties), anything else
    one row without a county; location_class says which (county) or why not: foreign,
    military, no_zip, zip_not_in_crosswalk, or the crosswalk county's own class
    (county_not_in_demographics, territory_not_in_demographics: county_fips is then the
    crosswalk's code). Used by int_provider_locations_allocated for the rows it writes and by
    int_county_specialties_summed for the rows a weekly run replaces, so both allocate alike. -#}
{% macro allocate_locations(providers) -%}
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
        coalesce(zip_counties.allocation_weight, 1.0) as allocation_weight

    from (
        select
            *,
            {#- one equality join key: a left-only condition in the ON clause defeats the hash join #}
            case when location_class = 'domestic' then practice_zip5 end as crosswalk_zip5
        from {{ providers }}
    ) as providers
    left join {{ ref('int_zip_counties_weighted') }} as zip_counties
        on providers.crosswalk_zip5 = zip_counties.zip5
{%- endmacro %}
