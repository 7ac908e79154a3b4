{#- Counties of the chosen ACS vintage with the demographics the screens use. Rates are
    percentages (0-100) of their ACS universe. -#}
{{ config(tags=['reference']) }}

with

estimates as (

    select * from {{ ref('stg_census__acs5_county_estimates') }}

),

states as (

    select * from {{ ref('us_states') }}

),

high_need as (

    select min_pct from {{ ref('hrsa_high_need_indicators') }} where indicator = 'poverty_rate'

),

described as (

    select

        ---------- ids
        estimates.county_fips,
        estimates.state_fips,

        ---------- strings
        estimates.county_name,
        states.state_code,
        states.state_name,
        states.census_region_name,
        states.census_division_name,

        ---------- numerics
        estimates.acs_year,
        estimates.total_population,
        estimates.population_65_plus,
        estimates.population_below_poverty,
        estimates.population_uninsured,
        estimates.median_household_income_usd,
        100.0 * estimates.population_below_poverty / nullif(estimates.poverty_universe, 0) as poverty_rate_pct,
        100.0 * estimates.population_uninsured / nullif(estimates.insurance_universe, 0) as uninsured_rate_pct,
        100.0 * estimates.population_65_plus / nullif(estimates.total_population, 0) as population_65_plus_pct

    from estimates
    left join states on estimates.state_fips = states.state_fips

),

final as (

    select
        described.*,
        described.poverty_rate_pct >= high_need.min_pct as is_high_need
    from described
    cross join high_need

)

select * from final
