"""The marts of one run, read from the lake the way the transform published them.

``latest`` follows ``marts/latest.json`` (switched only after a build, its tests and the export
succeeded). An explicit run id reads ``marts/run=<id>/``; its pointer is rebuilt from the run's
dbt results and manifest, since ``latest.json`` only describes the newest run.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

import polars as pl

from careatlas.runs import model
from careatlas.shared import catalog, layout
from careatlas.shared.documents import LatestPointer
from careatlas.shared.storage import Lake, LakeKeyNotFound

# The mart columns the report reads, and only those (dbt/models/marts/access/*.sql and *.yml).
MART_COLUMNS: dict[str, tuple[str, ...]] = {
    "fct_county_access": (
        "county_fips", "state_fips", "county_name", "state_code", "total_population", "individual_providers",
        "primary_care_providers", "people_per_primary_care_provider",
        "is_primary_care_shortage", "is_dental_shortage", "is_mental_health_shortage",
    ),
    "fct_state_provider_density": (
        "state_code", "state_name", "census_region_name", "total_population",
        "individual_providers_per_100k", "primary_care_providers_per_100k", "dentists_per_100k",
        "core_mental_health_providers_per_100k", "psychiatrists_per_100k",
    ),
    "fct_specialty_gaps": (
        "geography_level", "geography_code", "geography_name", "specialty_kind", "specialty_name",
        "providers", "providers_per_100k", "national_providers_per_100k", "expected_providers", "provider_gap",
    ),
    "fct_underserved_counties": (
        "county_fips", "underserved_rank", "county_name", "state_code", "underserved_score",
        "shortage_screens_met", "total_population", "poverty_rate_pct", "uninsured_rate_pct",
        "population_65_plus_pct", "people_per_primary_care_provider", "people_per_dentist",
        "people_per_core_mental_health_provider", "is_primary_care_shortage", "is_dental_shortage",
        "is_mental_health_shortage",
    ),
}


class ReportError(RuntimeError):
    """The lake lacks what the report needs; the message names the run, file or column."""


class RunNotFound(ReportError):
    pass


@dataclass(frozen=True)
class RunMarts:
    run_id: str
    pointer: dict[str, Any]  # latest.json's shape: run_id, built_at, marts, rows, tests, inputs, ...
    frames: dict[str, pl.DataFrame]  # the marts of MART_COLUMNS, only those columns
    is_latest: bool

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]


def load_marts(lake: Lake, run_id: str = "latest", optional: dict[str, tuple[str, ...]] | None = None) -> RunMarts:
    """The report's marts of ``run_id`` (``latest`` or a run id), and those of ``optional`` the
    run published (the marts of sections added by other modules: older runs lack them)."""
    latest = catalog.read_latest(lake)
    if run_id == "latest":
        if latest is None:
            raise RunNotFound(f"no marts published in {lake.uri()}: {layout.marts_latest()} is missing "
                              "(run a transform first)")
        pointer, is_latest = latest, True
    elif latest is not None and latest.get("run_id") == run_id:
        pointer, is_latest = latest, True
    else:
        pointer, is_latest = run_pointer(lake, layout.check_run_id(run_id)), False
    frames = {name: read_mart(lake, pointer, name, columns) for name, columns in MART_COLUMNS.items()}
    frames |= {name: read_mart(lake, pointer, name, columns) for name, columns in (optional or {}).items()
               if name in pointer.get("marts", {})}
    if not pointer.get("rows"):  # an older run without a transform summary: count what was read
        pointer = {**pointer, "rows": {name: frame.height for name, frame in frames.items()}}
    return RunMarts(pointer["run_id"], pointer, frames, is_latest)


def read_mart(lake: Lake, pointer: dict[str, Any], name: str, columns: tuple[str, ...]) -> pl.DataFrame:
    key = pointer.get("marts", {}).get(name)
    if key is None:
        raise ReportError(f"run {pointer['run_id']} published no mart {name} (marts: {sorted(pointer['marts'])})")
    try:
        frame = pl.read_parquet(io.BytesIO(lake.read_bytes(key)))
    except LakeKeyNotFound:
        raise ReportError(f"mart {name} of run {pointer['run_id']} is missing: {lake.uri(key)}") from None
    except pl.exceptions.PolarsError as error:
        raise ReportError(f"mart {name} is not readable Parquet: {lake.uri(key)}: {error}") from None
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ReportError(f"mart {name} ({lake.uri(key)}) lacks column(s) {', '.join(missing)}")
    return frame.select(columns)


def run_pointer(lake: Lake, run_id: str) -> dict[str, Any]:
    """What latest.json would say about an older run, from its files."""
    prefix = layout.marts_run(run_id)
    # the marts are the run folder's own Parquet files (validation/ holds comparisons, not marts)
    marts = {name: k for k in lake.list(prefix) if (name := layout.mart_name(run_id, k)) is not None}
    if not marts:
        raise RunNotFound(f"run {run_id} has no marts in {lake.uri(prefix)}")
    results_key = layout.run_dbt_results(run_id)
    results = lake.read_json_or_none(results_key) or {}  # dbt's document
    manifest = model.load_manifest(lake, run_id)
    summary = (manifest.result or {}) if manifest else {}
    return LatestPointer(
        run_id=run_id,
        built_at=manifest.finished_at.isoformat() if manifest and manifest.finished_at else None,
        marts=marts,
        rows=summary.get("marts") or {},
        tests=summary.get("tests") or dbt_test_counts(results),
        warnings=summary.get("warnings") or [],
        dbt_run_results=results_key if results else None,
        inputs=summary.get("inputs") or {},
    ).as_dict()


def dbt_test_counts(run_results: dict[str, Any]) -> dict[str, int]:
    """dbt test outcomes by status (pass, fail, warn, error, skipped) from run_results.json."""
    statuses = Counter(
        str(item.get("status")) for item in run_results.get("results", [])
        if str(item.get("unique_id", "")).startswith(("test.", "unit_test."))
    )
    return dict(sorted(statuses.items()))


