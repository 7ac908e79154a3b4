{#- Records of the baseline full release and of the weekly deltas after it, with a
    release_kind column. Weekly deltas are optional: without any, that branch is an empty
    select over the full release, whose schema is the same contract. Only staging calls this. -#}
{% macro from_nppes_releases(columns) -%}
    select 'full' as release_kind, {{ columns }}
    from {{ source('nppes', 'npidata_full') }}

    union all

    select 'weekly' as release_kind, {{ columns }}
    {%- if var('nppes_weekly_files') | length > 0 %}
    from {{ source('nppes', 'npidata_weekly') }}
    {%- else %}
    from {{ source('nppes', 'npidata_full') }}
    where false
    {%- endif %}
{%- endmacro %}
