{#- Model-level `non_negative`: every column in `columns` is zero or more where it is known (null
    allowed: "not known"). One test (one query, one dbt node) for a model's non-negative
    columns; a failing row names its column. -#}
{% test non_negative_values(model, columns) %}

{%- for column in columns %}
select '{{ column }}' as column_name, {{ column }} as negative_value
from {{ model }}
where {{ column }} < 0
{{ 'union all' if not loop.last }}
{%- endfor %}

{% endtest %}
