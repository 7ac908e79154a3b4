{#- The individuals County Health Rankings counts (fct_chr_provider_counts: entity type 1,
    country US, any status, slot-1 taxonomy code in seed chr_taxonomy_codes) per slot-1 code,
    practice ZIP5 and practice state: what the mart's joins read, so that it never scans every
    NPI. Rows without a ZIP or state are left out (the mart could place none of them).
    Incremental like int_state_specialties_summed: a weekly run counts the NPIs it wrote and
    discounts the rows it replaced (int_providers_replaced) for the groups they touch; a group
    left with no provider is removed. Integer counts: the kept sums equal a fresh count. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
-- depends_on: {{ ref('int_providers_replaced') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['slot_one_taxonomy_code', 'zip5', 'practice_state_code'],
        on_schema_change='fail',
        post_hook="delete from {{ this }} where providers = 0",
    )
}}

{%- set counted -%}
    entity_type_code = '1'
    and coalesce(practice_country_code, 'US') = 'US'
    and practice_zip5 is not null
    and practice_state_code is not null
    and slot_one_taxonomy_code in (select taxonomy_code from {{ ref('chr_taxonomy_codes') }})
{%- endset %}

with

changes as (

    select slot_one_taxonomy_code, left(practice_zip5, 5) as zip5, practice_state_code, 1 as provider
    from {{ ref('int_providers_classified') }}
    where {{ counted }}
    {%- if is_incremental() %}
        and applied_run_id = {{ run_value('run_id') }}

    union all

    select slot_one_taxonomy_code, left(practice_zip5, 5), practice_state_code, -1
    from {{ ref('int_providers_replaced') }}
    where {{ counted }}
    {%- endif %}

),

summed as (

    select slot_one_taxonomy_code, zip5, practice_state_code, sum(provider) as providers
    from changes
    group by slot_one_taxonomy_code, zip5, practice_state_code

),

final as (

    select
        summed.slot_one_taxonomy_code,
        summed.zip5,
        summed.practice_state_code,
        {%- if is_incremental() %}
        cast(coalesce(current_counts.providers, 0) + summed.providers as bigint) as providers
    from summed
    left join {{ this }} as current_counts
        on summed.slot_one_taxonomy_code = current_counts.slot_one_taxonomy_code
        and summed.zip5 = current_counts.zip5
        and summed.practice_state_code = current_counts.practice_state_code
        {%- else %}
        cast(summed.providers as bigint) as providers
    from summed
        {%- endif %}

)

select * from final
