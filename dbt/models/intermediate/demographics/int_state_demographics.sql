{#- The demographics of every state (DC and Puerto Rico where the product has them) of the
    build's product, in the contract of int_county_demographics. ACS: the vintage's state rows.
    Offline: PEP state totals and SAIPE state rows; age groups summed from the PEP county rows
    (the county characteristics file has no state rows). -#}
{{ config(materialized='table', tags=['reference']) }}

with

acs as (

    select
        state_fips,
        state_name,
        total_population,
        population_under_18,
        total_population - population_under_18 - population_65_plus as population_18_64,
        population_65_plus,
        population_below_poverty,
        100.0 * population_below_poverty / nullif(poverty_universe, 0) as poverty_rate_pct,
        median_household_income_usd,
        population_uninsured,
        100.0 * population_uninsured / nullif(insurance_universe, 0) as uninsured_rate_pct
    from {{ ref('stg_census__acs5_state_estimates') }}
    where {{ run_value('demographics_product') }} = 'acs5'

),

pep_population as (

    select fips as state_fips, area_name as state_name, total_population
    from {{ ref('stg_census__pep_population_estimates') }}
    where geography_level = 'state'
        and estimate_year = {{ run_value('pep_population_vintage') }}

),

pep_ages as (

    select
        state_fips,
        sum(population_under_5 + population_5_13 + population_14_17) as population_under_18,
        sum(population_18_plus - population_65_plus) as population_18_64,
        sum(population_65_plus) as population_65_plus
    from {{ ref('stg_census__pep_agesex_estimates') }}
    where estimate_year = {{ run_value('pep_agesex_vintage') }}
    group by state_fips

),

saipe as (

    select state_fips, population_below_poverty, poverty_rate_pct, median_household_income_usd
    from {{ ref('stg_census__saipe_estimates') }}
    where geography_level = 'state'

),

offline as (

    select
        pep_population.state_fips,
        pep_population.state_name,
        pep_population.total_population,
        cast(pep_ages.population_under_18 as bigint) as population_under_18,
        cast(pep_ages.population_18_64 as bigint) as population_18_64,
        cast(pep_ages.population_65_plus as bigint) as population_65_plus,
        saipe.population_below_poverty,
        saipe.poverty_rate_pct,
        saipe.median_household_income_usd,
        cast(null as bigint) as population_uninsured,
        cast(null as double) as uninsured_rate_pct
    from pep_population
    left join pep_ages on pep_population.state_fips = pep_ages.state_fips
    left join saipe on pep_population.state_fips = saipe.state_fips
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
        state_fips,

        ---------- strings
        state_name,
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
