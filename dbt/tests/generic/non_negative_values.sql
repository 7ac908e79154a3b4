{#- Model-level `non_negative`: every column in `columns` is zero or more where it is known (null
    allowed: "not known"). One test (one query, one dbt node) for a model's non-negative
    columns; a failing row names its column. -#}
{% test non_negative_values(model, columns) %}
{{ negative_column_values(model, columns, null_fails=false) }}
{% endtest %}
