{#- Provider density per state (and DC and territories with ACS estimates): active individual
    providers by practice-location state, per 100,000 people and people per provider, overall
    and per HRSA specialty group. Providers whose ZIP could not be placed in a county still
    count for their state; military and foreign addresses do not. -#}
with

states as (

    select * from {{ ref('us_states') }}

),

estimates as (

    select * from {{ ref('stg_census__acs5_state_estimates') }}

),

all_providers as (

    select state_fips, count(*) as providers
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual and location_class = 'domestic'
    group by state_fips

),

groups_wide as (

    select
        state_fips,
        {%- for g in provider_groups() %}
        cast(sum(providers) filter (where specialty_name = '{{ g.group }}') as bigint) as {{ g.plural }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_state_specialties_summed') }}
    where specialty_kind = 'group'
    group by state_fips

),

final as (

    select

        ---------- ids
        states.state_fips,

        ---------- strings
        states.state_code,
        states.state_name,
        states.census_region_name,
        states.census_division_name,

        ---------- numerics
        estimates.acs_year,
        estimates.total_population,
        coalesce(all_providers.providers, 0) as individual_providers,
        {{ per_100k('coalesce(all_providers.providers, 0)', 'estimates.total_population') }} as individual_providers_per_100k,
        {{ people_per('estimates.total_population', 'all_providers.providers') }} as people_per_individual_provider,
        {%- for g in provider_groups() %}
        coalesce(groups_wide.{{ g.plural }}, 0) as {{ g.plural }},
        {{ per_100k('coalesce(groups_wide.' ~ g.plural ~ ', 0)', 'estimates.total_population') }} as {{ g.plural }}_per_100k,
        {{ people_per('estimates.total_population', 'groups_wide.' ~ g.plural) }} as people_per_{{ g.singular }}{{ ',' if not loop.last }}
        {%- endfor %}

    from states
    left join estimates on states.state_fips = estimates.state_fips
    left join all_providers on states.state_fips = all_providers.state_fips
    left join groups_wide on states.state_fips = groups_wide.state_fips
    where estimates.state_fips is not null or all_providers.state_fips is not null

)

select * from final
