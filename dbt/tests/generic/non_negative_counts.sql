{#- Model-level: every column in `columns` holds a count, never null nor negative. One test
    (one query, one dbt node) for all of a mart's counts; a failing row names the column. -#}
{% test non_negative_counts(model, columns) %}
{{ negative_column_values(model, columns, null_fails=true) }}
{% endtest %}
