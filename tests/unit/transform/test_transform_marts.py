"""The marts of the scenario lake (tests/fixtures/scenario.py) against numbers worked out by
hand, from a real dbt build on DuckDB over contract-shaped Parquet."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl
import pytest
from fixtures import scenario
from fixtures.scenario import ADDISON, BELKNAP, CARROLL, CHITTENDEN, CHUGACH, COPPER_RIVER, VALDEZ_CORDOVA
from fixtures.small_lake import make_npi

from careatlas.shared import layout

ALL_COUNTIES = [VALDEZ_CORDOVA, BELKNAP, CARROLL, ADDISON, CHITTENDEN]


def row(frame: pl.DataFrame, **where: Any) -> dict[str, Any]:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()]).to_dicts()
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return rows[0]


def test_two_primary_care_providers_for_7000_people_is_a_shortage(baseline) -> None:
    chittenden = row(baseline.mart("fct_county_access"), county_fips=CHITTENDEN)
    assert chittenden["total_population"] == 7000
    # deactivated, cardiology slot 1 and the sports-medicine subspecialty excluded
    assert chittenden["primary_care_providers"] == 2
    assert chittenden["people_per_primary_care_provider"] == 3500
    assert chittenden["primary_care_providers_per_100k"] == pytest.approx(2 / 7000 * 100_000)
    assert chittenden["is_primary_care_shortage_standard"] is True  # >= 3,500
    assert chittenden["is_primary_care_shortage"] is True


def test_high_need_county_uses_the_high_need_threshold(baseline) -> None:
    addison = row(baseline.mart("fct_county_access"), county_fips=ADDISON)
    assert addison["poverty_rate_pct"] == 25 and addison["is_primary_care_high_need"] is True
    assert addison["primary_care_providers"] == 3  # cardiologist is not primary care
    assert addison["people_per_primary_care_provider"] == pytest.approx(10_000 / 3)
    assert addison["is_primary_care_shortage_standard"] is False  # 3,333 < 3,500
    assert addison["is_primary_care_shortage_high_need"] is True  # > 3,000 and poverty > 20%
    assert addison["is_primary_care_shortage"] is True


@pytest.mark.parametrize(
    ("fips", "dentists", "all_dentists", "core", "psychiatrists", "dental", "mental"),
    [
        # reactivated dentist + 0.75 of two 05060 dentists; psychiatrist + 0.75 psychologist
        (CHITTENDEN, 2.5, 2.5, 1.75, 1, False, False),
        # pediatric + general dentist + 0.25 of two: 10,000 / 2.5 = 4,000 per dentist, exactly the
        # high-need threshold (> 4,000): no shortage; the orthodontist counts only in all_dentists
        (ADDISON, 2.5, 3.5, 0.25, 0, False, True),
        # 0.25 of a clinical social worker; the school psychologist is not core mental health
        (BELKNAP, 0, 0, 0.25, 0, True, True),
        # 10 dentists: 4,000 people each (< 5,000, not high need); core 0.75 -> 53,333
        (CARROLL, 10, 10, 0.75, 0, False, True),
        # no dentist; one clinical psychologist: 9,000 per core provider, criterion (b) >= 9,000
        (VALDEZ_CORDOVA, 0, 0, 1, 0, True, True),
    ],
)
def test_dental_and_mental_health_screens(baseline, fips, dentists, all_dentists, core, psychiatrists,
                                          dental, mental) -> None:
    access = row(baseline.mart("fct_county_access"), county_fips=fips)
    assert access["dentists"] == pytest.approx(dentists)
    assert access["all_dentists"] == pytest.approx(all_dentists)
    assert access["core_mental_health_providers"] == pytest.approx(core)
    assert access["psychiatrists"] == pytest.approx(psychiatrists)
    assert access["is_dental_shortage"] is dental
    assert access["is_mental_health_shortage"] is mental


@pytest.mark.parametrize(
    ("fips", "primary_care", "dental", "mental_health"),
    [
        (ADDISON, True, True, True),  # poverty 25%
        (BELKNAP, False, False, True),  # poverty exactly 20%: Apps. A/B say more than 20%, App. C 20%
        (CARROLL, False, False, False),  # elderly ratio exactly 0.25 (6,400 : 25,600): not above
        (VALDEZ_CORDOVA, False, False, True),  # youth ratio 3,300 : 5,000 = 0.66 > 0.6
        (CHITTENDEN, False, False, False),  # 10%; youth 0.30, elderly 0.22
    ],
)
def test_high_need_per_discipline_at_the_regulation_boundaries(baseline, fips, primary_care, dental,
                                                              mental_health) -> None:
    county = row(baseline.mart("dim_counties"), county_fips=fips)
    assert (county["is_primary_care_high_need"], county["is_dental_high_need"],
            county["is_mental_health_high_need"]) == (primary_care, dental, mental_health)
    if fips == CARROLL:
        assert county["elderly_ratio"] == 0.25 and county["youth_ratio"] == pytest.approx(8000 / 25_600)


def test_vintage_mismatch_is_harmonised_not_a_shortage(baseline) -> None:
    """The crosswalk has Alaska's 2019 counties, the vintage the old 02261: the seed merges
    02063 + 02066 into it, so its providers are counted there instead of leaving it empty."""
    access = baseline.mart("fct_county_access")
    valdez = row(access, county_fips=VALDEZ_CORDOVA)
    assert valdez["crosswalk_coverage"] == "harmonised"
    assert valdez["individual_providers"] == 5 and valdez["primary_care_providers"] == 4
    assert valdez["people_per_primary_care_provider"] == 2250
    assert valdez["is_primary_care_shortage"] is False  # without the seed: 0 providers, shortage
    assert set(access["county_fips"]) == set(ALL_COUNTIES)  # 02063/02066 are not vintage counties
    assert set(access["crosswalk_coverage"]) == {"full", "harmonised"}
    outside = baseline.mart("fct_providers_outside_counties")
    assert "county_not_in_demographics" not in set(outside["location_class"])
    with duckdb.connect(str(baseline.warehouse), read_only=True) as con:
        weights = dict(con.execute("select zip5, sum(allocation_weight) from intermediate.int_zip_counties_weighted "
                                   "where county_fips = ? group by 1", [VALDEZ_CORDOVA]).fetchall())
        pseudo = con.execute("select count(*) from intermediate.int_zip_counties_weighted "
                             "where county_fips = '99999'").fetchone()[0]
    assert weights == {"99686": 1.0, "99573": 1.0} and {CHUGACH, COPPER_RIVER}.isdisjoint(weights)
    assert pseudo == 0  # HUD's pseudo-county takes no weight: 53402 goes wholly to 55101


def test_county_without_provider_screens_as_shortage_with_no_ratio(baseline) -> None:
    belknap = row(baseline.mart("fct_county_access"), county_fips=BELKNAP)
    assert belknap["primary_care_providers"] == 0
    assert belknap["people_per_primary_care_provider"] is None  # no provider is not a ratio
    assert belknap["is_primary_care_shortage"] is True
    carroll = row(baseline.mart("fct_county_access"), county_fips=CARROLL)
    assert carroll["people_per_primary_care_provider"] == 2000  # includes the switch-X physician
    assert carroll["is_primary_care_shortage"] is False


def test_every_active_individual_is_counted_once(baseline) -> None:
    access = baseline.mart("fct_county_access")
    outside = baseline.mart("fct_providers_outside_counties")
    # 53 active individuals at county ZIPs (Chittenden 6 + Addison 7 + 3 split at 05060 + Belknap
    # 1 + 1 split at 03813 + Carroll 30 + Alaska 5): fractions add to 1
    assert access["individual_providers"].sum() == pytest.approx(53)
    assert {r["location_class"]: r["providers"] for r in outside.to_dicts()} == {
        "foreign": 1, "military": 1, "zip_not_in_crosswalk": 1, "no_zip": 1, "territory_not_in_demographics": 1}
    assert row(outside, location_class="foreign")["practice_country_code"] == "CA"
    assert row(outside, location_class="military")["practice_state_code"] == "AE"
    assert row(outside, location_class="territory_not_in_demographics")["practice_state_code"] == "PR"


def test_clinicians_residents_and_stale_records(baseline) -> None:
    access = baseline.mart("fct_county_access")
    chittenden, carroll = row(access, county_fips=CHITTENDEN), row(access, county_fips=CARROLL)
    # the student (390200000X) is an individual NPI, not a clinician
    assert (chittenden["individual_providers"], chittenden["clinicians"]) == (8.25, 7.25)
    assert chittenden["clinicians_per_100k"] == pytest.approx(7.25 / 7000 * 100_000)
    # a family physician with 390200000X in slot 2 is a resident; last updated 2015-01-12 is
    # 10 years before the 2025-01-12 release (stale), 2015-01-13 is not
    assert (carroll["residents"], carroll["stale_records"]) == (1, 1)
    assert carroll["residents_pct_of_clinicians"] == pytest.approx(100 / 30.75)
    assert carroll["primary_care_providers"] == 20  # both still counted: flags, not exclusions
    assert access["residents"].sum() == 1 and access["stale_records"].sum() == 1
    states = baseline.mart("fct_state_provider_density")
    assert (row(states, state_code="NH")["residents"], row(states, state_code="NH")["stale_records"]) == (1, 1)
    with duckdb.connect(str(baseline.warehouse), read_only=True) as con:
        flagged = dict(con.execute("select npi, is_stale from intermediate.int_providers_classified "
                                   "where npi in (?, ?)", [scenario.STALE, make_npi(43)]).fetchall())
    assert flagged == {scenario.STALE: True, make_npi(43): False}


def test_state_density_counts_practice_state_including_unplaced_zips(baseline) -> None:
    states = baseline.mart("fct_state_provider_density")
    vermont, new_hampshire = row(states, state_code="VT"), row(states, state_code="NH")
    # VT: 6 Chittenden + 7 Addison + 3 at 05060 + 2 without a county; NH: 1 + 1 + 30
    assert (vermont["individual_providers"], new_hampshire["individual_providers"]) == (18, 32)
    assert vermont["clinicians"] == 17  # the student is not one
    assert vermont["total_population"] == 17_000
    assert vermont["total_population_source"] == "ACS 5-year 2019-2023 (B01003)"
    assert vermont["individual_providers_per_100k"] == pytest.approx(18 / 17_000 * 100_000)
    assert vermont["primary_care_providers"] == 7  # 2 + 3 + 2 family physicians without county
    assert vermont["census_division_name"] == "New England"
    assert row(states, state_code="AK")["primary_care_providers"] == 4
    # a territory with providers and no demographics is listed, without a population
    puerto_rico = row(states, state_code="PR")
    assert puerto_rico["individual_providers"] == 1 and puerto_rico["total_population"] is None


def test_specialty_gap_against_the_national_rate(baseline) -> None:
    gaps = baseline.mart("fct_specialty_gaps")
    national = (7 + 20 + 4) / 86_000 * 100_000  # primary care in VT + NH + AK over their population
    gap = row(gaps, geography_level="division", geography_name="New England",
              specialty_kind="group", specialty_name="primary_care")
    assert gap["national_providers_per_100k"] == pytest.approx(national)
    assert gap["provider_gap"] == pytest.approx(national * 77_000 / 100_000 - 27)
    family = row(gaps, geography_level="region", geography_code="1", specialty_kind="classification",
                 specialty_grouping="Allopathic & Osteopathic Physicians", specialty_name="Family Medicine")
    assert family["providers"] == 1 + 1 + 20 + 2  # Chittenden FM and sports medicine, Carroll, VT without county
    # the Chittenden student is counted per county, but a shortfall of students is no care gap
    groupings = set(gaps.filter(pl.col("specialty_kind") == "classification")["specialty_grouping"])
    assert "Allopathic & Osteopathic Physicians" in groupings and "Student, Health Care" not in groupings


def test_every_nucc_classification_is_counted_by_grouping_and_classification(baseline) -> None:
    specialties = baseline.mart("fct_county_specialty_providers")
    cardiology = row(specialties, county_fips=ADDISON, specialty_kind="classification",
                     specialty_name="Internal Medicine")
    assert cardiology["providers"] == 1  # the cardiologist: an IM subspecialty, not primary care
    assert cardiology["specialty_grouping"] == "Allopathic & Osteopathic Physicians"
    psychology = row(specialties, county_fips=BELKNAP, specialty_kind="classification", specialty_name="Psychologist")
    assert psychology["providers"] == 1  # the school psychologist: counted as a psychologist
    dentists = row(specialties, county_fips=ADDISON, specialty_kind="classification", specialty_name="Dentist")
    assert dentists["providers"] == 3.5  # the orthodontist too
    student = row(specialties, county_fips=CHITTENDEN, specialty_kind="classification",
                  specialty_grouping="Student, Health Care")
    assert student["providers"] == 1


def cume_dist(values: list[float]) -> list[float]:
    """SQL cume_dist(): share of the rows at or below the value (ties take the highest position)."""
    return [sum(other <= value for other in values) / len(values) for value in values]


def test_underserved_ranking_follows_the_documented_composite(baseline) -> None:
    access = baseline.mart("fct_county_access").sort("county_fips").to_dicts()
    counties = baseline.mart("dim_counties").sort("county_fips").to_dicts()
    inf = float("inf")
    scarcity = [cume_dist([c[f"people_per_{g}"] or inf for c in access])
                for g in ("primary_care_provider", "dentist", "core_mental_health_provider")]
    need = [cume_dist([c[m] for c in counties]) for m in ("poverty_rate_pct", "uninsured_rate_pct",
                                                          "population_65_plus_pct")]
    expected = {}
    for i, c in enumerate(access):
        screens = sum(c[f"is_{d}_shortage"] for d in ("primary_care", "dental", "mental_health"))
        expected[c["county_fips"]] = 100 * (0.4 * screens / 3 + 0.3 * sum(s[i] for s in scarcity) / 3
                                            + 0.3 * sum(n[i] for n in need) / 3)
    ranked = baseline.mart("fct_underserved_counties").sort("underserved_rank")
    assert ranked["county_fips"].to_list() == sorted(expected, key=expected.get, reverse=True)
    for county in ranked.to_dicts():
        assert county["underserved_score"] == pytest.approx(expected[county["county_fips"]])
        assert county["score_weight_used"] == pytest.approx(1)
    # no dentist in Belknap and Valdez-Cordova: the tie takes the top percentile, 1 (percent_rank
    # gave the tied block 3/4); Belknap also has no primary care provider and the fewest core
    belknap, valdez = row(ranked, county_fips=BELKNAP), row(ranked, county_fips=VALDEZ_CORDOVA)
    assert belknap["provider_scarcity_score"] == 1.0
    assert valdez["provider_scarcity_score"] == pytest.approx((2 / 5 + 1 + 2 / 5) / 3)
    assert ranked["county_fips"][0] == BELKNAP and ranked["underserved_rank"].to_list() == [1, 2, 3, 4, 5]


def test_latest_pointer_and_run_results(baseline) -> None:
    pointer = baseline.lake.read_json(layout.marts_latest())
    assert pointer["run_id"] == "baseline"
    assert set(pointer["marts"]) >= {"fct_county_access", "fct_state_provider_density",
                                     "fct_specialty_gaps", "fct_underserved_counties"}
    assert pointer["rows"]["fct_county_access"] == 5
    assert pointer["tests"].get("pass", 0) > 150 and "fail" not in pointer["tests"]
    # imperfect data the models resolve warns and is listed, it does not fail the run
    assert pointer["warnings"] == ["stg_nppes__provider_taxonomies_at_most_one_primary_per_record"]
    assert pointer["inputs"]["acs_year"] == 2023  # the latest cached vintage
    demographics = pointer["inputs"]["demographics"]
    assert demographics["product"] == "acs5" and demographics["acs_year"] == 2023
    assert demographics["measures"]["population_under_18"] == {
        "product": "acs5", "vintage": 2023, "source": "ACS 5-year 2019-2023 (B01001)"}
    assert demographics["measures"]["uninsured_rate_pct"]["source"] == "ACS 5-year 2019-2023 (B27010)"
    assert pointer["inputs"]["nppes_full"]["release"] == scenario.FULL_RELEASE
    results = baseline.lake.read_json(pointer["dbt_run_results"])
    assert results["args"]["which"] == "build" and results["results"]


def test_sources_are_read_in_place(baseline) -> None:
    with duckdb.connect(str(baseline.warehouse), read_only=True) as con:
        relations = dict(con.execute(
            "select table_schema || '.' || table_name, table_type from information_schema.tables "
            "where table_schema in ('staging', 'run_inputs')"
        ).fetchall())
        sql = con.execute("select sql from duckdb_views() where view_name = 'nppes_npidata_full'").fetchone()[0]
    # no copy of the raw Parquet in the warehouse: the lake inputs are views; of staging, only
    # NPPES is a table (the typed records a build reads, read by a dozen tests)
    staging_tables = {name for name, t in relations.items() if name.startswith("staging.") and t != "VIEW"}
    assert staging_tables == {f"staging.stg_nppes__{name}" for name in ("providers", "provider_taxonomies",
                                                                        "deactivations", "secondary_locations")}
    assert {name for name, t in relations.items() if name.startswith("run_inputs.") and t != "VIEW"} == {
        f"run_inputs.{name}" for name in ("build", "nppes_releases", "lake_files", "demographic_sources")}
    # the offline products this ACS build does not read are views with their columns, no rows
    assert {"run_inputs.census_pep_population", "run_inputs.census_saipe"} <= set(relations)
    assert f"{baseline.lake.uri('nppes/npidata')}/release={scenario.FULL_RELEASE}" in sql
