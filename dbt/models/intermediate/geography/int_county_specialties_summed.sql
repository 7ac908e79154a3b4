{#- Providers per county and specialty: the sum of allocation weights, so a provider whose ZIP
    spans two counties adds e.g. 0.75 to one and 0.25 to the other. Specialties are the
    primary taxonomy's NUCC classification and each HRSA group it belongs to; a provider
    counts once per specialty.
    Incremental: a weekly run adds the allocation rows it wrote and subtracts those of the
    provider rows it replaced (int_providers_replaced, allocated alike by macro
    allocate_locations), for the county-specialties they touch. Weights
    are summed as decimals, so the sums are exact and equal what a full build computes;
    a county-specialty left with no provider is removed. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
-- depends_on: {{ ref('int_providers_replaced') }}
-- depends_on: {{ ref('int_zip_counties_weighted') }}
-- depends_on: {{ ref('int_provider_secondary_locations') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['county_fips', 'specialty_kind', 'specialty_grouping', 'specialty_name'],
        on_schema_change='fail',
        post_hook="delete from {{ this }} where providers = 0",
    )
}}

with

{%- if is_incremental() %}

replaced_providers as (

    select * from {{ ref('int_providers_replaced') }}
    where is_active and is_individual

),

replaced_locations as (

    {{ allocate_locations('replaced_providers') }}

),

{%- endif %}

changes as (

    select county_fips, taxonomy_grouping, taxonomy_classification, specialty_groups, {{ exact_weight('allocation_weight') }} as weight
    from {{ ref('int_provider_locations_allocated') }}
    where location_class = 'county'
    {%- if is_incremental() %}
        and applied_run_id = {{ run_value('run_id') }}

    union all

    select county_fips, taxonomy_grouping, taxonomy_classification, specialty_groups, -{{ exact_weight('allocation_weight') }}
    from replaced_locations
    where location_class = 'county'
    {%- endif %}

),

summed as (

    {{ sum_by_specialty('changes', 'county_fips', 'sum(weight)') }}

),

final as (

    {{ add_to_current_sums('summed', 'county_fips', 'decimal(38, 12)') }}

)

select * from final
