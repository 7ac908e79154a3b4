{#- What closes a gap: per county and measure, the practitioners needed to reach the HRSA
    ratio the screen uses, HRSA's "practitioners needed": population / threshold - current
    supply, never below 0 (42 CFR Part 5 App. A Part I and App. C Part I.D; thresholds from seed
    hrsa_shortage_thresholds, criterion a: primary care 3,500:1, dental 5,000:1, core mental
    health 6,000:1 and psychiatrists 20,000:1; the high-need thresholds 3,000 / 4,000 / 4,500
    / 15,000 where the county is high need for the discipline, the standard ones where it is
    not or unknown). Two supplies: headcount and FTE-weighted (int_county_group_supply).
    Primary care is measured twice: MD/DO only (the HPSA count) and with nurse practitioners
    and physician assistants in primary care added (primary_care_with_np_pa, same threshold).
    Counties the crosswalk does not reach have unknown supply: null. -#}
with

counties as (

    select * from {{ ref('fct_county_access') }}

),

measures as (

    {#- measure, the discipline whose screen it serves, its threshold row, the supply groups #}
    select * from (values
        ('primary_care', 'primary_care', 'primary_care', ['primary_care']),
        ('primary_care_with_np_pa', 'primary_care', 'primary_care', ['primary_care', 'np_pa_primary_care']),
        ('dental', 'dental', 'dental', ['dental']),
        ('core_mental_health', 'mental_health', 'core_mental_health', ['core_mental_health']),
        ('psychiatry', 'mental_health', 'psychiatry', ['psychiatry'])
    ) as m(measure, discipline, threshold_group, supply_groups)

),

thresholds as (

    select * from {{ ref('hrsa_shortage_thresholds') }} where criterion = 'a'

),

{#- one row per measure and supply group: an equality join below (a list_contains join
    condition is a nested loop over every county, measure and group row) -#}
measure_groups as (

    select measure, unnest(supply_groups) as provider_group from measures

),

supply as (

    select
        counties.county_fips,
        measure_groups.measure,
        coalesce(sum(group_supply.providers), 0) as providers,
        coalesce(sum(group_supply.providers_fte), 0) as providers_fte
    from counties
    cross join measure_groups
    left join {{ ref('int_county_group_supply') }} as group_supply
        on counties.county_fips = group_supply.county_fips
        and measure_groups.provider_group = group_supply.provider_group
    group by all

),

applied as (

    select
        counties.*,
        measures.measure,
        measures.discipline,
        case measures.discipline
            {%- for d in shortage_disciplines() %}
            when '{{ d }}' then counties.is_{{ d }}_high_need
            {%- endfor %}
        end as is_high_need,
        case measures.discipline
            {%- for d in shortage_disciplines() %}
            when '{{ d }}' then counties.is_{{ d }}_shortage
            {%- endfor %}
        end as is_discipline_shortage,
        thresholds.standard_min_people_per_provider,
        thresholds.high_need_min_people_per_provider,
        thresholds.high_need_comparison,
        supply.providers,
        supply.providers_fte
    from counties
    cross join measures
    inner join thresholds on measures.threshold_group = thresholds.provider_group
    inner join supply on counties.county_fips = supply.county_fips and measures.measure = supply.measure

),

final as (

    select

        ---------- ids
        county_fips,
        state_fips,

        ---------- strings
        county_name,
        state_code,
        discipline,
        measure,

        ---------- numerics
        total_population,
        {%- set known = "crosswalk_coverage != 'none'" %}
        {%- set threshold = "case when coalesce(is_high_need, false) then high_need_min_people_per_provider else standard_min_people_per_provider end" %}
        {{ threshold }} as threshold_people_per_provider,
        case when {{ known }} then providers end as providers,
        case when {{ known }} then providers_fte end as providers_fte,
        case when {{ known }} then {{ people_per('total_population', 'providers') }} end as people_per_provider,
        case when {{ known }} then {{ people_per('total_population', 'providers_fte') }} end as people_per_fte,
        case when {{ known }} then greatest(0, total_population / ({{ threshold }}) - providers) end as practitioners_needed,
        case when {{ known }} then greatest(0, total_population / ({{ threshold }}) - providers_fte) end as practitioners_needed_fte,

        ---------- booleans
        is_high_need,
        is_discipline_shortage,
        {#- the measure's own ratio against the threshold it is measured with: for primary care
            and dental (one criterion) the screen itself; for core and psychiatry one half of
            mental-health criterion a -#}
        case when {{ known }} and total_population > 0 then
            providers = 0
            or case
                when coalesce(is_high_need, false) and high_need_comparison = 'gt'
                    then total_population / providers > high_need_min_people_per_provider
                when coalesce(is_high_need, false)
                    then total_population / providers >= high_need_min_people_per_provider
                else total_population / providers >= standard_min_people_per_provider
            end
        end as is_short_at_this_supply

    from applied

)

select * from final
