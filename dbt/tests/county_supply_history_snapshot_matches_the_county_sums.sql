{#- The per-NPI snapshot the next history step diffs against (kept per NPI: delete + append of
    the NPIs a run changed) sums, per county and discipline, to the county sums kept
    incrementally by int_county_specialties_summed: two independent paths to the same supply.
    If the snapshot drifts, the next step's flows stop accounting for its net change. -#}

with

snapshot as (

    select county_fips, discipline, sum(weight) as providers
    from {{ ref('int_discipline_locations_snapshotted') }}
    group by county_fips, discipline

),

current_sums as (

    select sums.county_fips, disciplines.discipline, sums.providers
    from {{ ref('int_county_specialties_summed') }} as sums
    inner join {{ ref('access_disciplines') }} as disciplines
        on sums.specialty_kind = 'group' and sums.specialty_name = disciplines.specialty_group

)

select
    coalesce(snapshot.county_fips, current_sums.county_fips) as county_fips,
    coalesce(snapshot.discipline, current_sums.discipline) as discipline,
    snapshot.providers,
    current_sums.providers as expected
from snapshot
full outer join current_sums
    on snapshot.county_fips = current_sums.county_fips and snapshot.discipline = current_sums.discipline
where coalesce(snapshot.providers, 0) != coalesce(current_sums.providers, 0)
