{#- Provider access per county: headcounts of active individual providers at their practice
    location (ZIPs spanning counties split by crosswalk weight), clinicians among them and the
    supply that is uncertain (residents, stale records), per 100,000 people, people per
    provider, and the HRSA ratio-based shortage screen per discipline with the thresholds of
    seed hrsa_shortage_thresholds. A criterion is met when every ratio in it reaches its
    threshold; a county with people and no provider of a group meets that group's threshold.
    A county the crosswalk does not cover (crosswalk_coverage none) has unknown provider counts:
    its screens are null, never "shortage". High-need screens are three-valued: unknown
    high need with a ratio that would qualify leaves the flag null. This is a screen on NPPES
    headcounts, not an HPSA designation (HRSA uses FTEs and rational service areas). -#}
with

counties as (

    select * from {{ ref('dim_counties') }}

),

group_counts as (

    select county_fips, specialty_name as provider_group, cast(providers as double) as providers
    from {{ ref('int_county_specialties_summed') }}
    where specialty_kind = 'group'

),

all_providers as (

    select
        county_fips,
        {#- fsum: error-compensated, so county totals add up to the allocation's (tested) #}
        fsum(allocation_weight) as providers,
        {%- for s in supply_flags() %}
        coalesce(fsum(allocation_weight) filter (where {{ s.flag }}), 0) as {{ s.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_provider_locations_allocated') }}
    where location_class = 'county'
    group by county_fips

),

thresholds as (

    select * from {{ ref('hrsa_shortage_thresholds') }}

),

county_groups as (

    select
        counties.county_fips,
        counties.total_population,
        provider_groups.provider_group,
        coalesce(group_counts.providers, 0) as providers
    from counties
    cross join (select distinct specialty_group as provider_group from {{ ref('specialty_group_codes') }}) as provider_groups
    left join group_counts
        on counties.county_fips = group_counts.county_fips
        and provider_groups.provider_group = group_counts.provider_group

),

criteria as (

    select
        county_groups.county_fips,
        thresholds.discipline,
        thresholds.criterion,
        bool_and(
            county_groups.providers = 0
            or county_groups.total_population / county_groups.providers >= thresholds.standard_min_people_per_provider
        ) as is_standard_met,
        bool_and(
            county_groups.providers = 0
            or case thresholds.high_need_comparison
                when 'gt' then county_groups.total_population / county_groups.providers > thresholds.high_need_min_people_per_provider
                when 'ge' then county_groups.total_population / county_groups.providers >= thresholds.high_need_min_people_per_provider
            end
        ) as is_high_need_met
    from county_groups
    inner join thresholds on county_groups.provider_group = thresholds.provider_group
    where county_groups.total_population > 0
    group by all

),

screens as (

    select
        county_fips,
        discipline,
        bool_or(is_standard_met) as is_standard_met,
        bool_or(is_high_need_met) as is_high_need_met
    from criteria
    group by all

),

groups_wide as (

    select
        county_fips,
        {%- for g in provider_groups() %}
        max(providers) filter (where provider_group = '{{ g.group }}') as {{ g.plural }}{{ ',' if not loop.last }}
        {%- endfor %}
    from county_groups
    group by county_fips

),

screens_wide as (

    select
        screens.county_fips,
        {%- for d in shortage_disciplines() %}
        bool_or(screens.is_standard_met) filter (where screens.discipline = '{{ d }}') as is_{{ d }}_shortage_standard,
        {#- true and null is null: an unknown high need leaves a qualifying ratio unknown #}
        bool_or(screens.is_high_need_met) filter (where screens.discipline = '{{ d }}')
            and max(counties.is_{{ d }}_high_need) as is_{{ d }}_shortage_high_need{{ ',' if not loop.last }}
        {%- endfor %}
    from screens
    inner join counties on screens.county_fips = counties.county_fips
    where counties.crosswalk_coverage != 'none'
    group by screens.county_fips

),

final as (

    select

        ---------- ids
        counties.county_fips,
        counties.state_fips,

        ---------- strings
        counties.county_name,
        counties.state_code,
        counties.crosswalk_coverage,
        counties.total_population_source,

        ---------- numerics
        counties.acs_year,
        counties.total_population,
        counties.poverty_rate_pct,
        {%- set known = "case when counties.crosswalk_coverage != 'none' then " %}
        {{ known }}coalesce(all_providers.providers, 0) end as individual_providers,
        {{ per_100k(known ~ 'coalesce(all_providers.providers, 0) end', 'counties.total_population') }} as individual_providers_per_100k,
        {%- for s in supply_flags() %}
        {{ known }}coalesce(all_providers.{{ s.name }}, 0) end as {{ s.name }},
        {%- endfor %}
        {{ per_100k(known ~ 'coalesce(all_providers.clinicians, 0) end', 'counties.total_population') }} as clinicians_per_100k,
        100.0 * all_providers.residents / nullif(all_providers.clinicians, 0) as residents_pct_of_clinicians,
        100.0 * all_providers.stale_records / nullif(all_providers.providers, 0) as stale_records_pct,
        {%- for g in provider_groups() %}
        {{ known }}groups_wide.{{ g.plural }} end as {{ g.plural }},
        {{ per_100k(known ~ 'groups_wide.' ~ g.plural ~ ' end', 'counties.total_population') }} as {{ g.plural }}_per_100k,
        {{ people_per('counties.total_population', 'groups_wide.' ~ g.plural) }} as people_per_{{ g.singular }},
        {%- endfor %}

        ---------- booleans
        {%- for d in shortage_disciplines() %}
        counties.is_{{ d }}_high_need,
        {%- endfor %}
        {%- for d in shortage_disciplines() %}
        screens_wide.is_{{ d }}_shortage_standard,
        screens_wide.is_{{ d }}_shortage_high_need,
        screens_wide.is_{{ d }}_shortage_standard or screens_wide.is_{{ d }}_shortage_high_need as is_{{ d }}_shortage{{ ',' if not loop.last }}
        {%- endfor %}

    from counties
    left join all_providers on counties.county_fips = all_providers.county_fips
    left join groups_wide on counties.county_fips = groups_wide.county_fips
    left join screens_wide on counties.county_fips = screens_wide.county_fips

)

select * from final
