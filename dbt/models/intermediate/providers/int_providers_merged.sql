{#- The current record of every NPI: the baseline full release with the weekly deltas after it
    upserted by NPI. A weekly record replaces an NPI's row only when it is strictly newer
    (macro nppes_record_is_newer), so re-applying a release changes nothing, and
    applied_run_id shows which NPIs a run touched. Incremental runs read only the weekly
    files; a new monthly full file re-baselines with --full-refresh (careatlas.transform.inputs
    decides). Full-file rows are never window-sorted: only the small weekly set is. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
{{
    config(
        materialized='incremental',
        unique_key='npi',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

records as (

    select
        npi,
        release_kind,
        release_date,
        source_row,
        entity_type_code,
        practice_state_code,
        practice_zip5,
        practice_country_code,
        enumeration_date,
        last_update_date,
        deactivation_date,
        reactivation_date,
        {#- a deactivated NPI's record has no last update date, only a (possibly retroactive)
            deactivation date: it dates from the release that lists it #}
        coalesce(last_update_date, release_date) as record_effective_date,
        case release_kind when 'weekly' then 1 else 0 end as release_rank
    from {{ ref('stg_nppes__providers') }}

),

latest_weekly as (

    select *
    from records
    where release_kind = 'weekly'
    qualify row_number() over (
        partition by npi
        order by record_effective_date desc, release_date desc, source_row desc
    ) = 1

),

current_records as (

    {%- if is_incremental() %}
    select npi, record_effective_date, release_date, release_rank from {{ this }}
    {%- else %}
    select npi, record_effective_date, release_date, release_rank from records where release_kind = 'full'
    {%- endif %}

),

newer_weekly as (

    select latest_weekly.*
    from latest_weekly
    left join current_records on latest_weekly.npi = current_records.npi
    where current_records.npi is null
        or {{ nppes_record_is_newer('latest_weekly', 'current_records') }}

),

merged as (

    {%- if not is_incremental() %}
    select *
    from records
    where release_kind = 'full'
        and npi not in (select npi from newer_weekly)

    union all
    {%- endif %}

    select * from newer_weekly

),

final as (

    select

        ---------- ids
        npi,
        release_kind,
        release_date,
        source_row,
        {{ run_value('run_id') }} as applied_run_id,

        ---------- strings
        entity_type_code,
        practice_state_code,
        practice_zip5,
        practice_country_code,

        ---------- numerics
        release_rank,

        ---------- dates
        record_effective_date,
        enumeration_date,
        last_update_date,
        deactivation_date,
        reactivation_date

    from merged

)

select * from final
