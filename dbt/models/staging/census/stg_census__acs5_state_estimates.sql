with

source as (

    select * from {{ source('census', 'acs5_state') }}

),

renamed as (

    select

        ---------- ids
        fips as state_fips,

        ---------- strings
        "NAME" as state_name,

        ---------- numerics
        {{ acs_measures(source('census', 'acs5_state')) }},

        ---------- timestamps
        _loaded_at as loaded_at

    from source

)

select * from renamed
