{#- The build's own inputs, one row (careatlas.transform.run_inputs): what every model that
    asks "which run is this, and what does it read?" reads, through run_value(). -#}
with

source as (

    select * from {{ source('run', 'build') }}

),

renamed as (

    select
        run_id,
        is_rebaseline,
        reference_fingerprint,
        demographics_product,
        acs_year,
        pep_population_vintage,
        pep_agesex_vintage,
        saipe_vintage,
        nppes_full_rows,
        nppes_weekly_rows,
        location_allocation
    from source

)

select * from renamed
