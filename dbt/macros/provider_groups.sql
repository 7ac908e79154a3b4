{#- The HRSA specialty groups the marts pivot into columns, with the column words for each:
    `<plural>` counts, `<plural>_per_100k` rates, `people_per_<singular>` ratios. -#}
{% macro provider_groups() -%}
    {{ return([
        {'group': 'primary_care', 'plural': 'primary_care_providers', 'singular': 'primary_care_provider'},
        {'group': 'dental', 'plural': 'dentists', 'singular': 'dentist'},
        {'group': 'all_dentists', 'plural': 'all_dentists', 'singular': 'dentist_any_specialty'},
        {'group': 'core_mental_health', 'plural': 'core_mental_health_providers', 'singular': 'core_mental_health_provider'},
        {'group': 'psychiatry', 'plural': 'psychiatrists', 'singular': 'psychiatrist'},
    ]) }}
{%- endmacro %}

{#- The supply-uncertainty counts kept beside the headline ones: `<name>` counts rows where
    the flag is true. -#}
{% macro supply_flags() -%}
    {{ return([
        {'flag': 'is_clinician', 'name': 'clinicians'},
        {'flag': 'is_resident', 'name': 'residents'},
        {'flag': 'is_stale', 'name': 'stale_records'},
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
    classification keyed by (grouping, classification), since one classification name can
    sit in two groupings (Specialist/Technologist, Legal Medicine); plus each HRSA group in the
    row's specialty_groups list (grouping 'HRSA specialty group'). -#}
{% macro sum_by_specialty(relation, area_column, measure) -%}
    select {{ area_column }}, 'classification' as specialty_kind, taxonomy_grouping as specialty_grouping,
        taxonomy_classification as specialty_name, {{ measure }} as providers
    from {{ relation }}
    where taxonomy_classification is not null
    group by all

    union all

    select {{ area_column }}, 'group' as specialty_kind, 'HRSA specialty group' as specialty_grouping,
        specialty_name, {{ measure }} as providers
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
        changes.specialty_grouping,
        changes.specialty_name,
        cast(coalesce(current_sums.providers, 0) + changes.providers as {{ sum_type }}) as providers
    from {{ changes }} as changes
    left join {{ this }} as current_sums
        on changes.{{ area_column }} = current_sums.{{ area_column }}
        and changes.specialty_kind = current_sums.specialty_kind
        and changes.specialty_grouping = current_sums.specialty_grouping
        and changes.specialty_name = current_sums.specialty_name
    {%- else %}
    select {{ area_column }}, specialty_kind, specialty_grouping, specialty_name, cast(providers as {{ sum_type }}) as providers
    from {{ changes }}
    {%- endif %}
{%- endmacro %}

{#- An allocation weight as an exact decimal: sums of them do not depend on the order rows are
    added in, so an incremental sum (add new rows, subtract replaced ones) equals a full one. -#}
{% macro exact_weight(column) -%}
    cast({{ column }} as decimal(18, 12))
{%- endmacro %}

{#- Several indicators, any of which makes an area high-need, as one three-valued flag: true
    when one is met, false when all are known and none is met, null (unknown) otherwise: an
    unknown indicator never reads as "not high need". -#}
{% macro high_need_of(flag, filter='true') -%}
    case
        when bool_or({{ flag }}) filter (where {{ filter }}) then true
        when bool_and({{ flag }} is not null) filter (where {{ filter }}) then false
    end
{%- endmacro %}

{#- Rows where the sums an incremental model kept (`kept`) and a fresh aggregation (`fresh`,
    rows of sum_by_specialty) differ, or exist on one side only: the incremental-equals-full
    tests. `kept_name` and `fresh_name` name the two providers columns (`<name>_providers`) when
    the sides are other relations of the same keys (a mart against the kept sums). -#}
{% macro specialty_sums_differ(kept, fresh, area_column, kept_name='kept', fresh_name='fresh') -%}
select
    {%- for column in [area_column, 'specialty_kind', 'specialty_grouping', 'specialty_name'] %}
    coalesce(kept.{{ column }}, fresh.{{ column }}) as {{ column }},
    {%- endfor %}
    kept.providers as {{ kept_name }}_providers,
    fresh.providers as {{ fresh_name }}_providers
from {{ kept }} as kept
full join {{ fresh }} as fresh
    on kept.{{ area_column }} = fresh.{{ area_column }}
    and kept.specialty_kind = fresh.specialty_kind
    and kept.specialty_grouping = fresh.specialty_grouping
    and kept.specialty_name = fresh.specialty_name
where kept.providers is distinct from fresh.providers
{%- endmacro %}
