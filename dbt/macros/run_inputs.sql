{#- What a run reads is written into the warehouse's run_inputs schema before each build
    (careatlas.transform.run_inputs says why not --vars). -#}

{#- A value of this run from run_inputs.build (through stg_run__build) (run_id, is_rebaseline, reference_fingerprint,
    demographics_product, acs_year, pep_population_vintage, pep_agesex_vintage, saipe_vintage,
    nppes_full_rows, nppes_weekly_rows, location_allocation), as a scalar subquery. -#}
{% macro run_value(column) -%}
    (select {{ column }} from {{ ref('stg_run__build') }})
{%- endmacro %}

{#- The same value read from the source, for staging tests: a ref() inside a test's arguments
    gives dbt no dependency to order the test by, a source needs none. -#}
{% macro run_source_value(column) -%}
    (select {{ column }} from {{ source('run', 'build') }})
{%- endmacro %}

{#- The rows the loader of a reference input recorded in its metadata.json (null when it
    recorded none; 0 for an input not loaded), for the staging row-count tests. -#}
{% macro expected_rows(relation_name) -%}
    (select expected_rows from {{ source('run', 'lake_files') }} where relation_name = '{{ relation_name }}')
{%- endmacro %}

{#- The label (product and vintage) of a demographic measure, from run_inputs.demographic_sources;
    null when the build's product has no source for it. -#}
{% macro demographic_source(measure) -%}
    (select source_label from {{ ref('stg_run__demographic_sources') }} where measure = '{{ measure }}')
{%- endmacro %}

{#- on-run-start: one view per lake input (run_inputs.lake_files) over the Parquet files this
    run reads, in place. Created on dbt's own connection, which holds the S3 credentials, and
    outside a transaction (run_query and adapter.get_relation open one the hook never commits).
    is_empty keeps a relation's columns but none of its rows (the baseline full release in a
    weekly build, whose per-NPI models read only the weekly deltas). An input that lists no
    files (not loaded, or not the build's demographics product) gets the columns staging reads
    and no rows. Without a lake_files table (dbt docs generate on a new warehouse) there is
    nothing to create. -#}
{% macro create_run_input_views() %}
    {%- if not execute %}{{ return('') }}{% endif %}
    {%- set exists = _autocommit(
        "select count(*) from information_schema.tables where table_schema = 'run_inputs' and table_name = 'lake_files'"
    ) %}
    {%- if exists[0][0] == 0 %}{{ return('') }}{% endif %}
    {%- set empty_columns = _empty_input_columns() %}
    {%- for row in _autocommit('select relation_name, uris, is_empty from run_inputs.lake_files order by relation_name') %}
        {%- set uris = fromjson(row[1]) %}
        {%- if uris | length > 0 %}
            {%- set body -%}
                select * from read_parquet(
                    [{% for uri in uris %}'{{ uri | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor %}],
                    hive_partitioning = false, union_by_name = true
                ){{ ' where false' if row[2] }}
            {%- endset %}
        {%- elif row[0] in empty_columns %}
            {%- set body -%}
                select
                {%- for name, type in empty_columns[row[0]] %}
                    cast(null as {{ type }}) as "{{ name }}",
                {%- endfor %}
                    cast(null as varchar) as _source_file,
                    cast(null as varchar) as _source_sha256,
                    cast(null as timestamptz) as _loaded_at
                where false
            {%- endset %}
        {%- else %}
            {{ exceptions.raise_compiler_error('run input ' ~ row[0] ~ ' lists no files in run_inputs.lake_files') }}
        {%- endif %}
        {%- do _autocommit('create or replace view run_inputs.' ~ row[0] ~ ' as ' ~ body) %}
    {%- endfor %}
{% endmacro %}

{#- The columns staging reads of each input that may be absent (landed as text, like the
    loaders write them; the ACS cache writes Float64 estimates). -#}
{% macro _empty_input_columns() %}
    {%- set acs = [('NAME', 'varchar'), ('state', 'varchar'), ('county', 'varchar'), ('fips', 'varchar'),
                   ('year', 'integer'), ('B01003_001E', 'double')] %}
    {{- return({
        'nppes_deactivations': [('NPI', 'varchar'), ('NPPES Deactivation Date', 'varchar')],
        'nppes_pl': [('npi', 'bigint'), ('provider_secondary_practice_location_address_state_name', 'varchar'),
                     ('provider_secondary_practice_location_address_postal_code', 'varchar'),
                     ('provider_secondary_practice_location_address_country_code_if_outside_u_s', 'varchar'),
                     ('_release', 'date'), ('_source_row', 'bigint')],
        'census_acs5_county': acs,
        'census_acs5_state': acs,
        'census_pep_population': _as_text(['statecode', 'countycode', 'fipscode', 'STNAME', 'CTYNAME',
                                           'ESTIMATESBASE2020', 'POPESTIMATE2024']),
        'census_pep_agesex': _as_text(['SUMLEV', 'STATE', 'COUNTY', 'STNAME', 'CTYNAME', 'YEAR', 'POPESTIMATE',
                                       'UNDER5_TOT', 'AGE513_TOT', 'AGE1417_TOT', 'AGE18PLUS_TOT',
                                       'AGE65PLUS_TOT', 'MEDIAN_AGE_TOT']),
        'census_saipe': _as_text(['State FIPS Code', 'County FIPS Code', 'Postal Code', 'Name',
                                  'Poverty Estimate, All Ages', 'Poverty Percent, All Ages',
                                  'Median Household Income']),
    }) }}
{% endmacro %}

{% macro _as_text(names) %}
    {%- set columns = [] %}
    {%- for name in names %}{% do columns.append((name, 'varchar')) %}{% endfor %}
    {{- return(columns) }}
{% endmacro %}

{% macro _autocommit(sql) %}
    {%- call statement('run_inputs', fetch_result=True, auto_begin=False) %}{{ sql }}{% endcall %}
    {{- return(load_result('run_inputs').table) }}
{% endmacro %}
