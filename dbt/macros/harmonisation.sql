{#- The county code changes of seed county_fips_harmonization that the demographics vintage
    needs: from-counties it lacks, onto to-counties it has, weights renormalised per from-county
    (from_fips, to_fips, weight). Used wherever a geography of another vintage (the HUD
    crosswalk's quarter, the Gazetteer's 2020 counties) meets the vintage's counties. -#}
{% macro counties_harmonised_to_vintage() -%}
    select
        seed.from_fips,
        seed.to_fips,
        seed.weight / sum(seed.weight) over (partition by seed.from_fips) as weight
    from {{ ref('county_fips_harmonization') }} as seed
    inner join {{ ref('int_county_demographics') }} as vintage on seed.to_fips = vintage.county_fips
    where seed.from_fips not in (select county_fips from {{ ref('int_county_demographics') }})
{%- endmacro %}
