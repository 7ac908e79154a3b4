{#- Access by rurality: counties grouped by metro status (RUCC 1-3 / 4-9) and by RUCC 2023 code,
    with their people, providers per 100,000 people and the share of people living in counties
    that meet each ratio-based shortage screen (fct_county_access). Counties without a RUCC code
    form the group 'unknown'. A county whose screen is null (no crosswalk coverage) counts as
    not screened: its people are in the denominator, not the numerator. -#}
with

counties as (

    select
        access.*,
        dim.rucc_2023,
        coalesce(dim.metro_status, 'unknown') as metro_status
    from {{ ref('fct_county_access') }} as access
    inner join {{ ref('dim_counties') }} as dim on access.county_fips = dim.county_fips

),

grouped as (

    select 'metro_status' as rurality_level, metro_status as rurality_group, * from counties
    union all
    select 'rucc_2023', coalesce(cast(rucc_2023 as varchar), 'unknown'), * from counties

),

summed as (

    select
        rurality_level,
        rurality_group,
        count(*) as counties,
        sum(total_population) as total_population,
        sum(clinicians) as clinicians,
        sum(primary_care_providers) as primary_care_providers,
        sum(dentists) as dentists,
        sum(core_mental_health_providers) as core_mental_health_providers,
        count(*) filter (where is_primary_care_shortage) as primary_care_shortage_counties,
        sum(total_population) filter (where is_primary_care_shortage) as primary_care_shortage_population,
        sum(total_population) filter (where is_dental_shortage) as dental_shortage_population,
        sum(total_population) filter (where is_mental_health_shortage) as mental_health_shortage_population
    from grouped
    group by rurality_level, rurality_group

),

final as (

    select

        ---------- ids
        rurality_level,
        rurality_group,

        ---------- numerics
        counties,
        total_population,
        clinicians,
        primary_care_providers,
        dentists,
        core_mental_health_providers,
        100000.0 * clinicians / nullif(total_population, 0) as clinicians_per_100k,
        100000.0 * primary_care_providers / nullif(total_population, 0) as primary_care_providers_per_100k,
        100000.0 * dentists / nullif(total_population, 0) as dentists_per_100k,
        100000.0 * core_mental_health_providers / nullif(total_population, 0) as core_mental_health_providers_per_100k,
        primary_care_shortage_counties,
        coalesce(primary_care_shortage_population, 0) as primary_care_shortage_population,
        100.0 * coalesce(primary_care_shortage_population, 0) / nullif(total_population, 0)
            as primary_care_shortage_population_pct,
        100.0 * coalesce(dental_shortage_population, 0) / nullif(total_population, 0) as dental_shortage_population_pct,
        100.0 * coalesce(mental_health_shortage_population, 0) / nullif(total_population, 0)
            as mental_health_shortage_population_pct

    from summed

)

select * from final
