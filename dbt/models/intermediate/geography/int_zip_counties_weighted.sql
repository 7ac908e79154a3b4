{#- Allocation weight of each ZIP's providers to the counties it overlaps, summing to 1 per ZIP.
    BUS_RATIO (share of the ZIP's business addresses) suits practice locations. HUD's ratios
    are rounded, so they are rescaled to sum to exactly 1; a ZIP whose business ratios are all
    zero (no business addresses) falls back to TOT_RATIO, and one with no ratio at all splits
    evenly. Counties with weight 0 are dropped. -#}
{{ config(materialized='table', tags=['reference']) }}

with

crosswalk as (

    select zip5, county_fips, business_ratio, total_ratio
    from {{ ref('stg_hud__zip_counties') }}

),

totals as (

    select
        *,
        sum(business_ratio) over (partition by zip5) as zip_business_ratio,
        sum(total_ratio) over (partition by zip5) as zip_total_ratio,
        count(*) over (partition by zip5) as zip_counties
    from crosswalk

),

weighted as (

    select
        zip5,
        county_fips,
        case
            when zip_business_ratio > 0 then 'business_ratio'
            when zip_total_ratio > 0 then 'total_ratio'
            else 'even_split'
        end as weight_basis,
        case
            when zip_business_ratio > 0 then business_ratio / zip_business_ratio
            when zip_total_ratio > 0 then total_ratio / zip_total_ratio
            else 1.0 / zip_counties
        end as allocation_weight
    from totals

)

select * from weighted
where allocation_weight > 0
