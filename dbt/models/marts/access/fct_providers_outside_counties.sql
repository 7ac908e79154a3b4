{#- Active individual providers kept out of county figures, counted here so none is lost:
    foreign addresses, military (APO/FPO: AA, AE, AP), domestic addresses without a usable ZIP
    or whose ZIP is not in the crosswalk, shares allocated to a crosswalk county the
    demographics vintage lacks even after harmonisation (county_not_in_demographics), and
    shares in a territory the demographics do not cover (territory_not_in_demographics: PR,
    GU, VI, ... with the offline products). The allocation already carries the class. -#}
with

outside as (

    select location_class, practice_state_code, practice_country_code, allocation_weight
    from {{ ref('int_provider_locations_allocated') }}
    where location_class != 'county'

),

final as (

    select

        ---------- strings
        location_class,
        practice_state_code,
        practice_country_code,

        ---------- numerics
        fsum(allocation_weight) as providers

    from outside
    group by all

)

select * from final
