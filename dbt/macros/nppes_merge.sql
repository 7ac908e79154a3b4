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

{#- Body of a *_replaced model: the rows of per-NPI model `model_name` that this run replaces,
    i.e. the current rows of the NPIs int_providers_merged changed, read before that model's
    pre_hook deletes them (the model names the *_replaced one in a depends_on). Aggregates
    subtract them and add the new rows instead of re-reading every NPI. No rows on a
    re-baseline or before the model exists; `columns` ({name: type}) gives the shape then. -#}
{% macro rows_replaced(model_name, columns) -%}
    {%- set changed -%}
        select npi from {{ ref('int_providers_merged') }} where applied_run_id = {{ run_value('run_id') }}
    {%- endset -%}
    {%- set current = adapter.get_relation(database=this.database, schema=this.schema, identifier=model_name) -%}
    {%- if execute and current is not none and not flags.FULL_REFRESH %}
    select {{ columns.keys() | join(', ') }}
    from {{ current }}
    where npi in ({{ changed }})
    {%- else %}
    select
        {%- for name, type in columns.items() %}
        cast(null as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    where false
    {%- endif %}
{%- endmacro %}
