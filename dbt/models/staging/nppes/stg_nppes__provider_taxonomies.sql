{#- The 15 taxonomy slots of every NPPES record, one row per filled slot. Slot 1 is not
    always the primary one: the primary switch says which is (Y primary, N not, X not
    answered). INCLUDE NULLS: a filled code with a blank switch is still a taxonomy. -#}
{%- set slot_columns -%}
    npi, _release,
    {%- for slot in range(1, 16) %}
    healthcare_provider_taxonomy_code_{{ slot }}, healthcare_provider_primary_taxonomy_switch_{{ slot }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endset -%}

with

source as (

    {{ from_nppes_releases(slot_columns) }}

),

unpivoted as (

    select *
    from source
    unpivot include nulls (
        (code, switch) for slot in (
        {%- for slot in range(1, 16) %}
            (healthcare_provider_taxonomy_code_{{ slot }}, healthcare_provider_primary_taxonomy_switch_{{ slot }}) as '{{ slot }}'{{ ',' if not loop.last }}
        {%- endfor %}
        )
    )

),

renamed as (

    select

        ---------- ids
        npi,
        release_kind,
        _release as release_date,
        cast(slot as tinyint) as taxonomy_slot,

        ---------- strings
        upper(code) as taxonomy_code,
        upper(switch) as primary_taxonomy_switch,

        ---------- booleans
        coalesce(upper(switch) = 'Y', false) as is_primary_switch

    from unpivoted
    where code is not null

)

select * from renamed
