{#- The deactivation report(s) as landed from the xlsx. Without any report in the lake the
    source has no rows (macro create_run_input_views). Tagged reference: a new report changes
    the reference fingerprint and re-baselines, so a weekly build would re-test the same one. -#}
{{ config(tags=['reference']) }}

with

source as (

    select * from {{ source('nppes', 'deactivations') }}

),

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
