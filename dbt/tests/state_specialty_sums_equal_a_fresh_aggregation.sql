{#- Incremental equals full, per state: the sums kept by weekly builds equal a fresh count of
    int_providers_classified (the rows int_state_specialties_summed counts). -#}
{{ config(tags=['incremental_audit']) }}

with

counted as (

    select state_fips, taxonomy_grouping, taxonomy_classification, specialty_groups, 1 as provider
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual and location_class = 'domestic' and state_fips is not null

),

fresh as (

    {{ sum_by_specialty('counted', 'state_fips', 'sum(provider)') }}

),

kept as (

    select * from {{ ref('int_state_specialties_summed') }}

)

select
    coalesce(kept.state_fips, fresh.state_fips) as state_fips,
    coalesce(kept.specialty_kind, fresh.specialty_kind) as specialty_kind,
    coalesce(kept.specialty_grouping, fresh.specialty_grouping) as specialty_grouping,
    coalesce(kept.specialty_name, fresh.specialty_name) as specialty_name,
    kept.providers as kept_providers,
    fresh.providers as fresh_providers
from kept
full join fresh
    on kept.state_fips = fresh.state_fips
    and kept.specialty_kind = fresh.specialty_kind
    and kept.specialty_grouping = fresh.specialty_grouping
    and kept.specialty_name = fresh.specialty_name
where kept.providers is distinct from fresh.providers
