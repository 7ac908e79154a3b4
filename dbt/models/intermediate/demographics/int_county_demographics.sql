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
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
{{ config(materialized='table', tags=['reference']) }}

with

acs as (

    select
        county_fips,
        state_fips,
        county_name,
        {{ acs_contract_measures() }}
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

    {{ offline_contract_rows('county_fips', ['county_fips', 'state_fips', 'county_name']) }}

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
        {{ demographic_contract_columns() }}

    from chosen

)

select * from final
