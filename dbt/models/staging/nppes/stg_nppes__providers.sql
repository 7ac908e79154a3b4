with

source as (

    {{ from_nppes_releases('*') }}

),

renamed as (

    select

        ---------- ids
        npi,
        release_kind,
        _release as release_date,
        _source_row as source_row,

        ---------- strings
        entity_type_code,
        upper(provider_business_practice_location_address_state_name) as practice_state_code,
        provider_business_practice_location_address_postal_code as practice_postal_code,
        {#- ZIP+4 is stored as 9 digits without a hyphen; anything else has no usable ZIP #}
        case
            when regexp_full_match(provider_business_practice_location_address_postal_code, '[0-9]{5}([0-9]{4})?')
                then left(provider_business_practice_location_address_postal_code, 5)
        end as practice_zip5,
        {#- NPPES fills the country for every address; a blank one is treated as US #}
        coalesce(
            upper(provider_business_practice_location_address_country_code_if_outside_u_s), 'US'
        ) as practice_country_code,
        _source_file as source_file,

        ---------- dates
        provider_enumeration_date as enumeration_date,
        last_update_date,
        npi_deactivation_date as deactivation_date,
        npi_reactivation_date as reactivation_date,

        ---------- timestamps
        _loaded_at as loaded_at

    from source

)

select * from renamed
