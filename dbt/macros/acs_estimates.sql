{#- ACS variables -> named measures, shared by the county and state staging models.
    The vintage is the build's acs_year, or the latest present in the files. -#}
{% macro acs_vintage_filter(relation) -%}
    year = coalesce(
        {{ run_value('acs_year') }},
        (select max(year) from {{ relation }})
    )
{%- endmacro %}

{% macro acs_measures() -%}
        {#- estimates are whole people / dollars; the cache stores Float64 #}
        cast(year as integer) as acs_year,
        cast("B01003_001E" as bigint) as total_population,
        {#- 65+ = men 65-66 .. 85+ (020-025) + women (044-049) #}
        {%- set age_65 = [20, 21, 22, 23, 24, 25, 44, 45, 46, 47, 48, 49] %}
        cast({% for n in age_65 %}"B01001_{{ '%03d' % n }}E"{{ ' + ' if not loop.last }}{% endfor %} as bigint) as population_65_plus,
        cast("B19013_001E" as bigint) as median_household_income_usd,
        cast("B17001_001E" as bigint) as poverty_universe,
        cast("B17001_002E" as bigint) as population_below_poverty,
        cast("B27010_001E" as bigint) as insurance_universe,
        cast("B27010_017E" + "B27010_033E" + "B27010_050E" + "B27010_066E" as bigint) as population_uninsured
{%- endmacro %}
