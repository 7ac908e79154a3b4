{#- The rows of `model` whose value in one of `columns` is negative (or null, with `null_fails`),
    one per column and row, named by the column: non_negative_values, non_negative_counts. -#}
{% macro negative_column_values(model, columns, null_fails) %}
{%- for column in columns %}
select '{{ column }}' as column_name, {{ column }} as bad_value
from {{ model }}
where {{ column }} < 0{{ ' or ' ~ column ~ ' is null' if null_fails }}
{{ 'union all' if not loop.last }}
{%- endfor %}
{% endmacro %}
