{#- The distinct secondary practice locations of each NPI (pl_pfile), keyed like a primary
    location (macro practice_location_key): a domestic ZIP5, else the reason it is not one
    (foreign, military, no_zip). Two pl rows in one ZIP are one location: NPPES addresses are
    free text (one building is written several ways), the ZIP is what deduplicates reliably,
    and every address in a ZIP is allocated to counties alike. A table (not ephemeral) so the
    allocation's unit tests can give it rows; tagged reference like its staging model. -#}
{{ config(materialized='table', tags=['reference']) }}

with

locations as (

    select
        npi,
        location_zip5,
        location_state_code,
        case
            when location_country_code != 'US' then 'foreign'
            when location_state_code in ('AA', 'AE', 'AP') then 'military'
            else 'domestic'
        end as location_class
    from {{ ref('stg_nppes__secondary_locations') }}

),

keyed as (

    select
        npi,
        {{ practice_location_key('location_class', 'location_zip5') }} as location_key,
        location_class,
        any_value(location_zip5) as location_zip5,
        any_value(location_state_code) as location_state_code
    from locations
    group by all

)

select * from keyed
