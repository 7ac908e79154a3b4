{#- Active individual providers kept out of county figures, counted here so none is lost:
    foreign addresses, military (APO/FPO: AA, AE, AP), domestic addresses without a usable ZIP
    or whose ZIP is not in the crosswalk, and shares allocated to a county the ACS vintage does
    not have (e.g. Connecticut's planning regions against an older crosswalk). -#}
with

locations as (

    select * from {{ ref('int_provider_locations_allocated') }}

),

counties as (

    select county_fips from {{ ref('dim_counties') }}

),

outside as (

    select
        case
            when locations.location_class = 'county' then 'county_not_in_acs'
            else locations.location_class
        end as location_class,
        locations.practice_state_code,
        locations.practice_country_code,
        locations.allocation_weight
    from locations
    left join counties on locations.county_fips = counties.county_fips
    where locations.location_class != 'county' or counties.county_fips is null

),

final as (

    select

        ---------- strings
        location_class,
        practice_state_code,
        practice_country_code,

        ---------- numerics
        sum(allocation_weight) as providers

    from outside
    group by all

)

select * from final
