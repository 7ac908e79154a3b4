{#- Active safety-net organisations (NPPES entity type 2 whose primary taxonomy is in seed
    safety_net_taxonomies), each placed whole in one county: the county of its practice ZIP
    with the largest crosswalk weight (ties: the lower FIPS), as DOMAIN.md allows for a single
    site; an organisation is one site, so it is not split into fractions. Foreign, military
    and unplaceable addresses keep a null county and say why (location_class).
    Incremental per NPI like int_providers_classified: a weekly build deletes the rows of the
    NPIs it changed and appends those still safety-net organisations. An organisation's row
    depends only on its own record, the seed and the crosswalk (tag reference: a change of
    either re-baselines), so the table equals a full rebuild. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_npis('int_providers_classified') }}",
    )
}}

with

organisations as (

    select
        classified.npi,
        classified.applied_run_id,
        classified.practice_state_code,
        classified.practice_zip5,
        classified.location_class as address_class,
        codes.safety_net_type,
        classified.primary_taxonomy_code
    from {{ ref('int_providers_classified') }} as classified
    inner join {{ ref('safety_net_taxonomies') }} as codes
        on classified.primary_taxonomy_code = codes.taxonomy_code
    where classified.is_active and classified.entity_type_code = '2'
    {%- if is_incremental() %}
        and classified.applied_run_id = {{ run_value('run_id') }}
    {%- endif %}

),

largest_county as (

    select
        zip5,
        arg_max(county_fips, (allocation_weight, -cast(county_fips as integer))) as county_fips,
        arg_max(county_class, (allocation_weight, -cast(county_fips as integer))) as county_class
    from {{ ref('int_zip_counties_weighted') }}
    group by zip5

),

placed as (

    select
        organisations.npi,
        organisations.applied_run_id,
        case when largest_county.county_class = 'county' then largest_county.county_fips end as county_fips,
        organisations.safety_net_type,
        organisations.primary_taxonomy_code,
        organisations.practice_state_code,
        case
            when organisations.address_class != 'domestic' then organisations.address_class
            when organisations.practice_zip5 is null then 'no_zip'
            when largest_county.county_fips is null then 'zip_not_in_crosswalk'
            else largest_county.county_class
        end as location_class
    from organisations
    left join largest_county
        on organisations.address_class = 'domestic' and organisations.practice_zip5 = largest_county.zip5

)

select * from placed
