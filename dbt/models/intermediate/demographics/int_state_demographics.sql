{#- The demographics of every state (DC and Puerto Rico where the product has them) of the
    build's product, in the contract of int_county_demographics. ACS: the vintage's state rows.
    Offline: PEP state totals and SAIPE state rows; age groups summed from the PEP county rows
    (the county characteristics file has no state rows). -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
{{ config(materialized='table', tags=['reference']) }}

with

acs as (

    select
        state_fips,
        state_name,
        {{ acs_contract_measures() }}
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

    {{ offline_contract_rows('state_fips', ['state_fips', 'state_name']) }}

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
        {{ demographic_contract_columns() }}

    from chosen

)

select * from final
