{#- Log of the NPPES releases merged into int_providers_merged since the current baseline:
    the full release and each weekly delta, once. careatlas.transform.inputs reads it to tell a
    weekly run from a re-baseline. Built after the merge so a failed merge logs nothing. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
-- depends_on: {{ ref('int_providers_merged') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

releases as (

    select * from {{ ref('stg_run__nppes_releases') }}

),

final as (

    select
        dataset,
        release_version,
        {{ run_value('run_id') }} as applied_run_id,
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
