{#- Share-based check: the percentage of rows (or of `weight`, e.g. allocated providers) that
    fail `condition`, rounded up to a whole percent, is the test's failure count: it warns above
    `warn_above_pct` and fails the build above `error_above_pct` (dbt warn_if / error_if), but
    only fails when at least `error_min_rows` rows fail: a share of a tiny geography (one
    county of twenty) is a warning, not a broken build. A null condition counts as failing.
    Restrict the rows with the `where` config. -#}
{% test failing_share(model, condition, weight='1', warn_above_pct=0, error_above_pct=none, error_min_rows=1,
                      column_name=none) %}
{%- set capped = error_above_pct if error_above_pct is not none else 100 %}
{{ config(
    fail_calc='coalesce(max(case when failing_rows >= ' ~ error_min_rows ~ ' then failing_pct else least(failing_pct, '
              ~ capped ~ ') end), 0)',
    warn_if='>' ~ warn_above_pct,
    error_if='>' ~ (error_above_pct if error_above_pct is not none else 100),
) }}

select
    cast(ceil(100.0 * sum(case when coalesce({{ condition }}, false) then 0 else {{ weight }} end)
        / nullif(sum({{ weight }}), 0)) as integer) as failing_pct,
    count(*) filter (where not coalesce({{ condition }}, false)) as failing_rows,
    sum(case when coalesce({{ condition }}, false) then 0 else {{ weight }} end) as failing,
    sum({{ weight }}) as total
from {{ model }}
having sum(case when coalesce({{ condition }}, false) then 0 else {{ weight }} end) > 0

{% endtest %}
