{#- Each demographic measure's product, vintage and label for this build
    (careatlas.transform.run_inputs), read through demographic_source(). -#}
with

source as (

    select * from {{ source('run', 'demographic_sources') }}

),

renamed as (

    select
        measure,
        product,
        vintage,
        source_label
    from source

)

select * from renamed
