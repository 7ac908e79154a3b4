{#- The NPPES releases the build's per-NPI state is made of: the baseline full release and every
    weekly delta after it (careatlas.transform.run_inputs). -#}
with

source as (

    select * from {{ source('run', 'nppes_releases') }}

),

renamed as (

    select
        dataset,
        release_kind,
        release_date,
        release_version,
        published_rows
    from source

)

select * from renamed
