{#- Census SAIPE (Small Area Income and Poverty Estimates), one row per state or county; '.'
    marks an estimate SAIPE does not publish. -#}
with

source as (

    select * from {{ source('census', 'saipe') }}

),

renamed as (

    select

        ---------- ids
        case
            when trim("County FIPS Code") = '000' then lpad(trim("State FIPS Code"), 2, '0')
            else lpad(trim("State FIPS Code"), 2, '0') || lpad(trim("County FIPS Code"), 3, '0')
        end as fips,
        lpad(trim("State FIPS Code"), 2, '0') as state_fips,

        ---------- strings
        case
            when trim("State FIPS Code") = '00' then 'nation'
            when trim("County FIPS Code") = '000' then 'state'
            else 'county'
        end as geography_level,
        trim("Postal Code") as state_code,
        trim("Name") as area_name,
        _source_file as source_file,

        ---------- numerics
        {{ census_number('Poverty Estimate, All Ages', 'bigint') }} as population_below_poverty,
        {{ census_number('Poverty Percent, All Ages', 'double') }} as poverty_rate_pct,
        {{ census_number('Median Household Income', 'bigint') }} as median_household_income_usd,

        ---------- timestamps
        _loaded_at as loaded_at

    from source

)

select * from renamed
