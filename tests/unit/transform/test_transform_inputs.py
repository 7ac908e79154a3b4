"""What a build reads: chosen in Python from the lake's published pointers and partitions."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import duckdb
import pytest
from fixtures import scenario
from fixtures.small_lake import Provider, SmallLake, make_npi

from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake
from careatlas.transform import inputs, run_inputs, state
from careatlas.transform.dbt_runner import DEFAULT_PROJECT_DIR
from careatlas.transform.inputs import MissingInput
from careatlas.transform.state import AppliedState


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lake = Lake(str(tmp_path / "lake"), Settings())
    scenario.write_baseline(lake)
    return lake


def plan(lake: Lake, applied: AppliedState | None = None, **kwargs) -> inputs.BuildInputs:
    return inputs.plan(lake, applied, project_dir=DEFAULT_PROJECT_DIR, **kwargs)


def applied_as_planned(planned: inputs.BuildInputs, **changes) -> AppliedState:
    state = {"full_release": planned.full.release, "full_version": planned.full.version,
             "fingerprint": planned.fingerprint, "acs_year": planned.acs_year, **changes}
    return AppliedState(**state)


@pytest.mark.parametrize(
    ("value", "later_than"),
    [("25.1", "9.0"), ("032023", "122022"), ("2023Q1", "2022-Q4"), ("2025-01-10", "2024-12-31"),
     ("202303", "202212")],
)
def test_partition_values_order_as_dates_and_versions(value: str, later_than: str) -> None:
    assert inputs.partition_sort_key(value) > inputs.partition_sort_key(later_than)


def test_plan_lists_the_latest_full_release_and_the_weeklies_after_it(lake: Lake) -> None:
    small = SmallLake(lake)
    small.nppes_release("2025-01-05", [Provider(make_npi(99))], weekly=True)  # before the baseline
    scenario.write_weekly(lake)
    planned = plan(lake)
    assert planned.full.release == scenario.FULL_RELEASE and planned.rebaseline
    assert [w.release for w in planned.weeklies] == [scenario.WEEKLY_RELEASE]
    tables = run_inputs.rows(planned, lake, "run-1")
    files = {row["relation_name"]: (json.loads(row["uris"]), row["is_empty"]) for row in tables["lake_files"]}
    assert files["nppes_npidata_full"] == ([lake.uri(k) for k in planned.full.files], False)
    assert files["nppes_npidata_weekly"] == ([lake.uri(k) for k in planned.weeklies[0].files], False)
    # the chosen ACS vintage only; the offline products it does not read list no files
    assert files["census_acs5_county"] == ([lake.uri("reference/census/acs5/year=2023/geo=county/data.parquet")], False)
    assert all(files[f"census_{p}"] == ([], False) for p in ("pep_population", "pep_agesex", "saipe"))
    expected = {row["relation_name"]: row["expected_rows"] for row in tables["lake_files"]}
    # the loaders' metadata.json row counts, for the staging row-count tests
    assert expected["hud_zip_county"] == len(scenario.CROSSWALK) and expected["nucc_taxonomy"] > 50
    assert expected["nppes_deactivations"] == 2 and expected["census_pep_population"] == 0
    assert files["nucc_taxonomy"] == ([lake.uri("reference/nucc_taxonomy/version=25.1/data.parquet")], False)
    [build] = tables["build"]
    assert build["run_id"] == "run-1" and build["is_rebaseline"] and build["acs_year"] == 2023
    assert build["demographics_product"] == "acs5" and build["pep_population_vintage"] is None
    assert build["nppes_full_rows"] == planned.full.rows
    assert build["nppes_weekly_rows"] == len(scenario.weekly_providers())
    assert [(r["release_kind"], r["release_date"]) for r in tables["nppes_releases"]] == [
        ("full", scenario.FULL_RELEASE), ("weekly", scenario.WEEKLY_RELEASE)]


def test_weekly_build_reads_the_full_release_for_its_columns_only(lake: Lake) -> None:
    planned = plan(lake)
    weekly = dataclasses.replace(planned, rebaseline=False)
    tables = run_inputs.rows(weekly, lake, "run-2")
    files = {row["relation_name"]: (json.loads(row["uris"]), row["is_empty"]) for row in tables["lake_files"]}
    assert files["nppes_npidata_full"] == ([lake.uri(planned.full.files[0])], True)
    # no weekly delta in the lake yet: the weekly input has the full release's columns, no rows
    assert files["nppes_npidata_weekly"] == ([lake.uri(planned.full.files[0])], True)
    assert tables["build"][0]["nppes_full_rows"] == 0 and tables["build"][0]["nppes_weekly_rows"] == 0


@pytest.mark.parametrize(
    ("changes", "rebaseline"),
    [
        ({}, False),
        ({"full_version": "older"}, True),  # the baseline was republished
        ({"full_release": "2024-12-08"}, True),  # a new monthly file
        ({"complete": False}, True),  # merged changes of a build that failed later
        ({"fingerprint": "other"}, True),  # NUCC, crosswalk, report or dbt project changed
        ({"reexecuted": True}, True),  # the run building now already built here (a task delivered again)
        ({"weekly": frozenset({(scenario.WEEKLY_RELEASE, "v1")})}, False),  # already applied
        ({"weekly": frozenset({(scenario.WEEKLY_RELEASE, "v0")})}, True),  # republished
    ],
)
def test_rebaseline_decision(lake: Lake, changes: dict, rebaseline: bool) -> None:
    scenario.write_weekly(lake)
    planned = plan(lake)
    assert plan(lake, applied_as_planned(planned, **changes)).rebaseline is rebaseline
    assert plan(lake, applied_as_planned(planned, **changes), full_refresh=True).rebaseline


def test_reference_reloaded_under_the_same_key_rebaselines(lake: Lake) -> None:
    """A corrected crosswalk or an ACS vintage refetched with more variables keeps its key."""
    planned = plan(lake)
    assert not plan(lake, applied_as_planned(planned)).rebaseline
    SmallLake(lake).crosswalk("032023", [*scenario.CROSSWALK, ("05999", scenario.CHITTENDEN, "VT", "1", "1")])
    assert plan(lake, applied_as_planned(planned)).rebaseline
    planned = plan(lake)
    SmallLake(lake).census(2023, scenario.counties(2021))
    assert plan(lake, applied_as_planned(planned)).rebaseline


def test_weekly_build_skips_reference_nodes_only_when_the_vintage_is_unchanged(lake: Lake) -> None:
    planned = plan(lake)
    assert plan(lake, applied_as_planned(planned)).reference_unchanged
    assert not plan(lake, applied_as_planned(planned), acs_year=2021).reference_unchanged


def test_fingerprint_follows_reference_keys_and_project_files(tmp_path: Path) -> None:
    project = tmp_path / "dbt"
    (project / "models").mkdir(parents=True)
    (project / "models" / "a.sql").write_text("select 1")
    first = inputs.reference_fingerprint(project, "nucc/v1", "hud/v1", None)
    assert first == inputs.reference_fingerprint(project, "nucc/v1", "hud/v1", None)
    assert first != inputs.reference_fingerprint(project, "nucc/v2", "hud/v1", None)
    (project / "models" / "a.sql").write_text("select 2")
    assert first != inputs.reference_fingerprint(project, "nucc/v1", "hud/v1", None)


def test_missing_inputs_are_named(tmp_path: Path, lake: Lake) -> None:
    empty = Lake(str(tmp_path / "empty"), Settings())
    with pytest.raises(MissingInput, match="no published NPPES full release"):
        plan(empty)
    with pytest.raises(MissingInput, match="ACS vintage 2019 is not cached"):
        plan(lake, acs_year=2019)
    lake.delete(["reference/census/acs5/year=2023/geo=state/data.parquet",
                 "reference/census/acs5/year=2021/geo=state/data.parquet"])
    with pytest.raises(MissingInput, match="no ACS 5-year county\\+state tables"):
        plan(lake)


def test_read_applied_sees_an_unfinished_build(baseline_copy) -> None:
    applied = state.read_applied(baseline_copy.warehouse)
    assert applied is not None and applied.complete
    assert applied.full_release == scenario.FULL_RELEASE and applied.acs_year == 2023
    with duckdb.connect(str(baseline_copy.warehouse)) as con:
        # what a weekly build that merged NPPES changes and then failed leaves behind
        con.execute("update intermediate.int_providers_merged set applied_run_id = 'crashed' "
                    "where npi = ?", [scenario.CHITTENDEN_FM])
    assert not state.read_applied(baseline_copy.warehouse).complete
    # the NPIs a run wrote carry its id: a build under that id again is a re-execution
    assert state.read_applied(baseline_copy.warehouse, "baseline").reexecuted
    assert not state.read_applied(baseline_copy.warehouse, "weekly-1").reexecuted
    assert state.read_applied(baseline_copy.root / "missing.duckdb") is None
