{#- Spatial access per county and discipline, from the ZCTAs of fct_zcta_spatial_access: each
    ZCTA counts wholly in its Gazetteer primary county (2020 counties), mapped onto the
    demographics vintage's counties by seed county_fips_harmonization (population shares) where
    the vintage lacks the code. The E2SFCA index and the nearest-provider distance are
    population-weighted means over the county's ZCTAs; the populations beyond 30 and 60 miles are
    the people of ZCTAs whose nearest provider of the discipline is farther (or who have none).
    Every county of the vintage has a row per discipline; one that is no ZCTA's primary county
    (about 20 small counties and Virginia independent cities) has zctas = 0 and null measures. -#}

with

zctas as (

    select * from {{ ref('fct_zcta_spatial_access') }}

),

vintage as (

    select county_fips, state_fips, county_name, state_code from {{ ref('dim_counties') }}

),

harmonisation as (

    {{ counties_harmonised_to_vintage() }}

),

placed as (

    select
        coalesce(harmonisation.to_fips, zctas.primary_county_fips) as county_fips,
        zctas.zcta5,
        zctas.discipline,
        zctas.population * coalesce(harmonisation.weight, 1.0) as population,
        zctas.providers * coalesce(harmonisation.weight, 1.0) as providers,
        zctas.access_per_100k,
        zctas.nearest_provider_miles
    from zctas
    left join harmonisation on zctas.primary_county_fips = harmonisation.from_fips

),

summed as (

    select
        county_fips,
        discipline,
        count(distinct zcta5) as zctas,
        sum(population) as zcta_population,
        sum(providers) as providers_at_zctas,
        sum(population * access_per_100k) / nullif(sum(population), 0) as access_per_100k,
        sum(population * nearest_provider_miles) filter (where nearest_provider_miles is not null)
            / nullif(sum(population) filter (where nearest_provider_miles is not null), 0)
            as mean_nearest_provider_miles,
        max(nearest_provider_miles) as max_nearest_provider_miles,
        coalesce(sum(population) filter (where nearest_provider_miles > 30 or nearest_provider_miles is null), 0)
            as population_beyond_30_miles,
        coalesce(sum(population) filter (where nearest_provider_miles > 60 or nearest_provider_miles is null), 0)
            as population_beyond_60_miles
    from placed
    group by county_fips, discipline

),

disciplines as (

    select distinct discipline from zctas

),

final as (

    select

        ---------- ids
        vintage.county_fips,
        vintage.state_fips,

        ---------- strings
        vintage.county_name,
        vintage.state_code,
        disciplines.discipline,

        ---------- dates
        (select max(release_date) from {{ ref('stg_run__nppes_releases') }}) as supply_release_date,

        ---------- numerics
        coalesce(summed.zctas, 0) as zctas,
        summed.zcta_population,
        summed.providers_at_zctas,
        summed.access_per_100k,
        summed.mean_nearest_provider_miles,
        summed.max_nearest_provider_miles,
        summed.population_beyond_30_miles,
        summed.population_beyond_60_miles,
        100.0 * summed.population_beyond_30_miles / nullif(summed.zcta_population, 0) as population_beyond_30_miles_pct,
        100.0 * summed.population_beyond_60_miles / nullif(summed.zcta_population, 0) as population_beyond_60_miles_pct

    from vintage
    cross join disciplines
    left join summed
        on vintage.county_fips = summed.county_fips
        and disciplines.discipline = summed.discipline

)

select * from final
