{#- Active individual providers per county and specialty, for every NUCC classification (by
    primary taxonomy, keyed by grouping and classification) and every HRSA specialty group.
    Only county-specialty pairs with providers are listed; fct_county_access has the groups for
    every county, zeros included. A left join: a county missing from dim_counties would keep
    its rows and fail the relationships test instead of vanishing. -#}
with

counts as (

    {#- exact decimal sums in the warehouse; a float is what readers expect -#}
    select county_fips, specialty_kind, specialty_grouping, specialty_name, cast(providers as double) as providers
    from {{ ref('int_county_specialties_summed') }}

),

counties as (

    select county_fips, state_fips, county_name, total_population from {{ ref('dim_counties') }}

),

final as (

    select

        ---------- ids
        counts.county_fips,
        counties.state_fips,

        ---------- strings
        counts.specialty_kind,
        counts.specialty_grouping,
        counts.specialty_name,
        counties.county_name,

        ---------- numerics
        counties.total_population,
        counts.providers,
        {{ per_100k('counts.providers', 'counties.total_population') }} as providers_per_100k,
        {{ people_per('counties.total_population', 'counts.providers') }} as people_per_provider

    from counts
    left join counties on counts.county_fips = counties.county_fips

)

select * from final
