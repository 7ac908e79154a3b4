{#- Counties ranked by a composite of the shortage screens, provider scarcity and demographic
    need (weights in seed underserved_score_weights; docs/marts.md has the formula):
      shortage_screens  = disciplines screened short / disciplines whose screen is known
      provider_scarcity = mean percentile of people per primary care provider, dentist and core
                          mental health provider (no provider = +infinity: the no-provider block
                          ties at the top and scores 1)
      demographic_need  = mean percentile of the poverty, uninsured and 65+ percentages the
                          county has (a missing measure is left out, never ranked lowest)
      underserved_score = 100 * sum(weight * component) / sum(weight) over the components that
                          are known (re-weighted), 0-100
    Percentile = cume_dist(): the share of ranked counties at or below the county's value, ties
    taking the highest position, in (0, 1]. Ranked counties: people and crosswalk coverage;
    others are listed with a null score and rank. Rank 1 is the most underserved; ties go to the
    larger population (more people affected), then the FIPS code. -#}
{%- set disciplines = shortage_disciplines() %}
{%- set scarcity = ['people_per_primary_care_provider', 'people_per_dentist', 'people_per_core_mental_health_provider'] %}
{%- set need = ['poverty_rate_pct', 'uninsured_rate_pct', 'population_65_plus_pct'] %}

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

    select
        {%- for c in ['shortage_screens', 'provider_scarcity', 'demographic_need'] %}
        max(weight) filter (where component = '{{ c }}') as {{ c }}_weight{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('underserved_score_weights') }}

),

joined as (

    select
        access.*,
        counties.uninsured_rate_pct,
        counties.population_65_plus_pct,
        counties.median_household_income_usd,
        access.crosswalk_coverage != 'none' as is_ranked
    from access
    left join counties on access.county_fips = counties.county_fips

),

percentiles as (

    select
        joined.*,
        {%- for column in scarcity %}
        case when is_ranked then cume_dist() over (
            partition by is_ranked order by coalesce({{ column }}, 'infinity'::double)
        ) end as {{ column }}_percentile,
        {%- endfor %}
        {%- for column in need %}
        case when is_ranked and {{ column }} is not null then cume_dist() over (
            partition by is_ranked, {{ column }} is null order by {{ column }}
        ) end as {{ column }}_percentile{{ ',' if not loop.last }}
        {%- endfor %}
    from joined

),

components as (

    select
        percentiles.*,
        ({% for d in disciplines %}coalesce(is_{{ d }}_shortage, false)::int{{ ' + ' if not loop.last }}{% endfor %}) as shortage_screens_met,
        ({% for d in disciplines %}(is_{{ d }}_shortage is not null)::int{{ ' + ' if not loop.last }}{% endfor %}) as shortage_screens_known,
        ({% for c in scarcity %}{{ c }}_percentile{{ ' + ' if not loop.last }}{% endfor %}) / {{ scarcity | length }} as provider_scarcity_score,
        ({% for c in need %}coalesce({{ c }}_percentile, 0){{ ' + ' if not loop.last }}{% endfor %})
            / nullif({% for c in need %}({{ c }}_percentile is not null)::int{{ ' + ' if not loop.last }}{% endfor %}, 0)
            as demographic_need_score
    from percentiles

),

scored as (

    select
        components.*,
        case when is_ranked then shortage_screens_met / nullif(shortage_screens_known, 0) end as shortage_screens_score,
        {%- set parts = [('shortage_screens', 'shortage_screens_met / nullif(shortage_screens_known, 0)'),
                         ('provider_scarcity', 'provider_scarcity_score'),
                         ('demographic_need', 'demographic_need_score')] %}
        case when is_ranked then
            {% for name, value in parts %}coalesce(weights.{{ name }}_weight * ({{ value }}), 0){{ ' + ' if not loop.last }}{% endfor %}
        end as weighted_sum,
        case when is_ranked then
            {% for name, value in parts %}case when ({{ value }}) is not null then weights.{{ name }}_weight else 0 end{{ ' + ' if not loop.last }}{% endfor %}
        end as score_weight_used
    from components
    cross join weights

),

final as (

    select

        ---------- ids
        county_fips,
        state_fips,
        case when score_weight_used > 0 then
            row_number() over (order by case when score_weight_used > 0 then 100 * weighted_sum / score_weight_used end desc nulls last,
                               total_population desc, county_fips)
        end as underserved_rank,

        ---------- strings
        county_name,
        state_code,
        crosswalk_coverage,

        ---------- numerics
        case when score_weight_used > 0 then 100 * weighted_sum / score_weight_used end as underserved_score,
        score_weight_used,
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
        is_primary_care_shortage,
        is_dental_shortage,
        is_mental_health_shortage

    from scored

)

select * from final
