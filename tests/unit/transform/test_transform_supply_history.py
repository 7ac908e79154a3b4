"""The supply history (fct_county_supply_history) over crafted releases of the scenario lake:
entries, new NPIs, exits, deactivations and moves per county and discipline, one step appended
per release without recomputing the past, each step equal to a full build of its release, and
flows that account for changes made by builds that record no step (a re-baseline of the same
release, a build run again under its run id)."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import duckdb
import polars as pl
from fixtures import scenario
from fixtures.scenario import ADDISON, CARROLL, CHITTENDEN, FULL_RELEASE, WEEKLY_RELEASE
from fixtures.small_lake import Provider, SmallLake, make_npi

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


def pending_npis(built) -> set[int]:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        rows = con.execute("select npi from intermediate.int_discipline_locations_pending").fetchall()
    return {npi for (npi,) in rows}


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


def test_a_rebaseline_that_records_no_step_is_counted_by_the_next_step(baseline_copy) -> None:
    """New reference data for the same NPPES release re-baselines without a step (the release is
    not newer than the last step's): a newer crosswalk splits 05060 half and half (0.75 / 0.25
    before) and a newer deactivation report deactivates the Carroll resident. The next weekly
    step's flows count that change as well as the weekly's own (a move, a deactivation, a new
    psychiatrist); measured from a snapshot moved on by the re-baseline, they would miss it."""
    built = baseline_copy
    small = SmallLake(built.lake)
    small.crosswalk("062023", [(z, c, s, "0.5" if z == "05060" else bus, tot)
                               for z, c, s, bus, tot in scenario.CROSSWALK])
    small.deactivations("2025-01-13", [(scenario.REPORT_DEACTIVATED, date(2024, 12, 20)),
                                       (scenario.REACTIVATED_DENTIST, date(2020, 1, 1)),
                                       (scenario.RESIDENT, date(2025, 1, 11))])
    assert built.build("new-references")["rebaseline"] is True
    assert built.mart("fct_county_supply_history")["release_date"].n_unique() == 1  # no step
    at_05060 = {make_npi(20), make_npi(21), make_npi(22)}  # two general dentists, a psychologist
    assert pending_npis(built) == {*at_05060, scenario.RESIDENT}

    SmallLake(built.lake).nppes_release(WEEKLY_RELEASE, weekly_with_a_new_npi(), weekly=True)
    built.build("weekly-1")  # county_supply_history_flows_add_up (error) fails a step that misses it
    assert pending_npis(built) == set()

    dental_from, dental_to = (step(built, WEEKLY_RELEASE, f, "dental") for f in (CHITTENDEN, ADDISON))
    assert (dental_from["previous_providers"], dental_from["providers"], dental_from["moves_out"]) == (2.5, 2, 0.5)
    assert (dental_to["previous_providers"], dental_to["providers"], dental_to["moves_in"]) == (2.5, 3, 0.5)
    assert dental_from["entries"] == dental_from["exits"] == dental_to["entries"] == dental_to["exits"] == 0
    resident = step(built, WEEKLY_RELEASE, CARROLL, "primary_care")
    assert (resident["net_change"], resident["exits"], resident["deactivations"]) == (-1, 1, 1)
    # the psychiatrist deactivated by the weekly, and a quarter of the psychologist moved to Addison
    mental = step(built, WEEKLY_RELEASE, CHITTENDEN, "mental_health")
    assert (mental["previous_providers"], mental["providers"], mental["net_change"]) == (1.75, 0.5, -1.25)
    assert (mental["exits"], mental["deactivations"], mental["moves_out"]) == (1, 1, 0.25)
    moved = step(built, WEEKLY_RELEASE, CHITTENDEN, "primary_care")
    assert (moved["net_change"], moved["moves_out"]) == (-1, 1)


def test_a_build_run_again_under_its_run_id_changes_nothing(baseline_copy) -> None:
    """A transform task delivered twice (acks_late: Redis gives a message back when a task runs
    past the visibility timeout) builds twice under one run id. The per-NPI models take the NPIs
    stamped with the run id as those the build changed, so the second build re-baselines:
    incrementally it would rebuild every baseline NPI from the weekly deltas alone (their
    taxonomies lost), and the next step's flows would not add up."""
    built = baseline_copy
    before = {name: built.mart(name) for name in ("fct_county_access", "fct_county_supply_history")}
    assert built.build("baseline")["rebaseline"] is True
    for name, frame in before.items():
        assert built.mart(name).equals(frame), f"{name} changed when the build ran again"

    SmallLake(built.lake).nppes_release(WEEKLY_RELEASE, weekly_with_a_new_npi(), weekly=True)
    built.build("weekly-1")
    moved_to = step(built, WEEKLY_RELEASE, ADDISON, "primary_care")
    assert (moved_to["previous_providers"], moved_to["providers"], moved_to["moves_in"]) == (3, 4, 1)
