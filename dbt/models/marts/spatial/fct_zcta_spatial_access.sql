{#- Spatial access per ZCTA and discipline: the E2SFCA index (Luo & Qi 2009; bands and weights
    in seed spatial_access_bands) and the straight-line distance to the nearest provider, with the
    ZCTA's primary county (Census Gazetteer 2023, 2020 counties) and the distance band. -#}

with

access as (

    {%- for discipline in ['primary_care', 'dental', 'mental_health'] %}
    select
        lpad(cast(zcta_number as varchar), 5, '0') as zcta5,
        '{{ discipline }}' as discipline,
        population,
        {{ discipline }}_providers as providers,
        {{ discipline }}_access_per_100k as access_per_100k,
        {{ discipline }}_nearest_provider_miles as nearest_provider_miles
    from {{ ref('int_zcta_access_computed') }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

zctas as (

    select "ZCTA5" as zcta5, "Primary County" as primary_county_fips, "Latitude" as latitude, "Longitude" as longitude
    from {{ ref('gazetteer_2023_zctas') }}

),

final as (

    select

        ---------- ids
        access.zcta5,
        zctas.primary_county_fips,

        ---------- strings
        access.discipline,
        case
            when access.nearest_provider_miles is null then 'no provider'
            when access.nearest_provider_miles <= 10 then '0-10 miles'
            when access.nearest_provider_miles <= 20 then '10-20 miles'
            when access.nearest_provider_miles <= 30 then '20-30 miles'
            when access.nearest_provider_miles <= 60 then '30-60 miles'
            else 'over 60 miles'
        end as nearest_provider_band,

        ---------- dates
        (select max(release_date) from {{ ref('stg_run__nppes_releases') }}) as supply_release_date,

        ---------- numerics
        access.population,
        access.providers,
        access.access_per_100k,
        access.nearest_provider_miles,
        zctas.latitude,
        zctas.longitude

    from access
    inner join zctas on access.zcta5 = zctas.zcta5

)

select * from final
