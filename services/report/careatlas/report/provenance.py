"""Where a run's numbers come from: NPPES releases and their row counts, the Census product and
vintage of each demographic measure, the reference files, mart sizes and dbt's test results.
Read from the lake only (the marts pointer, ingest manifests, release pointers, the run
manifest and dbt's run_results.json).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from careatlas.report.labels import demographic_sources
from careatlas.runs import model
from careatlas.shared import catalog, layout
from careatlas.shared.storage import Lake

REFERENCE_INPUTS = (
    ("nucc", "NUCC taxonomy"),
    ("hud_zip_county", "HUD ZIP-county crosswalk"),
    ("nppes_deactivations", "NPPES deactivation report"),
)


@dataclass(frozen=True)
class NppesInput:
    dataset: str
    release: str
    version: str | None
    rows_published: int | None
    rows_read: int | None = None
    rows_quarantined: int | None = None
    source_file: str | None = None


@dataclass(frozen=True)
class DbtNode:
    name: str
    status: str
    failures: int | None
    message: str | None


@dataclass(frozen=True)
class Provenance:
    run_id: str
    built_at: str | None
    acs_year: int | None  # None when the demographics are the offline Census products
    nppes: list[NppesInput]
    references: list[tuple[str, str | None]]  # (what, lake key)
    mart_rows: dict[str, int]
    tests: dict[str, int]
    warnings: list[str]
    not_passed: list[DbtNode] = field(default_factory=list)  # tests and models that did not pass
    dbt: dict[str, Any] = field(default_factory=dict)  # version, generated_at, elapsed_s, nodes
    run: dict[str, Any] | None = None  # the orchestrated run's manifest, when there is one
    demographics: list[tuple[str, str]] = field(default_factory=list)  # (measure, product and vintage)


def collect(lake: Lake, pointer: dict[str, Any]) -> Provenance:
    inputs = pointer.get("inputs") or {}
    results = lake.read_json_or_none(pointer["dbt_run_results"]) if pointer.get("dbt_run_results") else None
    return Provenance(
        run_id=pointer["run_id"],
        built_at=pointer.get("built_at"),
        acs_year=inputs.get("acs_year"),
        nppes=nppes_inputs(lake, inputs),
        references=[(label, inputs.get(name)) for name, label in REFERENCE_INPUTS],
        mart_rows=dict(sorted((pointer.get("rows") or {}).items())),
        tests=dict(pointer.get("tests") or {}),
        warnings=list(pointer.get("warnings") or []),
        not_passed=not_passed(results or {}),
        dbt=dbt_summary(results or {}),
        run=run_summary(lake, pointer["run_id"]),
        demographics=demographic_sources(inputs),
    )


def nppes_inputs(lake: Lake, inputs: dict[str, Any]) -> list[NppesInput]:
    """The full release and every weekly delta the build read, with ingest's row counts."""
    wanted = []
    if inputs.get("nppes_full"):
        wanted.append(("npidata", inputs["nppes_full"]))
    wanted += [("npidata_weekly", weekly) for weekly in inputs.get("nppes_weekly") or []]
    return [_nppes_input(lake, dataset, item) for dataset, item in wanted]


def _nppes_input(lake: Lake, dataset: str, item: dict[str, Any]) -> NppesInput:
    release, version = item["release"], item.get("version")
    # read as a plain dict: the report reads a few counts and tolerates partial manifests
    manifest = lake.read_json_or_none(layout.nppes_manifest(dataset, release))
    if manifest and (manifest.get("plan") or {}).get("version") == version:
        return NppesInput(dataset, release, version, manifest.get("rows_written"), manifest.get("rows_read"),
                          manifest.get("rows_quarantined"), manifest["plan"].get("source_file"))
    # no ingest manifest for this version (e.g. written by another tool): the release pointer has the counts
    published = catalog.read(lake, dataset, release)
    if published and published.version == version:
        return NppesInput(dataset, release, version, published.rows, published.rows + published.rows_quarantined,
                          published.rows_quarantined, published.source_file)
    return NppesInput(dataset, release, version, item.get("rows"))


def not_passed(run_results: dict[str, Any]) -> list[DbtNode]:
    nodes = []
    for item in run_results.get("results", []):
        status = str(item.get("status"))
        if status not in ("pass", "success"):
            name = str(item.get("unique_id", "")).split(".", 2)[-1]
            nodes.append(DbtNode(name, status, item.get("failures"), item.get("message")))
    return sorted(nodes, key=lambda node: (node.status, node.name))


def dbt_summary(run_results: dict[str, Any]) -> dict[str, Any]:
    if not run_results:
        return {}
    metadata = run_results.get("metadata") or {}
    return {
        "dbt_version": metadata.get("dbt_version"),
        "generated_at": metadata.get("generated_at"),
        "elapsed_s": run_results.get("elapsed_time"),
        "nodes": len(run_results.get("results", [])),
    }


def run_summary(lake: Lake, run_id: str) -> dict[str, Any] | None:
    manifest = model.load_manifest(lake, run_id)
    if manifest is None:
        return None  # built by `careatlas transform`/the demo without an orchestrated run
    return {
        "status": manifest.status,
        "created_at": manifest.created_at.isoformat(),
        "finished_at": manifest.finished_at.isoformat() if manifest.finished_at else None,
        "release": manifest.release,
        "raw_key": manifest.raw_key,
        "raw_sha256": manifest.raw_sha256,
    }
