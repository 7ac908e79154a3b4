{#- Coverage: every county of the demographics vintage with people receives crosswalk weight
    from at least one ZIP (directly or through seed county_fips_harmonization), unless seed
    counties_without_crosswalk documents why not. A county with people and no ZIP is an input
    mismatch (crosswalk and demographics of different geographies), not a county without
    providers: its screens are null, and the build fails until the mismatch is resolved. -#}
{{ config(tags=['reference']) }}

select counties.county_fips, counties.county_name, counties.total_population
from {{ ref('dim_counties') }} as counties
left join {{ ref('counties_without_crosswalk') }} as documented
    on counties.county_fips = documented.county_fips
where counties.total_population > 0
    and counties.crosswalk_coverage = 'none'
    and documented.county_fips is null
