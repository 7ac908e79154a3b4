{#- Supply per county and HRSA specialty group: the headcount (allocation weights of active
    individual providers, as fct_county_access counts them) and the FTE-weighted count, each
    provider weighted by seed supply_fte_weights: a resident (is_resident) 0.1, else a stale
    record (is_stale) 0.5, else 1. A table: read by the practitioners-needed mart and its
    unit test gives it rows. -#}
{{ config(materialized='table') }}

with

weights as (

    select
        max(fte) filter (where supply_flag = 'resident') as resident_fte,
        max(fte) filter (where supply_flag = 'stale_record') as stale_fte,
        max(fte) filter (where supply_flag = 'active_clinician') as other_fte
    from {{ ref('supply_fte_weights') }}

),

allocated as (

    select
        county_fips,
        unnest(specialty_groups) as provider_group,
        allocation_weight,
        case
            when is_resident then weights.resident_fte
            when is_stale then weights.stale_fte
            else weights.other_fte
        end as fte
    from {{ ref('int_provider_locations_allocated') }}
    cross join weights
    where location_class = 'county'

),

summed as (

    select
        county_fips,
        provider_group,
        fsum(allocation_weight) as providers,
        fsum(allocation_weight * fte) as providers_fte
    from allocated
    group by all

)

select * from summed
