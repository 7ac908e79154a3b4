{#- Raw -> staging reconciliation: the model's rows (optionally filtered) must equal the rows
    of the raw relation it reads (`compare_to`, e.g. the source's Parquet) and, when given,
    the count the publisher recorded (`expected_rows`: the ingest pointer's row count, or the
    reference loader's metadata.json via macro expected_rows). A given `expected_rows` that
    evaluates to null fails: the count could not be checked. On a source, `expected_rows`
    alone compares the landed rows with the loader's count.
    Returns one row describing the mismatch, so a failure names all three numbers. -#}
{% test row_count_reconciles(model, compare_to=none, where_model='true', expected_rows=none) %}

with counts as (
    select
        (select count(*) from {{ model }} where {{ where_model }}) as model_rows,
        {{ '(select count(*) from ' ~ compare_to ~ ')' if compare_to is not none else 'null' }} as raw_rows,
        {{ expected_rows if expected_rows is not none else 'null' }} as expected_rows
)

select *
from counts
where (raw_rows is not null and model_rows != raw_rows)
    {%- if expected_rows is not none %}
   or expected_rows is null
   or model_rows != expected_rows
    {%- endif %}

{% endtest %}
