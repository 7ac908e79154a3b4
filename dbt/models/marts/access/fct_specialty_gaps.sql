{#- Each specialty's provider rate in every Census region and division against the national
    rate (the 50 states and DC), and the gap in providers: how many more (positive) or fewer
    (negative) providers the area would need to match the national rate for its population.
    Counts are active individual providers by practice-location state; populations are the
    demographics product's state populations (int_state_demographics). Specialties are the NUCC
    classifications of clinical groupings (taxonomy_groupings.is_clinician: students, technicians,
    drivers and other non-clinical staff are not a care gap), keyed by (grouping, classification),
    and the HRSA groups. -#}
with

states as (

    select state_fips, census_region_code, census_region_name, census_division_code, census_division_name
    from {{ ref('us_states') }}
    where census_region_code is not null

),

populations as (

    select states.*, estimates.total_population
    from states
    inner join {{ ref('int_state_demographics') }} as estimates
        on states.state_fips = estimates.state_fips

),

areas as (

    select 'region' as geography_level, census_region_code as geography_code,
        census_region_name as geography_name, state_fips, total_population
    from populations
    union all
    select 'division', census_division_code, census_division_name, state_fips, total_population
    from populations

),

area_populations as (

    select geography_level, geography_code, geography_name, cast(sum(total_population) as bigint) as total_population
    from areas
    group by all

),

state_counts as (

    select counts.*
    from {{ ref('int_state_specialties_summed') }} as counts
    inner join populations on counts.state_fips = populations.state_fips
    left join {{ ref('taxonomy_groupings') }} as groupings
        on counts.specialty_grouping = groupings.taxonomy_grouping
    where counts.specialty_kind = 'group' or groupings.is_clinician

),

national as (

    select
        specialty_kind,
        specialty_grouping,
        specialty_name,
        sum(providers) * 100000.0 / (select sum(total_population) from populations) as national_providers_per_100k
    from state_counts
    group by all

),

area_counts as (

    select areas.geography_level, areas.geography_code, state_counts.specialty_kind,
        state_counts.specialty_grouping, state_counts.specialty_name, cast(sum(state_counts.providers) as bigint) as providers
    from state_counts
    inner join areas on state_counts.state_fips = areas.state_fips
    group by all

),

final as (

    select

        ---------- ids
        area_populations.geography_level,
        area_populations.geography_code,
        national.specialty_kind,
        national.specialty_grouping,
        national.specialty_name,

        ---------- strings
        area_populations.geography_name,

        ---------- numerics
        area_populations.total_population,
        coalesce(area_counts.providers, 0) as providers,
        {{ per_100k('coalesce(area_counts.providers, 0)', 'area_populations.total_population') }} as providers_per_100k,
        national.national_providers_per_100k,
        national.national_providers_per_100k * area_populations.total_population / 100000.0 as expected_providers,
        national.national_providers_per_100k * area_populations.total_population / 100000.0
            - coalesce(area_counts.providers, 0) as provider_gap,
        {{ per_100k('coalesce(area_counts.providers, 0)', 'area_populations.total_population') }}
            / nullif(national.national_providers_per_100k, 0) as rate_ratio_to_national

    from area_populations
    cross join national
    left join area_counts
        on area_populations.geography_level = area_counts.geography_level
        and area_populations.geography_code = area_counts.geography_code
        and national.specialty_kind = area_counts.specialty_kind
        and national.specialty_grouping = area_counts.specialty_grouping
        and national.specialty_name = area_counts.specialty_name

)

select * from final
