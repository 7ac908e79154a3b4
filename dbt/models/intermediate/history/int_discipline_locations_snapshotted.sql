{#- The discipline locations as of the release the supply history recorded last: rebuilt after
    fct_county_supply_history (depends_on below), which reads the previous build's copy without
    a ref (a ref would be a cycle) to tell entries, exits and moves of the next release. -#}
-- depends_on: {{ ref('fct_county_supply_history') }}
{{ config(materialized='table') }}

select
    npi,
    discipline,
    county_fips,
    weight,
    (select max(release_date) from {{ source('run', 'nppes_releases') }}) as release_date
from {{ ref('int_discipline_locations_current') }}
