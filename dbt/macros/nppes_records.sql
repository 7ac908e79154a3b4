{#- Records this build reads, with a release_kind column: the baseline full release (its rows
    only on a re-baseline) and the weekly deltas after it (none yet: no rows, same columns).
    Only staging calls this. -#}
{% macro from_nppes_releases(columns) -%}
    select 'full' as release_kind, {{ columns }}
    from {{ source('nppes', 'npidata_full') }}

    union all

    select 'weekly' as release_kind, {{ columns }}
    from {{ source('nppes', 'npidata_weekly') }}
{%- endmacro %}
