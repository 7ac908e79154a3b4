{#- Log of the NPPES releases merged into int_providers_merged since the current baseline:
    the full release and each weekly delta, once. careatlas.transform.inputs reads it to tell a
    weekly run from a re-baseline. Built after the merge so a failed merge logs nothing. -#}
-- depends_on: {{ ref('int_providers_merged') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

{%- set releases = [{'dataset': 'npidata', 'kind': 'full', 'release': var('nppes_full_release'),
                     'version': var('nppes_full_version'), 'rows': var('nppes_full_rows')}] %}
{%- for weekly in var('nppes_weekly_releases') %}
    {%- do releases.append({'dataset': 'npidata_weekly', 'kind': 'weekly', 'release': weekly['release'],
                            'version': weekly['version'], 'rows': weekly['rows']}) %}
{%- endfor %}

with

releases as (

    select * from (values
        {%- for r in releases %}
        ('{{ r.dataset }}', '{{ r.kind }}', date '{{ r.release }}', '{{ r.version }}', {{ r.rows }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as v(dataset, release_kind, release_date, release_version, published_rows)

),

final as (

    select
        dataset,
        release_version,
        '{{ var("run_id") }}' as applied_run_id,
        release_kind,
        cast(published_rows as bigint) as published_rows,
        release_date,
        current_timestamp as applied_at
    from releases
    {%- if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as applied
        where applied.dataset = releases.dataset
            and applied.release_date = releases.release_date
            and applied.release_version = releases.release_version
    )
    {%- endif %}

)

select * from final
