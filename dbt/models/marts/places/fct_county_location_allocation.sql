{#- What the allocation mode changes per county: active individual providers and clinicians
    counted at the primary practice address and spread in equal shares over every practice
    location (primary + pl_pfile secondary ones). The current mode's numbers are
    fct_county_access's; the other mode's are those plus (or minus) the change computed in
    int_provider_locations_compared for the providers with a secondary location. Counties the
    crosswalk does not reach (coverage none) have unknown counts: null. -#}
with

counties as (

    select * from {{ ref('fct_county_access') }}

),

changes as (

    select
        county_fips,
        fsum(all_locations_weight - primary_address_weight) as providers_change,
        coalesce(fsum(all_locations_weight - primary_address_weight) filter (where is_clinician), 0) as clinicians_change,
        {#- one row per npi, county and location class (its unique_combination test): a count, not a distinct count -#}
        count(*) filter (where all_locations_weight > primary_address_weight) as providers_gaining_share
    from {{ ref('int_provider_locations_compared') }}
    where location_class = 'county'
    group by county_fips

),

mode as (

    select {{ spreads_over_all_locations() }} as is_all_locations

),

final as (

    select

        ---------- ids
        counties.county_fips,
        counties.state_fips,

        ---------- strings
        counties.county_name,
        counties.state_code,
        case when mode.is_all_locations then 'all_locations' else 'primary' end as location_allocation,

        ---------- numerics
        counties.total_population,
        {%- for measure in ['providers', 'clinicians'] %}
        {%- set current = 'counties.individual_providers' if measure == 'providers' else 'counties.clinicians' %}
        {%- set change = 'case when counties.crosswalk_coverage != \'none\' then coalesce(changes.' ~ measure ~ '_change, 0) end' %}
        {{ current }} - case when mode.is_all_locations then {{ change }} else 0 end as {{ measure }}_primary_address,
        {{ current }} + case when mode.is_all_locations then 0 else {{ change }} end as {{ measure }}_all_locations,
        {{ change }} as {{ measure }}_change,
        {%- endfor %}
        coalesce(changes.providers_gaining_share, 0) as providers_gaining_share,

        ---------- booleans
        abs(coalesce(changes.providers_change, 0)) > 1e-9 as is_changed

    from counties
    cross join mode
    left join changes on counties.county_fips = changes.county_fips

)

select * from final
