{#- Counties of the demographics vintage (int_county_demographics) with what the screens use:
    age ratios, the high-need indicators per discipline (seed hrsa_high_need_indicators: a
    discipline is high-need when any of its indicators is met, unknown when none is met and one
    is unknown), and how the crosswalk covers the county: full (some ZIP names the county),
    harmonised (its ZIPs reach it only through seed county_fips_harmonization) or none.
    Rurality: the USDA ERS RUCC 2023 code of the county (seed rucc_2023_counties); a county of
    another vintage (Connecticut's old counties, 02261) takes the code of the 2023 county that
    holds most of its people (seed county_fips_harmonization), and rucc_basis says which. -#}
{{ config(tags=['reference']) }}

with

demographics as (

    select * from {{ ref('int_county_demographics') }}

),

states as (

    select * from {{ ref('us_states') }}

),

coverage as (

    select
        county_fips,
        case when bool_or(geography_basis = 'crosswalk') then 'full' else 'harmonised' end as crosswalk_coverage,
        count(distinct zip5) as crosswalk_zips
    from {{ ref('int_zip_counties_weighted') }}
    where county_class = 'county'
    group by county_fips

),

rucc as (

    select * from {{ ref('rucc_2023_counties') }}

),

rurality as (

    select county_fips, rucc_2023, rucc_description, 'rucc_2023' as rucc_basis
    from rucc
    union all
    select
        harmonised.from_fips as county_fips,
        arg_max(rucc.rucc_2023, (harmonised.weight, harmonised.to_fips)) as rucc_2023,
        arg_max(rucc.rucc_description, (harmonised.weight, harmonised.to_fips)) as rucc_description,
        'harmonised' as rucc_basis
    from {{ ref('county_fips_harmonization') }} as harmonised
    inner join rucc on harmonised.to_fips = rucc.county_fips
    where harmonised.from_fips not in (select county_fips from rucc)
    group by harmonised.from_fips

),

described as (

    select
        demographics.*,
        states.state_code,
        states.state_name,
        states.census_region_name,
        states.census_division_name,
        100.0 * demographics.population_65_plus
            / nullif(demographics.population_under_18 + demographics.population_18_64 + demographics.population_65_plus, 0)
            as population_65_plus_pct,
        demographics.population_under_18 / nullif(demographics.population_18_64, 0) as youth_ratio,
        demographics.population_65_plus / nullif(demographics.population_18_64, 0) as elderly_ratio,
        coalesce(coverage.crosswalk_coverage, 'none') as crosswalk_coverage,
        coalesce(coverage.crosswalk_zips, 0) as crosswalk_zips,
        rurality.rucc_2023,
        rurality.rucc_description,
        rurality.rucc_basis
    from demographics
    left join states on demographics.state_fips = states.state_fips
    left join coverage on demographics.county_fips = coverage.county_fips
    left join rurality on demographics.county_fips = rurality.county_fips

),

indicator_values as (

    select
        described.county_fips,
        indicators.discipline,
        indicators.comparison,
        indicators.threshold,
        case indicators.measure
            when 'poverty_rate_pct' then described.poverty_rate_pct
            when 'youth_ratio' then described.youth_ratio
            when 'elderly_ratio' then described.elderly_ratio
        end as value
    from described
    cross join {{ ref('hrsa_high_need_indicators') }} as indicators

),

indicators as (

    select
        county_fips,
        discipline,
        case comparison when 'gt' then value > threshold when 'ge' then value >= threshold end as is_met
    from indicator_values

),

high_need as (

    select
        county_fips,
        {%- for d in shortage_disciplines() %}
        {{ high_need_of("is_met", "discipline = '" ~ d ~ "'") }} as is_{{ d }}_high_need{{ ',' if not loop.last }}
        {%- endfor %}
    from indicators
    group by county_fips

),

final as (

    select

        ---------- ids
        described.county_fips,
        described.state_fips,

        ---------- strings
        described.county_name,
        described.state_code,
        described.state_name,
        described.census_region_name,
        described.census_division_name,
        described.demographics_product,
        described.crosswalk_coverage,
        described.total_population_source,
        described.population_under_18_source,
        described.population_65_plus_source,
        described.poverty_rate_source,
        described.median_household_income_source,
        described.uninsured_rate_source,
        described.rucc_description,
        described.rucc_basis,
        case when described.rucc_2023 <= 3 then 'metro' when described.rucc_2023 >= 4 then 'nonmetro' end
            as metro_status,

        ---------- numerics
        described.acs_year,
        described.total_population,
        described.population_under_18,
        described.population_18_64,
        described.population_65_plus,
        described.population_below_poverty,
        described.population_uninsured,
        described.median_household_income_usd,
        described.poverty_rate_pct,
        described.uninsured_rate_pct,
        described.population_65_plus_pct,
        described.youth_ratio,
        described.elderly_ratio,
        described.crosswalk_zips,
        described.rucc_2023,

        ---------- booleans
        described.rucc_2023 <= 3 as is_metro,
        {%- for d in shortage_disciplines() %}
        high_need.is_{{ d }}_high_need{{ ',' if not loop.last }}
        {%- endfor %}

    from described
    left join high_need on described.county_fips = high_need.county_fips

)

select * from final
