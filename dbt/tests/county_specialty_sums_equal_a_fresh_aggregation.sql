{#- Incremental equals full: the county-specialty sums a weekly build keeps by adding what it
    wrote and subtracting what it replaced equal a fresh aggregation of the allocation table.
    Exact (decimal weights), so any difference is a defect. A re-baseline computes both the
    same way: build_args skips this (tag incremental_audit) there. -#}
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

)

{{ specialty_sums_differ('kept', 'fresh', 'county_fips') }}
