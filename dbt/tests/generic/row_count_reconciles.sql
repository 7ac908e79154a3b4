{#- Raw -> staging reconciliation: the model's rows (optionally filtered) must equal the rows
    of the raw relation it reads (`compare_to`, e.g. the source's Parquet) and, when given,
    the count the publisher recorded (`expected_rows`, e.g. the ingest pointer's row count).
    Returns one row describing the mismatch, so a failure names all three numbers. -#}
{% test row_count_reconciles(model, compare_to, where_model='true', expected_rows=none) %}

with counts as (
    select
        (select count(*) from {{ model }} where {{ where_model }}) as model_rows,
        (select count(*) from {{ compare_to }}) as raw_rows,
        {{ expected_rows if expected_rows is not none else 'null' }} as expected_rows
)

select *
from counts
where model_rows != raw_rows
   or (expected_rows is not null and model_rows != expected_rows)

{% endtest %}
