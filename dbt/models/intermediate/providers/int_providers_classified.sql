{#- Every NPI of the current state with its status, primary taxonomy, specialty groups and
    where it practises. Incremental like int_providers_merged: a run rewrites only the NPIs it
    changed (reference data changes re-baseline everything, careatlas.transform.inputs).
    Active: no deactivation date (from the record or the latest deactivation report), or a
    reactivation on or after it. Primary taxonomy: the slot switched Y (lowest slot if
    several); without a Y, the lowest filled slot (basis says which). Location class: foreign
    (country not US), military (state AA/AE/AP) or domestic.
    Clinician: the primary taxonomy's NUCC grouping is a clinical one (seed taxonomy_groupings:
    not students, transport, aides, other services, organisation codes); a code NUCC does not
    list is not counted as a clinician. Resident: a clinician whose record also lists the
    student taxonomy 390200000X in another slot (interns and residents, whom HRSA counts as a
    fraction of an FTE). Stale: last updated 10 or more years before the release the record
    comes from (NPPES never forces updates; retired and moved clinicians stay listed).
    Slot 1 taxonomy: the code in Healthcare Provider Taxonomy Code_1 whatever its switch (County
    Health Rankings counts by it, marts/reference). RUCA: the USDA ERS RUCA 2010 codes of the
    practice ZIP (seed ruca_2010_zips; null for a ZIP ERS does not list). -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
-- depends_on: {{ ref('int_providers_replaced') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_npis('int_providers_merged') }}",
    )
}}

with

providers as (

    select * from {{ ref('int_providers_merged') }}
    {%- if is_incremental() %}
    where applied_run_id = {{ run_value('run_id') }}
    {%- endif %}

),

{#- One row per record (npi, release): its taxonomy slots summed up before the single join to
    providers. Aggregating first and joining once on the record's key keeps one hash table of the
    aggregate instead of a join of every slot row to the providers and another of the result
    (at 10x, the join of slot rows spilled most of this model). Superseded records' rows are
    aggregated too and find no provider. -#}
record_taxonomies as (

    select
        npi,
        release_kind,
        release_date,
        arg_min(taxonomy_code, (not is_primary_switch, taxonomy_slot)) as taxonomy_code,
        case
            when bool_or(is_primary_switch) then 'switch'
            when count(*) = 1 then 'only_taxonomy'
            else 'first_slot'
        end as primary_taxonomy_basis,
        count(*) filter (where is_primary_switch) as primary_switches,
        bool_or(taxonomy_code = '390200000X') as has_student_taxonomy,
        max(taxonomy_code) filter (where taxonomy_slot = 1) as slot_one_taxonomy_code
    from {{ ref('stg_nppes__provider_taxonomies') }}
    {%- if is_incremental() %}
    {#- changed records are weekly ones: the full release's Parquet is not read #}
    where release_kind = 'weekly'
        and npi in (select npi from providers)
    {%- endif %}
    group by npi, release_kind, release_date

),

report as (

    select npi, max(deactivation_date) as deactivation_date
    from {{ ref('stg_nppes__deactivations') }}
    group by npi

),

nucc as (

    select * from {{ ref('stg_nucc__taxonomies') }}

),

groups as (

    select taxonomy_code, list(specialty_group order by specialty_group) as specialty_groups
    from {{ ref('int_taxonomies_grouped') }}
    group by taxonomy_code

),

states as (

    select * from {{ ref('us_states') }}

),

groupings as (

    select * from {{ ref('taxonomy_groupings') }}

),

ruca as (

    select * from {{ ref('ruca_2010_zips') }}

),

joined as (

    select
        providers.*,
        primary_taxonomies.taxonomy_code as primary_taxonomy_code,
        primary_taxonomies.primary_taxonomy_basis,
        primary_taxonomies.primary_switches,
        primary_taxonomies.has_student_taxonomy,
        primary_taxonomies.slot_one_taxonomy_code,
        ruca.ruca_primary_code as practice_ruca_code,
        ruca.ruca_secondary_code as practice_ruca_secondary_code,
        groupings.is_clinician as is_clinical_grouping,
        nucc.taxonomy_grouping,
        nucc.taxonomy_classification,
        nucc.taxonomy_specialization,
        coalesce(groups.specialty_groups, []) as specialty_groups,
        states.state_fips,
        greatest(providers.deactivation_date, report.deactivation_date) as latest_deactivation_date
    from providers
    left join report on providers.npi = report.npi
    left join record_taxonomies as primary_taxonomies
        on providers.npi = primary_taxonomies.npi
        and providers.release_kind = primary_taxonomies.release_kind
        and providers.release_date = primary_taxonomies.release_date
    left join nucc on primary_taxonomies.taxonomy_code = nucc.taxonomy_code
    left join groups on primary_taxonomies.taxonomy_code = groups.taxonomy_code
    left join states on providers.practice_state_code = states.state_code
    left join groupings on nucc.taxonomy_grouping = groupings.taxonomy_grouping
    left join ruca on providers.practice_zip5 = ruca.zip5

),

classified as (

    select

        ---------- ids
        npi,
        state_fips,
        applied_run_id,

        ---------- strings
        entity_type_code,
        primary_taxonomy_code,
        primary_taxonomy_basis,
        slot_one_taxonomy_code,
        taxonomy_grouping,
        taxonomy_classification,
        taxonomy_specialization,
        specialty_groups,
        practice_state_code,
        practice_zip5,
        practice_country_code,
        case
            when practice_country_code != 'US' then 'foreign'
            when practice_state_code in ('AA', 'AE', 'AP') then 'military'
            else 'domestic'
        end as location_class,

        ---------- numerics
        coalesce(primary_switches, 0) as primary_switches,
        practice_ruca_code,
        practice_ruca_secondary_code,

        ---------- booleans
        coalesce(entity_type_code = '1', false) as is_individual,
        coalesce(
            latest_deactivation_date is null or reactivation_date >= latest_deactivation_date, false
        ) as is_active,
        coalesce(is_clinical_grouping, false) as is_clinician,
        coalesce(is_clinical_grouping and has_student_taxonomy, false) as is_resident,
        last_update_date <= release_date - interval 10 year as is_stale,

        ---------- dates
        release_date,
        latest_deactivation_date as deactivation_date,
        reactivation_date,
        record_effective_date,
        enumeration_date,
        last_update_date

    from joined

)

select * from classified
