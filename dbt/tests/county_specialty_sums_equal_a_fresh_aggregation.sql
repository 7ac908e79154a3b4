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

fresh as (

    {{ sum_by_specialty('allocated', 'county_fips', 'sum(weight)') }}

),

kept as (

    select * from {{ ref('int_county_specialties_summed') }}

)

select
    coalesce(kept.county_fips, fresh.county_fips) as county_fips,
    coalesce(kept.specialty_kind, fresh.specialty_kind) as specialty_kind,
    coalesce(kept.specialty_grouping, fresh.specialty_grouping) as specialty_grouping,
    coalesce(kept.specialty_name, fresh.specialty_name) as specialty_name,
    kept.providers as kept_providers,
    fresh.providers as fresh_providers
from kept
full join fresh
    on kept.county_fips = fresh.county_fips
    and kept.specialty_kind = fresh.specialty_kind
    and kept.specialty_grouping = fresh.specialty_grouping
    and kept.specialty_name = fresh.specialty_name
where kept.providers is distinct from fresh.providers
