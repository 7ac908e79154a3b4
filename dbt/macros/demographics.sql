{#- The demographic contract shared by int_county_demographics and int_state_demographics. -#}

{#- The contract's measures from an ACS staging row (county or state): 18-64 is what is left
    of the total after under 18 and 65+; rates are percent of their ACS universe. -#}
{% macro acs_contract_measures() -%}
        total_population,
        population_under_18,
        total_population - population_under_18 - population_65_plus as population_18_64,
        population_65_plus,
        population_below_poverty,
        100.0 * population_below_poverty / nullif(poverty_universe, 0) as poverty_rate_pct,
        median_household_income_usd,
        population_uninsured,
        100.0 * population_uninsured / nullif(insurance_universe, 0) as uninsured_rate_pct
{%- endmacro %}

{#- The product, the label of each measure (run_inputs.demographic_sources) and the measures,
    in contract order, after the area's ids and name. -#}
{% macro demographic_contract_columns() -%}
        {{ run_value('demographics_product') }} as demographics_product,
        {%- for measure, column in [('total_population', 'total_population'), ('population_under_18', 'population_under_18'),
                                    ('population_18_64', 'population_18_64'), ('population_65_plus', 'population_65_plus'),
                                    ('poverty_rate_pct', 'poverty_rate'), ('median_household_income_usd', 'median_household_income'),
                                    ('uninsured_rate_pct', 'uninsured_rate')] %}
        {{ demographic_source(measure) }} as {{ column }}_source,
        {%- endfor %}

        ---------- numerics
        {{ run_value('acs_year') }} as acs_year,
        total_population,
        population_under_18,
        population_18_64,
        population_65_plus,
        population_below_poverty,
        poverty_rate_pct,
        median_household_income_usd,
        population_uninsured,
        uninsured_rate_pct
{%- endmacro %}

{#- The offline products joined into the contract's rows, from the caller's CTEs pep_population
    (ids, name, total_population), pep_ages (the three age groups) and saipe (poverty and
    income), keyed by `key`; no uninsured source offline. Then the chosen product's rows: the
    other product's CTE is empty (its views have no rows) and filtered out besides. -#}
{% macro offline_contract_rows(key, id_columns) -%}
    select
        {%- for column in id_columns %}
        pep_population.{{ column }},
        {%- endfor %}
        pep_population.total_population,
        cast(pep_ages.population_under_18 as bigint) as population_under_18,
        cast(pep_ages.population_18_64 as bigint) as population_18_64,
        cast(pep_ages.population_65_plus as bigint) as population_65_plus,
        saipe.population_below_poverty,
        saipe.poverty_rate_pct,
        saipe.median_household_income_usd,
        cast(null as bigint) as population_uninsured,
        cast(null as double) as uninsured_rate_pct
    from pep_population
    left join pep_ages on pep_population.{{ key }} = pep_ages.{{ key }}
    left join saipe on pep_population.{{ key }} = saipe.{{ key }}
    where {{ run_value('demographics_product') }} = 'census_offline'
{%- endmacro %}
