with

source as (

    select * from {{ source('hud', 'zip_county') }}

),

renamed as (

    select

        ---------- ids
        lpad(trim("ZIP"), 5, '0') as zip5,
        lpad(trim("COUNTY"), 5, '0') as county_fips,

        ---------- strings
        upper(trim("USPS_ZIP_PREF_STATE")) as usps_state_code,
        trim("USPS_ZIP_PREF_CITY") as usps_city_name,
        _source_file as source_file,

        ---------- numerics
        {#- text such as '9.43E-4' casts to double exactly as written #}
        try_cast(trim("RES_RATIO") as double) as residential_ratio,
        try_cast(trim("BUS_RATIO") as double) as business_ratio,
        try_cast(trim("OTH_RATIO") as double) as other_ratio,
        try_cast(trim("TOT_RATIO") as double) as total_ratio,

        ---------- timestamps
        _loaded_at as loaded_at

    from source

)

select * from renamed
