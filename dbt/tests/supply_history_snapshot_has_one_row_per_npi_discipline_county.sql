{#- int_discipline_locations_snapshotted's grain (one row per NPI, discipline and county), checked
    for the NPIs whose rows this build may have replaced: all on a re-baseline; on a weekly build
    the NPIs the step compared (macro compared_npis: those the build rewrote and the pending
    ones; pending is rebuilt after this test, which dbt build runs before the snapshot's
    children). The model deletes and appends the rows of those NPIs only, so a duplicate among
    any other NPI's rows would have been there, and failed this test, in the build that wrote
    them: no need to group the whole snapshot (3 M rows at national size) every week. -#}
select npi, discipline, county_fips, count(*) as rows_in_group
from {{ ref('int_discipline_locations_snapshotted') }}
where {{ run_value('is_rebaseline') }}
    or npi in ({{ compared_npis() }})
group by npi, discipline, county_fips
having count(*) > 1
