{#- Counties ranked by a composite of the shortage screens, provider scarcity and demographic
    need (weights in seed underserved_score_weights; docs/marts.md has the formula):
      shortage_screens  = disciplines whose shortage screen is met / 3
      provider_scarcity = mean percentile rank of people per primary care provider, dentist and
                          core mental health provider (no provider ranks highest)
      demographic_need  = mean percentile rank of poverty, uninsured and 65+ percentages
                          (unknown ranks lowest)
      underserved_score = 100 * sum(weight * component), 0-100
    Percentile ranks are over counties with people. Rank 1 is the most underserved; ties go to
    the larger population (more people affected), then the FIPS code. -#}
with

access as (

    select * from {{ ref('fct_county_access') }}
    where total_population > 0

),

counties as (

    select county_fips, uninsured_rate_pct, population_65_plus_pct, median_household_income_usd
    from {{ ref('dim_counties') }}

),

weights as (

    select * from {{ ref('underserved_score_weights') }}

),

components as (

    select
        access.*,
        counties.uninsured_rate_pct,
        counties.population_65_plus_pct,
        counties.median_household_income_usd,
        {%- set disciplines = shortage_disciplines() %}
        ({% for d in disciplines %}coalesce(access.is_{{ d }}_shortage, false)::int{{ ' + ' if not loop.last }}{% endfor %}) as shortage_screens_met,
        {%- set scarcity = ['people_per_primary_care_provider', 'people_per_dentist', 'people_per_core_mental_health_provider'] %}
        ({% for column in scarcity %}
            percent_rank() over (order by coalesce({{ column }}, 'infinity'::double)){{ ' + ' if not loop.last }}
        {%- endfor %}) / {{ scarcity | length }} as provider_scarcity_score,
        {%- set need = ['access.poverty_rate_pct', 'counties.uninsured_rate_pct', 'counties.population_65_plus_pct'] %}
        ({% for column in need %}
            percent_rank() over (order by {{ column }} nulls first){{ ' + ' if not loop.last }}
        {%- endfor %}) / {{ need | length }} as demographic_need_score
    from access
    left join counties on access.county_fips = counties.county_fips

),

scored as (

    select
        components.*,
        shortage_screens_met / {{ disciplines | length }}.0 as shortage_screens_score,
        100 * (
            (select weight from weights where component = 'shortage_screens') * shortage_screens_met / {{ disciplines | length }}.0
            + (select weight from weights where component = 'provider_scarcity') * provider_scarcity_score
            + (select weight from weights where component = 'demographic_need') * demographic_need_score
        ) as underserved_score
    from components

),

final as (

    select

        ---------- ids
        county_fips,
        state_fips,
        row_number() over (order by underserved_score desc, total_population desc, county_fips) as underserved_rank,

        ---------- strings
        county_name,
        state_code,

        ---------- numerics
        underserved_score,
        shortage_screens_score,
        provider_scarcity_score,
        demographic_need_score,
        shortage_screens_met,
        total_population,
        poverty_rate_pct,
        uninsured_rate_pct,
        population_65_plus_pct,
        median_household_income_usd,
        people_per_primary_care_provider,
        people_per_dentist,
        people_per_core_mental_health_provider,

        ---------- booleans
        is_high_need,
        is_primary_care_shortage,
        is_dental_shortage,
        is_mental_health_shortage

    from scored

)

select * from final
