"""The marts of the scenario lake (tests/fixtures/scenario.py) against numbers worked out by
hand, from a real dbt build on DuckDB over contract-shaped Parquet."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl
import pytest
from fixtures import scenario
from fixtures.scenario import ADDISON, BELKNAP, CARROLL, CHITTENDEN

from careatlas.shared import layout


def row(frame: pl.DataFrame, **where: Any) -> dict[str, Any]:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()]).to_dicts()
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return rows[0]


def test_two_primary_care_providers_for_7000_people_is_a_shortage(baseline) -> None:
    chittenden = row(baseline.mart("fct_county_access"), county_fips=CHITTENDEN)
    assert chittenden["total_population"] == 7000
    assert chittenden["primary_care_providers"] == 2  # deactivated and cardiology slot 1 excluded
    assert chittenden["people_per_primary_care_provider"] == 3500
    assert chittenden["primary_care_providers_per_100k"] == pytest.approx(2 / 7000 * 100_000)
    assert chittenden["is_primary_care_shortage_standard"] is True
    assert chittenden["is_primary_care_shortage"] is True


def test_high_need_county_uses_the_high_need_threshold(baseline) -> None:
    addison = row(baseline.mart("fct_county_access"), county_fips=ADDISON)
    assert addison["poverty_rate_pct"] == 25 and addison["is_high_need"] is True
    assert addison["primary_care_providers"] == 3  # cardiologist is not primary care
    assert addison["people_per_primary_care_provider"] == pytest.approx(10_000 / 3)
    assert addison["is_primary_care_shortage_standard"] is False  # 3,333 < 3,500
    assert addison["is_primary_care_shortage_high_need"] is True  # > 3,000 and poverty >= 20%
    assert addison["is_primary_care_shortage"] is True


@pytest.mark.parametrize(
    ("fips", "dentists", "core", "psychiatrists", "dental", "mental"),
    [
        # 1 reactivated dentist + 0.75 of the 05060 dentist; psychiatrist + 0.75 psychologist
        (CHITTENDEN, 1.75, 1.75, 1, False, False),
        # 0.25 of each: 40,000 people per dentist; core 40,000 and no psychiatrist
        (ADDISON, 0.25, 0.25, 0, True, True),
        # 0.25 of a clinical social worker through the TOT_RATIO fallback of 03813
        (BELKNAP, 0, 0.25, 0, True, True),
        # 10 dentists: 4,000 people each (< 5,000, not high need); core 0.75 -> 53,333
        (CARROLL, 10, 0.75, 0, False, True),
    ],
)
def test_dental_and_mental_health_screens(baseline, fips, dentists, core, psychiatrists, dental, mental) -> None:
    access = row(baseline.mart("fct_county_access"), county_fips=fips)
    assert access["dentists"] == pytest.approx(dentists)
    assert access["core_mental_health_providers"] == pytest.approx(core)
    assert access["psychiatrists"] == pytest.approx(psychiatrists)
    assert access["is_dental_shortage"] is dental
    assert access["is_mental_health_shortage"] is mental


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
    # 41 active individuals at county ZIPs (4 + 4 + 2 split + 1 split + 30): fractions add to 1
    assert access["individual_providers"].sum() == pytest.approx(41)
    assert {r["location_class"]: r["providers"] for r in outside.to_dicts()} == {
        "foreign": 1, "military": 1, "zip_not_in_crosswalk": 1, "no_zip": 1}
    assert row(outside, location_class="foreign")["practice_country_code"] == "CA"
    assert row(outside, location_class="military")["practice_state_code"] == "AE"


def test_state_density_counts_practice_state_including_unplaced_zips(baseline) -> None:
    states = baseline.mart("fct_state_provider_density")
    vermont, new_hampshire = row(states, state_code="VT"), row(states, state_code="NH")
    # VT: 4 Chittenden + 4 Addison + 2 at 05060 + 2 without a county; NH: 1 + 20 + 10
    assert (vermont["individual_providers"], new_hampshire["individual_providers"]) == (12, 31)
    assert vermont["total_population"] == 17_000
    assert vermont["individual_providers_per_100k"] == pytest.approx(12 / 17_000 * 100_000)
    assert vermont["primary_care_providers"] == 7  # 2 + 3 + 2 family physicians without county
    assert vermont["census_division_name"] == "New England"


def test_specialty_gap_against_the_national_rate(baseline) -> None:
    gaps = baseline.mart("fct_specialty_gaps")
    national = (7 + 20) / 77_000 * 100_000  # primary care in VT + NH over their population
    gap = row(gaps, geography_level="division", geography_name="New England",
              specialty_kind="group", specialty_name="primary_care")
    assert gap["national_providers_per_100k"] == pytest.approx(national)
    assert gap["provider_gap"] == pytest.approx(0)  # the whole nation here is New England
    family = row(gaps, geography_level="region", geography_code="1",
                 specialty_kind="classification", specialty_name="Family Medicine")
    assert family["providers"] == 1 + 20 + 2  # Chittenden, Carroll, VT without a county


def test_every_nucc_classification_is_counted(baseline) -> None:
    specialties = baseline.mart("fct_county_specialty_providers")
    cardiology = row(specialties, county_fips=ADDISON, specialty_kind="classification",
                     specialty_name="Internal Medicine")
    assert cardiology["providers"] == 1  # the cardiologist: an IM subspecialty, not primary care
    psychology = row(specialties, county_fips=CHITTENDEN, specialty_kind="classification",
                     specialty_name="Psychologist")
    assert psychology["providers"] == pytest.approx(0.75)


def percent_ranks(values: list[float]) -> list[float]:
    """SQL percent_rank(): share of the other rows ranked strictly lower."""
    return [sum(other < value for other in values) / (len(values) - 1) for value in values]


def test_underserved_ranking_follows_the_documented_composite(baseline) -> None:
    access = baseline.mart("fct_county_access").sort("county_fips").to_dicts()
    counties = baseline.mart("dim_counties").sort("county_fips").to_dicts()
    inf = float("inf")
    scarcity = [percent_ranks([c[f"people_per_{g}"] or inf for c in access])
                for g in ("primary_care_provider", "dentist", "core_mental_health_provider")]
    need = [percent_ranks([c[f"{m}_pct"] for c in counties])
            for m in ("poverty_rate", "uninsured_rate", "population_65_plus")]
    expected = {}
    for i, c in enumerate(access):
        screens = sum(c[f"is_{d}_shortage"] for d in ("primary_care", "dental", "mental_health"))
        expected[c["county_fips"]] = 100 * (0.4 * screens / 3 + 0.3 * sum(s[i] for s in scarcity) / 3
                                            + 0.3 * sum(n[i] for n in need) / 3)
    ranked = baseline.mart("fct_underserved_counties").sort("underserved_rank")
    assert ranked["county_fips"].to_list() == sorted(expected, key=expected.get, reverse=True)
    for county in ranked.to_dicts():
        assert county["underserved_score"] == pytest.approx(expected[county["county_fips"]])
    # Addison: every screen short, the poorest, oldest and least insured county
    assert ranked["county_fips"][0] == ADDISON


def test_latest_pointer_and_run_results(baseline) -> None:
    pointer = baseline.lake.read_json(layout.marts_latest())
    assert pointer["run_id"] == "baseline"
    assert set(pointer["marts"]) >= {"fct_county_access", "fct_state_provider_density",
                                     "fct_specialty_gaps", "fct_underserved_counties"}
    assert pointer["rows"]["fct_county_access"] == 4
    assert pointer["tests"].get("pass", 0) > 50 and "fail" not in pointer["tests"]
    # imperfect data the models resolve warns and is listed, it does not fail the run
    assert pointer["warnings"] == ["stg_nppes__provider_taxonomies_at_most_one_primary_per_record"]
    assert pointer["inputs"]["acs_year"] == 2023  # the latest cached vintage
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
                                                                        "deactivations")}
    assert {name for name, t in relations.items() if name.startswith("run_inputs.") and t != "VIEW"} == {
        "run_inputs.build", "run_inputs.nppes_releases", "run_inputs.lake_files"}
    assert f"{baseline.lake.uri('nppes/npidata')}/release={scenario.FULL_RELEASE}" in sql
