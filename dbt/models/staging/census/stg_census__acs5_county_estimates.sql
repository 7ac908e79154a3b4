with

source as (

    select * from {{ source('census', 'acs5_county') }}

),

renamed as (

    select

        ---------- ids
        fips as county_fips,
        state as state_fips,

        ---------- strings
        "NAME" as county_name,

        ---------- numerics
        {{ acs_measures(source('census', 'acs5_county')) }},

        ---------- timestamps
        _loaded_at as loaded_at

    from source

)

select * from renamed
