{#- Every active organisation with a safety-net primary taxonomy is placed once: the county
    counts of fct_county_safety_net plus those placed outside counties equal the organisations
    int_providers_classified holds, per type. -#}
with

expected as (

    select codes.safety_net_type, count(*) as organisations
    from {{ ref('int_providers_classified') }} as classified
    inner join {{ ref('safety_net_taxonomies') }} as codes on classified.primary_taxonomy_code = codes.taxonomy_code
    where classified.is_active and classified.entity_type_code = '2'
    group by all

),

counted as (

    select 'fqhc' as safety_net_type, sum(fqhcs) as organisations from {{ ref('fct_county_safety_net') }}
    union all
    select 'rural_health_clinic', sum(rural_health_clinics) from {{ ref('fct_county_safety_net') }}
    union all
    select 'community_mental_health_center', sum(community_mental_health_centers) from {{ ref('fct_county_safety_net') }}
    union all
    select safety_net_type, count(*) from {{ ref('int_safety_net_organisations_placed') }}
    where location_class != 'county' group by all

),

totals as (

    select safety_net_type, sum(organisations) as organisations from counted group by all

)

select coalesce(expected.safety_net_type, totals.safety_net_type) as safety_net_type,
    expected.organisations as expected_organisations, totals.organisations as counted_organisations
from expected
full join totals on expected.safety_net_type = totals.safety_net_type
where coalesce(expected.organisations, 0) != coalesce(totals.organisations, 0)
