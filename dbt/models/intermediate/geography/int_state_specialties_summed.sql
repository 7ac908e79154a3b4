{#- Providers per state and specialty by practice-location state: every domestic address
    counts, including those whose ZIP could not be placed in a county; military and foreign
    addresses do not.
    Incremental like int_county_specialties_summed: a weekly run counts the providers it wrote
    and discounts the ones it replaced (int_providers_replaced), for the state-specialties they
    touch; one left with no provider is removed. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
-- depends_on: {{ ref('int_providers_replaced') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['state_fips', 'specialty_kind', 'specialty_grouping', 'specialty_name'],
        on_schema_change='fail',
        post_hook="delete from {{ this }} where providers = 0",
    )
}}

{%- set counted = "is_active and is_individual and location_class = 'domestic' and state_fips is not null" %}

with

changes as (

    select state_fips, taxonomy_grouping, taxonomy_classification, specialty_groups, 1 as provider
    from {{ ref('int_providers_classified') }}
    where {{ counted }}
    {%- if is_incremental() %}
        and applied_run_id = {{ run_value('run_id') }}

    union all

    select state_fips, taxonomy_grouping, taxonomy_classification, specialty_groups, -1
    from {{ ref('int_providers_replaced') }}
    where {{ counted }}
    {%- endif %}

),

summed as (

    {{ sum_by_specialty('changes', 'state_fips', 'sum(provider)') }}

),

final as (

    {{ add_to_current_sums('summed', 'state_fips', 'bigint') }}

)

select * from final
