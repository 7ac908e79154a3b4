with

source as (

    select * from {{ source('nucc', 'taxonomy') }}

),

renamed as (

    select

        ---------- ids
        upper(trim("Code")) as taxonomy_code,

        ---------- strings
        nullif(trim("Grouping"), '') as taxonomy_grouping,
        nullif(trim("Classification"), '') as taxonomy_classification,
        nullif(trim("Specialization"), '') as taxonomy_specialization,
        nullif(trim("Display Name"), '') as taxonomy_display_name,
        nullif(trim("Section"), '') as taxonomy_section,
        _source_file as source_file,

        ---------- timestamps
        _loaded_at as loaded_at

    from source

)

select * from renamed
