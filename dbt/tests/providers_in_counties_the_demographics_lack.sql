{#- The share of US providers (all but foreign and military) allocated to a crosswalk county
    the demographics vintage lacks even after harmonisation (county_not_in_demographics), as a
    whole percent: any warns, more than 1% fails. Territories the product does not cover are
    their own class and not counted here. -#}
{{ config(fail_calc='coalesce(max(failing_pct), 0)', warn_if='>0', error_if='>1') }}

with

outside as (

    select
        sum(providers) filter (where location_class = 'county_not_in_demographics') as unplaced,
        sum(providers) filter (where location_class not in ('foreign', 'military')) as domestic
    from {{ ref('fct_providers_outside_counties') }}

),

placed as (

    select sum(individual_providers) as providers from {{ ref('fct_county_access') }}

)

select
    cast(ceil(100.0 * outside.unplaced / (outside.domestic + placed.providers)) as integer) as failing_pct,
    outside.unplaced as providers_in_counties_not_in_demographics,
    outside.domestic + placed.providers as us_providers
from outside, placed
where outside.unplaced > 0
