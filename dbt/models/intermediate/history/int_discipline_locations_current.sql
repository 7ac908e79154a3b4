{#- Where each provider of an access discipline (seed access_disciplines) is counted now: the
    county weights of int_provider_locations_allocated (active individuals, weights summing to 1
    per provider over its counties) by discipline, as exact decimals so that sums of differences
    equal differences of sums. applied_run_id: the run that wrote the provider's rows (a weekly
    run rewrites only the NPIs it changed). -#}

with

locations as (

    select npi, county_fips, applied_run_id, allocation_weight, unnest(specialty_groups) as specialty_group
    from {{ ref('int_provider_locations_allocated') }}
    where location_class = 'county'

),

disciplines as (

    select * from {{ ref('access_disciplines') }}

),

final as (

    select
        locations.npi,
        disciplines.discipline,
        locations.county_fips,
        locations.applied_run_id,
        sum({{ exact_weight('locations.allocation_weight') }}) as weight
    from locations
    inner join disciplines on locations.specialty_group = disciplines.specialty_group
    group by locations.npi, disciplines.discipline, locations.county_fips, locations.applied_run_id

)

select * from final
