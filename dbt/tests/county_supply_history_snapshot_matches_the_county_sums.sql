{#- The per-NPI state the next step of the supply history measures its flows from, against two
    sets of county sums (per county and discipline):
    - the last step's providers: the snapshot is the locations as of that step, or the next
      step's net change (providers - the last step's) would hold a change its flows cannot see;
    - the sums kept incrementally by int_county_specialties_summed, an independent path to the
      supply now: the snapshot with the NPIs changed since the last step
      (int_discipline_locations_pending) taken as they are now.
    Both read the whole snapshot: like the other checks that read reference seeds, this one runs
    on re-baselines (where builds that record no step happen) and not on weekly builds. -#}

with

pending as (

    select npi from {{ ref('int_discipline_locations_pending') }}

),

snapshot_rows as (

    select npi, county_fips, discipline, weight from {{ ref('int_discipline_locations_snapshotted') }}

),

state_now as (

    select county_fips, discipline, weight
    from snapshot_rows
    where npi not in (select npi from pending)

    union all

    select county_fips, discipline, weight
    from {{ ref('int_discipline_locations_current') }}
    where npi in (select npi from pending)

),

at_last_step as (

    select county_fips, discipline, sum(weight) as providers
    from snapshot_rows
    group by county_fips, discipline

),

now as (

    select county_fips, discipline, sum(weight) as providers
    from state_now
    group by county_fips, discipline

),

last_step as (

    select county_fips, discipline, providers
    from {{ ref('fct_county_supply_history') }}
    where release_date = (select max(release_date) from {{ ref('fct_county_supply_history') }})
        and providers != 0

),

kept_sums as (

    select sums.county_fips, disciplines.discipline, sums.providers
    from {{ ref('int_county_specialties_summed') }} as sums
    inner join {{ ref('access_disciplines') }} as disciplines
        on sums.specialty_kind = 'group' and sums.specialty_name = disciplines.specialty_group

),

{%- for name, mine, theirs in [('last_step', 'at_last_step', 'last_step'), ('kept_sums', 'now', 'kept_sums')] %}

differs_from_{{ name }} as (

    select
        '{{ name }}' as compared_with,
        coalesce({{ mine }}.county_fips, {{ theirs }}.county_fips) as county_fips,
        coalesce({{ mine }}.discipline, {{ theirs }}.discipline) as discipline,
        {{ mine }}.providers,
        {{ theirs }}.providers as expected
    from {{ mine }}
    full outer join {{ theirs }}
        on {{ mine }}.county_fips = {{ theirs }}.county_fips and {{ mine }}.discipline = {{ theirs }}.discipline
    where coalesce({{ mine }}.providers, 0) != coalesce({{ theirs }}.providers, 0)

){{ ',' if not loop.last }}

{%- endfor %}

select * from differs_from_last_step
union all
select * from differs_from_kept_sums
