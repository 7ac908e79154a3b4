{#- What a run reads is written into the warehouse's run_inputs schema before each build
    (careatlas.transform.run_inputs says why not --vars). -#}

{#- A value of this run from run_inputs.build (run_id, is_rebaseline, reference_fingerprint,
    acs_year, nppes_full_rows, nppes_weekly_rows), as a scalar subquery. -#}
{% macro run_value(column) -%}
    (select {{ column }} from {{ source('run', 'build') }})
{%- endmacro %}

{#- on-run-start: one view per lake input (run_inputs.lake_files) over the Parquet files this
    run reads, in place. Created on dbt's own connection, which holds the S3 credentials, and
    outside a transaction (run_query and adapter.get_relation open one the hook never commits).
    is_empty keeps a relation's columns but none of its rows (the baseline full release in a
    weekly build, whose per-NPI models read only the weekly deltas). Without a lake_files
    table (dbt docs generate on a new warehouse) there is nothing to create. -#}
{% macro create_run_input_views() %}
    {%- if not execute %}{{ return('') }}{% endif %}
    {%- set exists = _autocommit(
        "select count(*) from information_schema.tables where table_schema = 'run_inputs' and table_name = 'lake_files'"
    ) %}
    {%- if exists[0][0] == 0 %}{{ return('') }}{% endif %}
    {%- for row in _autocommit('select relation_name, uris, is_empty from run_inputs.lake_files order by relation_name') %}
        {%- set uris = fromjson(row[1]) %}
        {%- if uris | length > 0 %}
            {%- set body -%}
                select * from read_parquet(
                    [{% for uri in uris %}'{{ uri | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor %}],
                    hive_partitioning = false, union_by_name = true
                ){{ ' where false' if row[2] }}
            {%- endset %}
        {%- elif row[0] == 'nppes_deactivations' %}
            {#- no deactivation report in the lake yet: its columns, no rows #}
            {%- set body -%}
                select
                    cast(null as varchar) as "NPI",
                    cast(null as varchar) as "NPPES Deactivation Date",
                    cast(null as varchar) as _source_file,
                    cast(null as timestamptz) as _loaded_at
                where false
            {%- endset %}
        {%- else %}
            {{ exceptions.raise_compiler_error('run input ' ~ row[0] ~ ' lists no files in run_inputs.lake_files') }}
        {%- endif %}
        {%- do _autocommit('create or replace view run_inputs.' ~ row[0] ~ ' as ' ~ body) %}
    {%- endfor %}
{% endmacro %}

{% macro _autocommit(sql) %}
    {%- call statement('run_inputs', fetch_result=True, auto_begin=False) %}{{ sql }}{% endcall %}
    {{- return(load_result('run_inputs').table) }}
{% endmacro %}
