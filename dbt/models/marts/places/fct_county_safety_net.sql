{#- Safety-net organisations per county beside the shortage screens and what closes them:
    counts of active FQHCs, rural health clinics and community mental health centers
    (int_safety_net_organisations_placed), the three screens and the primary-care and
    mental-health practitioners needed (fct_county_practitioners_needed, headcount). -#}
with

counties as (

    select * from {{ ref('fct_county_access') }}

),

organisations as (

    select
        county_fips,
        count(*) filter (where safety_net_type = 'fqhc') as fqhcs,
        count(*) filter (where safety_net_type = 'rural_health_clinic') as rural_health_clinics,
        count(*) filter (where safety_net_type = 'community_mental_health_center') as community_mental_health_centers,
        count(*) as safety_net_organisations
    from {{ ref('int_safety_net_organisations_placed') }}
    where location_class = 'county'
    group by county_fips

),

needed as (

    select
        county_fips,
        max(practitioners_needed) filter (where measure = 'primary_care') as primary_care_practitioners_needed,
        max(practitioners_needed) filter (where measure = 'core_mental_health') as core_mental_health_practitioners_needed
    from {{ ref('fct_county_practitioners_needed') }}
    group by county_fips

),

final as (

    select

        ---------- ids
        counties.county_fips,
        counties.state_fips,

        ---------- strings
        counties.county_name,
        counties.state_code,

        ---------- numerics
        counties.total_population,
        coalesce(organisations.fqhcs, 0) as fqhcs,
        coalesce(organisations.rural_health_clinics, 0) as rural_health_clinics,
        coalesce(organisations.community_mental_health_centers, 0) as community_mental_health_centers,
        coalesce(organisations.safety_net_organisations, 0) as safety_net_organisations,
        needed.primary_care_practitioners_needed,
        needed.core_mental_health_practitioners_needed,

        ---------- booleans
        counties.is_primary_care_shortage,
        counties.is_dental_shortage,
        counties.is_mental_health_shortage

    from counties
    left join organisations on counties.county_fips = organisations.county_fips
    left join needed on counties.county_fips = needed.county_fips

)

select * from final
