{#- Allocation weight of each ZIP's providers to the counties of the demographics vintage,
    summing to 1 per ZIP.
    1. HUD rows: the pseudo-county 99999 and empty codes are dropped before anything else, so
       they never take weight.
    2. BUS_RATIO (share of the ZIP's business addresses) suits practice locations. HUD's ratios
       are rounded, so they are rescaled to sum to exactly 1; a ZIP whose business ratios are
       all zero (no business addresses) falls back to TOT_RATIO, and one with no ratio at all
       splits evenly.
    3. The crosswalk carries the geography of its own quarter. A crosswalk county the
       demographics vintage lacks is mapped onto the vintage's counties through seed
       county_fips_harmonization (weight = share of the from-county's people living in each
       to-county; only to-counties in the vintage, weights renormalised): 02063 + 02066 ->
       02261 against an older vintage, 09001 -> the planning regions against a newer one.
       geography_basis says whether a county's weight came straight from the crosswalk or
       through the seed.
    4. A crosswalk county still not in the vintage keeps its code and weight with a class:
       territory_not_in_demographics when the vintage has no county of its state or territory
       (PR, GU, VI, ... in the offline products), else county_not_in_demographics.
    Rows with weight 0 are dropped. -#}
{{ config(materialized='table', tags=['reference']) }}

with

crosswalk as (

    select zip5, county_fips, business_ratio, total_ratio
    from {{ ref('stg_hud__zip_counties') }}
    where county_fips != '99999'
        and regexp_full_match(county_fips, '[0-9]{5}')
        and county_fips != '00000'

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

),

vintage as (

    select county_fips, state_fips from {{ ref('int_county_demographics') }}

),

harmonisation as (

    {{ counties_harmonised_to_vintage() }}

),

territories as (

    select state_fips from {{ ref('us_states') }}
    where census_region_code is null
        and state_fips not in (select state_fips from vintage)

),

mapped as (

    select
        weighted.zip5,
        coalesce(vintage.county_fips, harmonisation.to_fips, weighted.county_fips) as county_fips,
        case
            when vintage.county_fips is not null or harmonisation.to_fips is not null then 'county'
            when left(weighted.county_fips, 2) in (select state_fips from territories) then 'territory_not_in_demographics'
            else 'county_not_in_demographics'
        end as county_class,
        case
            when vintage.county_fips is not null then 'crosswalk'
            when harmonisation.to_fips is not null then 'harmonised'
        end as geography_basis,
        weighted.weight_basis,
        weighted.allocation_weight * coalesce(harmonisation.weight, 1.0) as allocation_weight
    from weighted
    left join vintage on weighted.county_fips = vintage.county_fips
    left join harmonisation
        on vintage.county_fips is null
        and weighted.county_fips = harmonisation.from_fips

),

final as (

    select
        zip5,
        county_fips,
        county_class,
        {#- a county reached both ways (51019 from 51019 and from 51515) counts as direct #}
        case when bool_or(geography_basis = 'crosswalk') then 'crosswalk' else max(geography_basis) end as geography_basis,
        min(weight_basis) as weight_basis,
        sum(allocation_weight) as allocation_weight
    from mapped
    group by zip5, county_fips, county_class

)

select * from final
where allocation_weight > 0
