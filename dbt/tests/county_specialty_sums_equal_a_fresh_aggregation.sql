{#- Incremental equals full: the county-specialty sums a weekly build keeps by adding what it
    wrote and subtracting what it replaced equal a fresh aggregation of the allocation table,
    and the mart analysts read (fct_county_specialty_providers: the same sums as doubles) holds
    exactly those sums. Exact (decimal weights), so any difference is a defect. Reading the mart
    also keeps this audit off the build's critical path: dbt build holds a model until the tests
    of all its parents have passed, and as a test of int_county_specialties_summed alone it held
    every county mart for its ~0.9 s at national size. A re-baseline computes both the same way:
    build_args skips this (tag incremental_audit) there. -#}
{{ config(tags=['incremental_audit']) }}

with

allocated as (

    select county_fips, taxonomy_grouping, taxonomy_classification, specialty_groups,
        {{ exact_weight('allocation_weight') }} as weight
    from {{ ref('int_provider_locations_allocated') }}
    where location_class = 'county'

),

{#- grouped once on every key sum_by_specialty reads (its two sums then read ~1e5 rows, not
    two passes over every allocation row): exact, decimal sums do not depend on grouping -#}
grouped as (

    select county_fips, taxonomy_grouping, taxonomy_classification, specialty_groups, sum(weight) as weight
    from allocated
    group by all

),

fresh as (

    {{ sum_by_specialty('grouped', 'county_fips', 'sum(weight)') }}

),

kept as (

    select * from {{ ref('int_county_specialties_summed') }}

),

mart as (

    select county_fips, specialty_kind, specialty_grouping, specialty_name, providers
    from {{ ref('fct_county_specialty_providers') }}

),

kept_differs as (

    {{ specialty_sums_differ('kept', 'fresh', 'county_fips') }}

),

kept_as_doubles as (

    select county_fips, specialty_kind, specialty_grouping, specialty_name, cast(providers as double) as providers
    from kept

),

mart_differs as (

    {{ specialty_sums_differ('mart', 'kept_as_doubles', 'county_fips', 'mart', 'kept') }}

)

select * from kept_differs
union all by name
select * from mart_differs
