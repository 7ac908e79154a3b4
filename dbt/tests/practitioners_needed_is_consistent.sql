{#- fct_county_practitioners_needed agrees with itself and with the screens: FTEs never exceed
    the headcount, so the FTE variant never needs fewer practitioners; adding NPs and PAs never
    lowers primary-care supply; and for primary care and dental (one criterion each) "short at
    this supply" is fct_county_access's screen, so the threshold chosen (standard or high need)
    is the one the screen used. Returns the offending rows with the rule they break. -#}
with

needed as (

    select * from {{ ref('fct_county_practitioners_needed') }}

),

access as (

    select * from {{ ref('fct_county_access') }}

)

select county_fips, measure, 'providers_fte exceeds providers' as rule
from needed where providers_fte > providers + 1e-9

union all

select county_fips, measure, 'fte variant needs fewer practitioners'
from needed where practitioners_needed_fte < practitioners_needed - 1e-9

union all

select md.county_fips, md.measure, 'NPs and PAs lower primary-care supply'
from needed as md
inner join needed as with_np_pa
    on md.county_fips = with_np_pa.county_fips and with_np_pa.measure = 'primary_care_with_np_pa'
where md.measure = 'primary_care' and with_np_pa.providers < md.providers - 1e-9

union all

select needed.county_fips, needed.measure, 'disagrees with the fct_county_access screen'
from needed
inner join access on needed.county_fips = access.county_fips
where (needed.measure = 'primary_care' and needed.is_short_at_this_supply is distinct from access.is_primary_care_shortage
        and access.is_primary_care_shortage is not null)
    or (needed.measure = 'dental' and needed.is_short_at_this_supply is distinct from access.is_dental_shortage
        and access.is_dental_shortage is not null)
