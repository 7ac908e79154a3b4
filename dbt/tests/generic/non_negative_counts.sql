{#- Model-level: every column in `columns` holds a count, never null nor negative. One test
    (one query, one dbt node) for all of a mart's counts; a failing row names the column. -#}
{% test non_negative_counts(model, columns) %}

{%- for column in columns %}
select '{{ column }}' as column_name, {{ column }} as bad_value
from {{ model }}
where {{ column }} is null or {{ column }} < 0
{{ 'union all' if not loop.last }}
{%- endfor %}

{% endtest %}
