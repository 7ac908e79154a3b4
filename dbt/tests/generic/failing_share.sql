{#- Share-based check: the percentage of rows (or of `weight`, e.g. allocated providers) that
    fail `condition`, rounded up to a whole percent, is the test's failure count, so warn_if /
    error_if read as percentages: error_if ">5" fails when more than 5% fail, warn_if ">0" warns
    on any. A null condition counts as failing. Restrict the rows with the `where` config. -#}
{% test failing_share(model, condition, weight="1", column_name=none) %}
{{ config(fail_calc='coalesce(max(failing_pct), 0)') }}

select
    cast(ceil(100.0 * sum(case when coalesce({{ condition }}, false) then 0 else {{ weight }} end)
        / nullif(sum({{ weight }}), 0)) as integer) as failing_pct,
    sum(case when coalesce({{ condition }}, false) then 0 else {{ weight }} end) as failing,
    sum({{ weight }}) as total
from {{ model }}
having sum(case when coalesce({{ condition }}, false) then 0 else {{ weight }} end) > 0

{% endtest %}
