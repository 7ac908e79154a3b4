{#- ACS variables -> named measures, shared by the county and state staging models. The view
    holds the one vintage the build chose (careatlas.transform.demographics). A measure whose
    variables the cached table lacks is null (B27010 before the 2012 vintage; the under-18 cells
    in caches from before they joined the default set): the columns are looked up when the
    model runs, after the on-run-start hook made the view. -#}
{% macro acs_measures(relation) -%}
    {%- set present = [] %}
    {%- if execute %}
        {%- for column in adapter.get_columns_in_relation(relation) %}{% do present.append(column.name) %}{% endfor %}
    {%- endif %}
        {#- estimates are whole people / dollars; the cache stores Float64 #}
        cast(year as integer) as acs_year,
        cast("B01003_001E" as bigint) as total_population,
        {#- under 18 = men under 5 .. 15-17 (003-006) + women (027-030) #}
        {{ _acs_sum(present, [3, 4, 5, 6, 27, 28, 29, 30]) }} as population_under_18,
        {#- 65+ = men 65-66 .. 85+ (020-025) + women (044-049) #}
        {{ _acs_sum(present, [20, 21, 22, 23, 24, 25, 44, 45, 46, 47, 48, 49]) }} as population_65_plus,
        {{ _acs_sum(present, ['B19013_001E']) }} as median_household_income_usd,
        {{ _acs_sum(present, ['B17001_001E']) }} as poverty_universe,
        {{ _acs_sum(present, ['B17001_002E']) }} as population_below_poverty,
        {{ _acs_sum(present, ['B27010_001E']) }} as insurance_universe,
        {{ _acs_sum(present, ['B27010_017E', 'B27010_033E', 'B27010_050E', 'B27010_066E']) }} as population_uninsured
{%- endmacro %}

{#- The sum of ACS variables as a bigint (B01001 cells given by number), or null when the
    table lacks any of them. -#}
{% macro _acs_sum(present, variables) -%}
    {%- set names = [] %}
    {%- for v in variables %}{% do names.append('B01001_%03dE' % v if v is number else v) %}{% endfor %}
    {%- set missing = names | reject('in', present) | list %}
    {%- if missing -%}
        cast(null as bigint)
    {%- else -%}
        cast({% for n in names %}"{{ n }}"{{ ' + ' if not loop.last }}{% endfor %} as bigint)
    {%- endif %}
{%- endmacro %}
