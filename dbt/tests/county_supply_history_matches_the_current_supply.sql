{#- The step this build appended equals the current county sums (int_county_specialties_summed,
    kept incrementally by weekly builds or rebuilt by a re-baseline): incremental history equals
    a full count. Steps of earlier builds are not compared: their supply is history. -#}
with

step as (

    select county_fips, discipline, providers
    from {{ ref('fct_county_supply_history') }}
    where recorded_run_id = {{ run_value('run_id') }}

),

current_sums as (

    select sums.county_fips, disciplines.discipline, sums.providers
    from {{ ref('int_county_specialties_summed') }} as sums
    inner join {{ ref('access_disciplines') }} as disciplines
        on sums.specialty_kind = 'group' and sums.specialty_name = disciplines.specialty_group

)

select coalesce(step.county_fips, current_sums.county_fips) as county_fips, step.providers, current_sums.providers as expected
from step
full outer join current_sums
    on step.county_fips = current_sums.county_fips and step.discipline = current_sums.discipline
where (select count(*) from step) > 0
    and coalesce(step.providers, 0) != coalesce(current_sums.providers, 0)
