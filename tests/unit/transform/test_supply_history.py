"""The supply history (fct_county_supply_history) over crafted releases of the scenario lake:
entries, new NPIs, exits, deactivations and moves per county and discipline, one step appended
per release without recomputing the past, and each step equal to a full build of its release."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import polars as pl
from fixtures import scenario
from fixtures.scenario import ADDISON, CARROLL, CHITTENDEN, FULL_RELEASE, WEEKLY_RELEASE
from fixtures.small_lake import Provider, SmallLake

from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

SUPPLY = {"primary_care": "primary_care_providers", "dental": "dentists",
          "mental_health": "core_mental_health_providers"}


def weekly_with_a_new_npi() -> list[Provider]:
    """The scenario's weekly delta (a move, a deactivation, a psychiatrist) with the
    psychiatrist's NPI enumerated after the baseline release."""
    providers = scenario.weekly_providers()
    for provider in providers:
        if provider.npi == scenario.NEW_PSYCHIATRIST:
            provider.enumerated = date(2025, 1, 16)
    return providers


def step(built, release: str, county: str, discipline: str) -> dict:
    rows = built.mart("fct_county_supply_history").filter(
        (pl.col("release_date") == date.fromisoformat(release)) & (pl.col("county_fips") == county)
        & (pl.col("discipline") == discipline)).to_dicts()
    assert len(rows) == 1, (release, county, discipline, rows)
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in rows[0].items()}


def as_supply(history: pl.DataFrame, release: str) -> dict[tuple[str, str], float]:
    rows = history.filter(pl.col("release_date") == date.fromisoformat(release))
    return {(r["county_fips"], r["discipline"]): float(r["providers"]) for r in rows.to_dicts() if r["providers"]}


def fresh_full_build(built, tmp_path, run_id: str) -> dict[tuple[str, str], float]:
    """Supply per county and discipline from a new warehouse over the same lake (fct_county_access)."""
    shutil.copytree(built.root / "lake", tmp_path / "fresh" / "lake")
    settings = Settings(lake=str(tmp_path / "fresh" / "lake"), warehouse_path=tmp_path / "fresh" / "w.duckdb")
    from careatlas.transform import export
    from careatlas.transform.build import build_marts

    build_marts(None, run_id, settings=settings)
    lake = Lake(settings.lake, settings)
    access = pl.read_parquet(lake.uri(export.read_latest(lake)["marts"]["fct_county_access"]))
    return {(r["county_fips"], d): float(r[col]) for r in access.to_dicts() for d, col in SUPPLY.items() if r[col]}


def test_first_step_has_supply_and_no_flows(baseline) -> None:
    chittenden = step(baseline, FULL_RELEASE, CHITTENDEN, "primary_care")
    assert chittenden["providers"] == 2 and chittenden["release_kind"] == "full"
    assert chittenden["previous_release_date"] is None and chittenden["entries"] is None
    assert chittenden["net_change"] is None


def test_weekly_step_counts_entries_exits_and_moves(baseline_copy, tmp_path) -> None:
    built = baseline_copy
    first = built.mart("fct_county_supply_history")
    SmallLake(built.lake).nppes_release(WEEKLY_RELEASE, weekly_with_a_new_npi(), weekly=True)
    built.build("weekly-1")

    history = built.mart("fct_county_supply_history")
    assert sorted(set(history["release_date"])) == [date.fromisoformat(r) for r in (FULL_RELEASE, WEEKLY_RELEASE)]
    # the past is not recomputed: the first step's rows are exactly as they were
    past = history.filter(pl.col("release_date") == date.fromisoformat(FULL_RELEASE))
    assert past.sort(["county_fips", "discipline"]).equals(first.sort(["county_fips", "discipline"]))

    moved_from = step(built, WEEKLY_RELEASE, CHITTENDEN, "primary_care")
    assert (moved_from["previous_providers"], moved_from["providers"], moved_from["net_change"]) == (2, 1, -1)
    assert (moved_from["moves_out"], moved_from["moves_in"], moved_from["entries"], moved_from["exits"]) == (1, 0, 0, 0)
    moved_to = step(built, WEEKLY_RELEASE, ADDISON, "primary_care")
    assert (moved_to["providers"], moved_to["moves_in"], moved_to["net_change"]) == (4, 1, 1)
    deactivated = step(built, WEEKLY_RELEASE, CHITTENDEN, "mental_health")  # psychiatrist + 0.75 psychologist
    assert (deactivated["previous_providers"], deactivated["providers"]) == (1.75, 0.75)
    assert (deactivated["exits"], deactivated["deactivations"], deactivated["net_change"]) == (1, 1, -1)
    new = step(built, WEEKLY_RELEASE, CARROLL, "mental_health")
    assert (new["entries"], new["new_npis"], new["net_change"], new["providers"]) == (1, 1, 1, 1.75)
    assert new["previous_release_date"] == date.fromisoformat(FULL_RELEASE) and new["release_kind"] == "weekly"
    unchanged = step(built, WEEKLY_RELEASE, CARROLL, "dental")
    assert unchanged["net_change"] == 0 and unchanged["entries"] == unchanged["exits"] == 0

    # incremental equals full: a new warehouse built once over the same releases counts the same
    assert as_supply(history, WEEKLY_RELEASE) == fresh_full_build(built, tmp_path, "fresh")


def test_same_release_adds_no_step_and_a_new_monthly_keeps_the_history(baseline_copy) -> None:
    built = baseline_copy
    built.build("baseline-again")
    assert built.mart("fct_county_supply_history")["release_date"].n_unique() == 1

    providers = [p for p in scenario.baseline_providers() if p.npi != scenario.CHITTENDEN_IM]
    SmallLake(built.lake).nppes_release("2025-02-09", providers)
    assert built.build("monthly-2")["rebaseline"] is True  # dbt --full-refresh: the history stays
    history = built.mart("fct_county_supply_history")
    assert history["release_date"].n_unique() == 2
    # the internist is gone from the new monthly file: an exit counted as a deactivation
    left = step(built, "2025-02-09", CHITTENDEN, "primary_care")
    assert (left["providers"], left["exits"], left["deactivations"], left["net_change"]) == (1, 1, 1, -1)
    assert left["previous_release_date"] == date.fromisoformat(FULL_RELEASE)
