"""Incremental behaviour on a copy of the built scenario: a weekly delta touches only the
NPIs it changes, the same release again changes nothing, a new monthly file re-baselines."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from fixtures import scenario
from fixtures.scenario import ADDISON, CARROLL, CHITTENDEN
from fixtures.small_lake import SmallLake


def merged_rows(warehouse, run_id: str) -> set[int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select npi from intermediate.int_providers_merged where applied_run_id = ?", [run_id]
        ).fetchall()
    return {npi for (npi,) in rows}


def access(built, fips: str) -> dict:
    return built.mart("fct_county_access").filter(pl.col("county_fips") == fips).to_dicts()[0]


def test_weekly_delta_changes_only_the_changed_npis_and_rerun_changes_nothing(baseline_copy) -> None:
    built = baseline_copy
    scenario.write_weekly(built.lake)

    weekly = built.build("weekly-1")
    assert weekly["rebaseline"] is False
    assert weekly["inputs"]["nppes_weekly_applied_this_run"] == [scenario.WEEKLY_RELEASE]
    # moved, deactivated, new; the stale record of the Addison GP is not applied
    changed = {scenario.CHITTENDEN_FM, scenario.CHITTENDEN_PSYCHIATRIST, scenario.NEW_PSYCHIATRIST}
    assert weekly["npis_changed"] == 3
    assert merged_rows(built.warehouse, "weekly-1") == changed
    assert len(merged_rows(built.warehouse, "baseline")) == len(scenario.baseline_providers()) - 2

    chittenden, addison, carroll = (access(built, f) for f in (CHITTENDEN, ADDISON, CARROLL))
    assert chittenden["people_per_primary_care_provider"] == 7000  # the FM moved away
    assert chittenden["psychiatrists"] == 0  # deactivated by the weekly record
    assert chittenden["people_per_core_mental_health_provider"] == pytest.approx(7000 / 0.75)
    assert chittenden["is_mental_health_shortage"] is True  # core >= 9,000 alone
    assert addison["primary_care_providers"] == 4 and addison["is_primary_care_shortage"] is False
    assert carroll["psychiatrists"] == 1

    before = {name: built.mart(name) for name in ("fct_county_access", "fct_specialty_gaps",
                                                  "fct_underserved_counties")}
    again = built.build("weekly-1-again")
    assert again["rebaseline"] is False and again["npis_changed"] == 0
    assert merged_rows(built.warehouse, "weekly-1-again") == set()
    for name, frame in before.items():
        assert built.mart(name).equals(frame), f"{name} changed on a re-run"


def test_new_monthly_release_rebaselines(baseline_copy) -> None:
    built = baseline_copy
    providers = [p for p in scenario.baseline_providers() if p.npi != scenario.CHITTENDEN_IM]
    SmallLake(built.lake).nppes_release("2025-02-09", providers)

    result = built.build("monthly-2")
    assert result["rebaseline"] is True
    assert result["npis_changed"] == len(providers)
    assert result["inputs"]["nppes_full"]["release"] == "2025-02-09"
    assert access(built, CHITTENDEN)["primary_care_providers"] == 1


def test_acs_vintage_is_chosen_by_run(baseline_copy) -> None:
    """Another vintage re-baselines: the crosswalk lands on the vintage's counties, so every
    provider's county allocation depends on it."""
    built = baseline_copy
    result = built.build("acs-2021", acs_year=2021)
    assert result["rebaseline"] is True and result["npis_changed"] == len(scenario.baseline_providers())
    assert result["inputs"]["acs_year"] == 2021
    assert result["inputs"]["demographics"]["measures"]["total_population"]["source"] == (
        "ACS 5-year 2017-2021 (B01003)")
    chittenden = access(built, CHITTENDEN)
    assert chittenden["acs_year"] == 2021 and chittenden["total_population"] == 14_000
    assert chittenden["people_per_primary_care_provider"] == 7000


def test_weekly_build_equals_a_full_rebuild_of_the_same_releases(baseline_copy) -> None:
    """The per-NPI tables and the sums kept incrementally (add new rows, subtract replaced ones)
    end where a re-baseline over the same releases starts from scratch."""
    built = baseline_copy
    scenario.write_weekly(built.lake)
    built.build("weekly-1")
    marts = {name: built.mart(name) for name in built.result["marts"]}
    sums = _sums(built.warehouse)

    # the spatial marts (tag spatial) are recomputed on re-baselines only: a weekly keeps the
    # monthly release's index, dated by supply_release_date (docs/spatial-access.md)
    spatial = {name for name in marts if "spatial_access" in name}
    assert spatial == {"fct_zcta_spatial_access", "fct_county_spatial_access"}
    for name in spatial:
        assert set(marts.pop(name)["supply_release_date"].drop_nulls().cast(str)) == {scenario.FULL_RELEASE}, name

    rebuilt = built.build("weekly-rebuilt", full_refresh=True)
    assert rebuilt["rebaseline"] is True
    for name, frame in marts.items():
        assert built.mart(name).equals(frame), f"{name} differs from a full rebuild"
    assert _sums(built.warehouse) == sums


def _sums(warehouse) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {table: con.execute(f"select * from intermediate.{table} order by all").fetchall()
                for table in ("int_county_specialties_summed", "int_state_specialties_summed")}
