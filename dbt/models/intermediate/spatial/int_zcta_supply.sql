{#- Providers of each spatial-access discipline at each practice ZIP: active individual
    providers (headcount) whose primary taxonomy is in the discipline's HRSA group (seed
    access_disciplines: primary_care, dental, core_mental_health of 42 CFR Part 5 App. A-C) at a domestic
    primary practice location. A ZIP is placed at the centroid of the ZCTA of the same code
    (Census ZCTAs approximate ZIP service areas); a ZIP without a ZCTA (PO boxes, single-site
    ZIPs) cannot be placed: is_at_zcta is false and its providers are left out of the spatial
    models (a test bounds their share). Rebuilt on every build: a full scan of
    int_providers_classified grouped by ZIP, seconds at national size. -#}
{{ config(materialized='table') }}

with

providers as (

    select practice_zip5 as zip5, unnest(specialty_groups) as specialty_group
    from {{ ref('int_providers_classified') }}
    where is_active and is_individual and location_class = 'domestic' and practice_zip5 is not null

),

disciplines as (

    select * from {{ ref('access_disciplines') }}

),

zctas as (

    select "ZCTA5" as zcta5 from {{ ref('gazetteer_2023_zctas') }}

),

summed as (

    select providers.zip5, disciplines.discipline, count(*) as providers
    from providers
    inner join disciplines on providers.specialty_group = disciplines.specialty_group
    group by providers.zip5, disciplines.discipline

),

final as (

    select
        summed.zip5,
        summed.discipline,
        summed.providers,
        zctas.zcta5 is not null as is_at_zcta
    from summed
    left join zctas on summed.zip5 = zctas.zcta5

)

select * from final
