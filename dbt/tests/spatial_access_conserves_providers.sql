{#- E2SFCA shares every provider out whole (Luo & Qi 2009, step 2 redistributes each supply
    ratio over the population that produced it): per discipline, the population-weighted sum of
    the index equals the providers at ZCTAs with anyone within the catchment, to 1e-6 of the
    total. A wrong weight, band or step breaks it. -#}

with

access as (

    select * from {{ ref('fct_zcta_spatial_access') }}

),

{#- a populated ZCTA always reaches its own people (distance 0); only providers at unpopulated
    ZCTAs can reach no one, so the shared-out total lies between providers less theirs and all #}
totals as (

    select
        discipline,
        sum(population * access_per_100k) / 100000.0 as shared_out,
        sum(providers) as providers
    from access
    group by discipline

)

select *
from totals
where shared_out > providers * (1 + 1e-6) + 1e-6
    or shared_out < providers - (select sum(providers) from access as a
        where a.discipline = totals.discipline and a.population = 0) - 1e-6
