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
        {{ acs_measures() }},

        ---------- timestamps
        _loaded_at as loaded_at

    from source
    where {{ acs_vintage_filter(source('census', 'acs5_state')) }}

)

select * from renamed
