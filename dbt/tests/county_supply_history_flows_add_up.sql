{#- Each step of the supply history reconciles exactly (decimal weights): the net change is
    entries - exits + moves in - moves out, new NPIs are entries, deactivations are exits. -#}
select *
from {{ ref('fct_county_supply_history') }}
where previous_release_date is not null
    and (
        net_change != entries - exits + moves_in - moves_out
        or net_change != providers - previous_providers
        or new_npis > entries
        or deactivations > exits
    )
