{#- Census PEP county characteristics by age (cc-est<vintage>-agesex), one row per county per
    YEAR code: 1 is the April 1 2020 estimates base, 2.. the July 1 estimates of 2020.. (so
    estimate_year = 2018 + YEAR for the vintages of this decade). County rows only. -#}
with

source as (

    select * from {{ source('census', 'pep_agesex') }}

),

renamed as (

    select

        ---------- ids
        lpad(trim("STATE"), 2, '0') || lpad(trim("COUNTY"), 3, '0') as county_fips,
        lpad(trim("STATE"), 2, '0') as state_fips,

        ---------- strings
        trim("CTYNAME") as county_name,
        trim("STNAME") as state_name,
        _source_file as source_file,

        ---------- numerics
        cast(trim("YEAR") as integer) as estimate_code,
        case when cast(trim("YEAR") as integer) >= 2 then 2018 + cast(trim("YEAR") as integer) end as estimate_year,
        {{ census_number('POPESTIMATE', 'bigint') }} as total_population,
        {{ census_number('UNDER5_TOT', 'bigint') }} as population_under_5,
        {{ census_number('AGE513_TOT', 'bigint') }} as population_5_13,
        {{ census_number('AGE1417_TOT', 'bigint') }} as population_14_17,
        {{ census_number('AGE18PLUS_TOT', 'bigint') }} as population_18_plus,
        {{ census_number('AGE65PLUS_TOT', 'bigint') }} as population_65_plus,
        {{ census_number('MEDIAN_AGE_TOT', 'double') }} as median_age_years,

        ---------- timestamps
        _loaded_at as loaded_at

    from source

)

select * from renamed
