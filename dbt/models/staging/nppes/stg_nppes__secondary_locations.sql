{#- Secondary practice locations (pl_pfile) of the baseline release, typed like the primary
    practice location in stg_nppes__providers: ZIP = the first five digits of a 5- or 9-digit
    postal code, a blank country is US. Tagged reference: it changes only with the baseline
    release, which re-baselines. -#}
{{ config(tags=['reference']) }}

with

source as (

    select * from {{ source('nppes', 'pl') }}

),

renamed as (

    select

        ---------- ids
        npi,
        _source_row as source_row,

        ---------- strings
        upper(provider_secondary_practice_location_address_state_name) as location_state_code,
        case
            when regexp_full_match(provider_secondary_practice_location_address_postal_code, '[0-9]{5}([0-9]{4})?')
                then left(provider_secondary_practice_location_address_postal_code, 5)
        end as location_zip5,
        coalesce(
            upper(provider_secondary_practice_location_address_country_code_if_outside_u_s), 'US'
        ) as location_country_code,

        ---------- dates
        _release as release_date

    from source

)

select * from renamed
