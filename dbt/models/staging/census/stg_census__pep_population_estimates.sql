{#- Census PEP population totals, one row per state or county per estimate year (the
    POPESTIMATE<year> columns unpivoted; int_county_demographics reads the vintage's own year).
    The vendored file writes counts as floats ('6604.0'). -#}
with

source as (

    select * from {{ source('census', 'pep_population') }}

),

estimates as (

    unpivot source
    on columns('^POPESTIMATE[0-9]{4}$')
    into name estimate_column value estimate

),

renamed as (

    select

        ---------- ids
        case when trim(countycode) = '000' then lpad(trim(statecode), 2, '0') else lpad(trim(fipscode), 5, '0') end as fips,
        lpad(trim(statecode), 2, '0') as state_fips,

        ---------- strings
        case
            when trim(statecode) = '00' then 'nation'
            when trim(countycode) = '000' then 'state'
            else 'county'
        end as geography_level,
        trim("CTYNAME") as area_name,
        _source_file as source_file,

        ---------- numerics
        cast(right(estimate_column, 4) as integer) as estimate_year,
        {{ census_number('estimate', 'bigint') }} as total_population,
        {{ census_number('ESTIMATESBASE2020', 'bigint') }} as estimates_base_2020,

        ---------- timestamps
        _loaded_at as loaded_at

    from estimates

)

select * from renamed
