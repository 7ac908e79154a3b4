{#- A County Health Rankings-compatible measure set, computed the way CHR's published method
    computes it (method_v062_v131_r2025.Rmd, beside the CHR files; docs/validation.md):
    * v062 mental health providers and v131 other primary care providers (NPs, PAs), by the
      code in taxonomy slot 1 (Healthcare Provider Taxonomy Code_1, switch or not) in CHR's
      lists (seed chr_taxonomy_codes);
    * individuals only (entity type 1), every NPI the file lists as such: CHR applies no
      deactivation filter (NPPES blanks a deactivated NPI's entity type);
    * the practice ZIP's first 5 digits, with CHR's Arizona/Ohio ZIP updates (seed
      chr_zip_updates); ZIP 20307 (Walter Reed, closed) dropped; state in the 50 + DC or AA/AE/AP;
      country US;
    * each ZIP to one county: CHR uses SAS's licensed ZIP file, which is not available here, so
      the HUD crosswalk county holding the largest share of the ZIP's addresses (TOT_RATIO; the
      lower FIPS on a tie; pseudo-county 99999 never). CHR's code fixes (02270 -> 02158, 02280 ->
      02195, 46113 -> 46102); a county the denominator lacks shared onto its counties by
      population (seed county_fips_harmonization): Connecticut's old counties onto the 9
      planning regions (CHR used a ZCTA-region crosswalk), or the crosswalk's 2023 counties onto
      an older vintage when the denominator is the run's own;
    * denominator: Census PEP Vintage 2023 July 1, 2023 population where the run loaded it
      (PEP V2023 age/sex), else the run's own total_population (population_source says which);
    * suppression: 0 providers and more than 1,000 (v062) / 4,000 (v131) people -> the value is
      missing; 0 providers in a smaller county -> rate 0, ratio missing.
    One row per (county_fips, measure); counties are the denominator's. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
with

{# the individuals counted, per slot-1 code, ZIP5 and state (int_chr_providers_counted, kept
    incrementally): the joins see ~1e5 groups instead of every NPI's row, and each group carries
    its count, so every sum below is the one over the rows #}
candidates as (

    select slot_one_taxonomy_code, zip5, practice_state_code, providers
    from {{ ref('int_chr_providers_counted') }}

),

providers as (

    select
        codes.measure,
        coalesce(updates.to_zip5, candidates.zip5) as zip5,
        candidates.providers
    from candidates
    inner join {{ ref('chr_taxonomy_codes') }} as codes on candidates.slot_one_taxonomy_code = codes.taxonomy_code
    left join {{ ref('chr_zip_updates') }} as updates on candidates.zip5 = updates.from_zip5
    left join {{ ref('us_states') }} as states on candidates.practice_state_code = states.state_code
    where (states.census_region_code is not null or candidates.practice_state_code in ('AA', 'AE', 'AP'))
        and coalesce(updates.to_zip5, candidates.zip5) != '20307'

),

zip_county as (

    select
        zip5,
        arg_max(county_fips, (total_ratio, -cast(county_fips as integer))) as county_fips
    from {{ ref('stg_hud__zip_counties') }}
    where county_fips != '99999'
    group by zip5

),

fixed as (

    select
        zip5,
        case county_fips when '02270' then '02158' when '02280' then '02195' when '46113' then '46102'
            else county_fips end as county_fips
    from zip_county

),

pep_2023 as (

    select county_fips, total_population, 'Census PEP Vintage 2023 (July 1, 2023)' as population_source
    from {{ ref('stg_census__pep_agesex_estimates') }}
    where estimate_year = 2023 and cast({{ run_value('pep_agesex_vintage') }} as varchar) = '2023'

),

denominators as (

    select * from pep_2023
    union all
    select county_fips, total_population, total_population_source
    from {{ ref('dim_counties') }}
    where not exists (select 1 from pep_2023)

),

onto_denominators as (

    {#- a county the denominator lacks (Connecticut's old counties against PEP's planning regions;
        the 2023 crosswalk's counties against an older vintage) is shared onto the denominator's
        counties by population (seed county_fips_harmonization) -#}
    select from_fips, to_fips, weight
    from {{ ref('county_fips_harmonization') }}
    where from_fips not in (select county_fips from denominators)
        and to_fips in (select county_fips from denominators)

),

placed as (

    select providers.measure, coalesce(onto_denominators.to_fips, fixed.county_fips) as county_fips,
        providers.providers * coalesce(onto_denominators.weight, 1.0) as providers
    from providers
    inner join fixed on providers.zip5 = fixed.zip5
    left join onto_denominators on fixed.county_fips = onto_denominators.from_fips

),

counted as (

    select measure, county_fips, sum(providers) as chr_providers
    from placed
    group by measure, county_fips

),

measures as (

    select distinct measure, suppress_above_population from {{ ref('chr_taxonomy_codes') }}

),

final as (

    select

        ---------- ids
        denominators.county_fips,
        measures.measure,

        ---------- strings
        denominators.population_source,

        ---------- numerics
        coalesce(counted.chr_providers, 0) as chr_providers,
        denominators.total_population,
        case
            when coalesce(counted.chr_providers, 0) > 0
                then 100000.0 * counted.chr_providers / nullif(denominators.total_population, 0)
            when denominators.total_population <= measures.suppress_above_population then 0.0
        end as chr_providers_per_100k,
        denominators.total_population / nullif(counted.chr_providers, 0) as chr_people_per_provider,

        ---------- dates
        (select max(release_date) from {{ ref('stg_run__nppes_releases') }} where release_kind = 'full')
            as nppes_full_release_date,

        ---------- booleans
        coalesce(counted.chr_providers, 0) = 0 and denominators.total_population > measures.suppress_above_population
            as is_suppressed

    from denominators
    cross join measures
    left join counted
        on denominators.county_fips = counted.county_fips and measures.measure = counted.measure

)

select * from final
