{#- Helpers of the incremental NPPES state (int_providers_merged and the per-NPI models
    derived from it). -#}

{#- True when record `a` supersedes record `b`: a later effective date; on the same date a
    later release; on the same release a weekly delta over the full file. Equal means the
    same record again, which must change nothing. -#}
{% macro nppes_record_is_newer(a, b) -%}
    (
        {{ a }}.record_effective_date > {{ b }}.record_effective_date
        or ({{ a }}.record_effective_date = {{ b }}.record_effective_date
            and ({{ a }}.release_date > {{ b }}.release_date
                 or ({{ a }}.release_date = {{ b }}.release_date and {{ a }}.release_rank > {{ b }}.release_rank)))
    )
{%- endmacro %}

{#- pre_hook of the per-NPI incremental models: a run first deletes the rows of the NPIs it
    changed (including NPIs that are no longer counted), then appends their new rows. -#}
{% macro delete_changed_npis(changed_model) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where npi in (
        select npi from {{ ref(changed_model) }} where applied_run_id = {{ run_value('run_id') }}
    )
    {%- endif -%}
{%- endmacro %}
