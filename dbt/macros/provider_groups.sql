{#- The HRSA specialty groups the marts pivot into columns, with the column words for each:
    `<plural>` counts, `<plural>_per_100k` rates, `people_per_<singular>` ratios. -#}
{% macro provider_groups() -%}
    {{ return([
        {'group': 'primary_care', 'plural': 'primary_care_providers', 'singular': 'primary_care_provider'},
        {'group': 'dental', 'plural': 'dentists', 'singular': 'dentist'},
        {'group': 'core_mental_health', 'plural': 'core_mental_health_providers', 'singular': 'core_mental_health_provider'},
        {'group': 'psychiatry', 'plural': 'psychiatrists', 'singular': 'psychiatrist'},
    ]) }}
{%- endmacro %}

{% macro shortage_disciplines() -%}
    {{ return(['primary_care', 'dental', 'mental_health']) }}
{%- endmacro %}

{#- providers per 100,000 people, and people per provider (null where there is no provider
    or no population: "no provider" is not a ratio) -#}
{% macro per_100k(providers, population) -%}
    case when {{ population }} > 0 then {{ providers }} * 100000.0 / {{ population }} end
{%- endmacro %}

{% macro people_per(population, providers) -%}
    case when {{ providers }} > 0 then {{ population }} / {{ providers }} end
{%- endmacro %}

{#- Providers per area and specialty from one row per provider (or provider share): the NUCC
    classification, plus each HRSA group in the row's specialty_groups list. -#}
{% macro sum_by_specialty(relation, area_column, measure) -%}
    select {{ area_column }}, 'classification' as specialty_kind, taxonomy_classification as specialty_name,
        {{ measure }} as providers
    from {{ relation }}
    where taxonomy_classification is not null
    group by all

    union all

    select {{ area_column }}, 'group' as specialty_kind, specialty_name, {{ measure }} as providers
    from (select *, unnest(specialty_groups) as specialty_name from {{ relation }})
    group by all
{%- endmacro %}

{#- Sums per area-specialty kept by an incremental model: on an incremental run, the current
    total of each area-specialty the run touches (the model's own table) plus the run's change
    (`changes`: rows of sum_by_specialty); on a full build, the sums themselves. -#}
{% macro add_to_current_sums(changes, area_column, sum_type) -%}
    {%- if is_incremental() %}
    select
        changes.{{ area_column }},
        changes.specialty_kind,
        changes.specialty_name,
        cast(coalesce(current_sums.providers, 0) + changes.providers as {{ sum_type }}) as providers
    from {{ changes }} as changes
    left join {{ this }} as current_sums
        on changes.{{ area_column }} = current_sums.{{ area_column }}
        and changes.specialty_kind = current_sums.specialty_kind
        and changes.specialty_name = current_sums.specialty_name
    {%- else %}
    select {{ area_column }}, specialty_kind, specialty_name, cast(providers as {{ sum_type }}) as providers
    from {{ changes }}
    {%- endif %}
{%- endmacro %}

{#- An allocation weight as an exact decimal: sums of them do not depend on the order rows are
    added in, so an incremental sum (add new rows, subtract replaced ones) equals a full one. -#}
{% macro exact_weight(column) -%}
    cast({{ column }} as decimal(18, 12))
{%- endmacro %}
