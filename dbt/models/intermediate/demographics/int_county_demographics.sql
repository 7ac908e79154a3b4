{#- The demographics of every county of the build's product (careatlas.transform.demographics),
    in one contract whichever product it is, each measure labelled with its product and vintage
    (run_inputs.demographic_sources):
      ACS 5-year: one vintage's B01003 population, B01001 age cells (under 18 = 003-006 + 027-030,
        65+ = 020-025 + 044-049, 18-64 = the rest), B17001 poverty, B19013 income, B27010
        uninsured.
      offline: PEP totals for population (the vintage's July 1 estimate; Connecticut as planning
        regions from V2024), PEP county characteristics for age (its vintage's July 1 estimate),
        SAIPE for poverty and median income; no uninsured measure (null, labelled null).
    Age groups come from the age product: in the offline set they add up to that product's
    population, not to total_population (another vintage). Rates are percentages 0-100. -#}
{{ config(materialized='table', tags=['reference']) }}

with

acs as (

    select
        county_fips,
        state_fips,
        county_name,
        total_population,
        population_under_18,
        total_population - population_under_18 - population_65_plus as population_18_64,
        population_65_plus,
        population_below_poverty,
        100.0 * population_below_poverty / nullif(poverty_universe, 0) as poverty_rate_pct,
        median_household_income_usd,
        population_uninsured,
        100.0 * population_uninsured / nullif(insurance_universe, 0) as uninsured_rate_pct
    from {{ ref('stg_census__acs5_county_estimates') }}
    where {{ run_value('demographics_product') }} = 'acs5'

),

pep_population as (

    select fips as county_fips, state_fips, area_name as county_name, total_population
    from {{ ref('stg_census__pep_population_estimates') }}
    where geography_level = 'county'
        and estimate_year = {{ run_value('pep_population_vintage') }}

),

pep_ages as (

    select
        county_fips,
        population_under_5 + population_5_13 + population_14_17 as population_under_18,
        population_18_plus - population_65_plus as population_18_64,
        population_65_plus
    from {{ ref('stg_census__pep_agesex_estimates') }}
    where estimate_year = {{ run_value('pep_agesex_vintage') }}

),

saipe as (

    select fips as county_fips, population_below_poverty, poverty_rate_pct, median_household_income_usd
    from {{ ref('stg_census__saipe_estimates') }}
    where geography_level = 'county'

),

offline as (

    select
        pep_population.county_fips,
        pep_population.state_fips,
        pep_population.county_name,
        pep_population.total_population,
        pep_ages.population_under_18,
        pep_ages.population_18_64,
        pep_ages.population_65_plus,
        saipe.population_below_poverty,
        saipe.poverty_rate_pct,
        saipe.median_household_income_usd,
        cast(null as bigint) as population_uninsured,
        cast(null as double) as uninsured_rate_pct
    from pep_population
    left join pep_ages on pep_population.county_fips = pep_ages.county_fips
    left join saipe on pep_population.county_fips = saipe.county_fips
    where {{ run_value('demographics_product') }} = 'census_offline'

),

chosen as (

    select * from acs
    union all by name
    select * from offline

),

final as (

    select

        ---------- ids
        county_fips,
        state_fips,

        ---------- strings
        county_name,
        {{ run_value('demographics_product') }} as demographics_product,
        {{ demographic_source('total_population') }} as total_population_source,
        {{ demographic_source('population_under_18') }} as population_under_18_source,
        {{ demographic_source('population_18_64') }} as population_18_64_source,
        {{ demographic_source('population_65_plus') }} as population_65_plus_source,
        {{ demographic_source('poverty_rate_pct') }} as poverty_rate_source,
        {{ demographic_source('median_household_income_usd') }} as median_household_income_source,
        {{ demographic_source('uninsured_rate_pct') }} as uninsured_rate_source,

        ---------- numerics
        {{ run_value('acs_year') }} as acs_year,
        total_population,
        population_under_18,
        population_18_64,
        population_65_plus,
        population_below_poverty,
        poverty_rate_pct,
        median_household_income_usd,
        population_uninsured,
        uninsured_rate_pct

    from chosen

)

select * from final
