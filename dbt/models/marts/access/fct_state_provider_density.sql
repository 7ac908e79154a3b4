{#- Provider density per state (DC and territories with demographics or providers): active
    individual providers by practice-location state, clinicians among them and the uncertain
    supply (residents, stale records), per 100,000 people and people per provider, overall and
    per HRSA specialty group. Providers whose ZIP could not be placed in a county still count
    for their state; military and foreign addresses do not. A territory with providers and no
    demographics (the offline products cover the 50 states and DC) is listed with null
    population and rates. D12: this is practice-state geography, so the county marts of a state
    need not add up to it (a ZIP can lie in a county of another state). -#}
with

states as (

    select * from {{ ref('us_states') }}

),

demographics as (

    select * from {{ ref('int_state_demographics') }}

),

all_providers as (

    select
        state_fips,
        count(*) as providers,
        {%- for s in supply_flags() %}
        count(*) filter (where {{ s.flag }}) as {{ s.name }}{{ ',' if not loop.last }}
        {%- endfor %}
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
        demographics.total_population_source,

        ---------- numerics
        demographics.acs_year,
        demographics.total_population,
        coalesce(all_providers.providers, 0) as individual_providers,
        {{ per_100k('coalesce(all_providers.providers, 0)', 'demographics.total_population') }} as individual_providers_per_100k,
        {{ people_per('demographics.total_population', 'all_providers.providers') }} as people_per_individual_provider,
        {%- for s in supply_flags() %}
        coalesce(all_providers.{{ s.name }}, 0) as {{ s.name }},
        {%- endfor %}
        {{ per_100k('coalesce(all_providers.clinicians, 0)', 'demographics.total_population') }} as clinicians_per_100k,
        {{ people_per('demographics.total_population', 'all_providers.clinicians') }} as people_per_clinician,
        100.0 * all_providers.stale_records / nullif(all_providers.providers, 0) as stale_records_pct,
        {%- for g in provider_groups() %}
        coalesce(groups_wide.{{ g.plural }}, 0) as {{ g.plural }},
        {{ per_100k('coalesce(groups_wide.' ~ g.plural ~ ', 0)', 'demographics.total_population') }} as {{ g.plural }}_per_100k,
        {{ people_per('demographics.total_population', 'groups_wide.' ~ g.plural) }} as people_per_{{ g.singular }}{{ ',' if not loop.last }}
        {%- endfor %}

    from states
    left join demographics on states.state_fips = demographics.state_fips
    left join all_providers on states.state_fips = all_providers.state_fips
    left join groups_wide on states.state_fips = groups_wide.state_fips
    where demographics.state_fips is not null or all_providers.state_fips is not null

)

select * from final
