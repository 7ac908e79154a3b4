{#- Each rurality level of fct_rurality_access partitions the counties of fct_county_access: its
    groups' counties, people and primary-care providers add up to the county mart's totals, and
    both levels (metro_status, rucc_2023) are there. -#}
with

totals as (

    select count(*) as counties, coalesce(sum(total_population), 0) as total_population,
        coalesce(sum(primary_care_providers), 0) as primary_care_providers
    from {{ ref('fct_county_access') }}

),

levels as (

    select rurality_level, sum(counties) as counties, coalesce(sum(total_population), 0) as total_population,
        coalesce(sum(primary_care_providers), 0) as primary_care_providers
    from {{ ref('fct_rurality_access') }}
    group by rurality_level

)

select levels.*
from levels cross join totals
where levels.counties != totals.counties
    or levels.total_population != totals.total_population
    or abs(levels.primary_care_providers - totals.primary_care_providers) > 1e-6
union all
select 'levels missing', null, null, null
where (select count(distinct rurality_level) from levels) != 2 and (select counties from totals) > 0
