{#- The deactivation report(s) as landed from the xlsx. Without any report in the lake this is
    an empty relation of the same shape. -#}
with

{%- if var('nppes_deactivation_files') | length > 0 %}

source as (

    select * from {{ source('nppes', 'deactivations') }}

),
{%- else %}

source as (

    select
        cast(null as varchar) as "NPI",
        cast(null as varchar) as "NPPES Deactivation Date",
        cast(null as varchar) as _source_file,
        cast(null as timestamptz) as _loaded_at
    where false

),
{%- endif %}

renamed as (

    select

        ---------- ids
        try_cast(trim("NPI") as bigint) as npi,  {#- not_null and npi_check_digit tests name bad values #}

        ---------- strings
        _source_file as source_file,

        ---------- dates
        try_strptime(trim("NPPES Deactivation Date"), '%m/%d/%Y')::date as deactivation_date,

        ---------- timestamps
        _loaded_at as loaded_at

    from source

)

select * from renamed
