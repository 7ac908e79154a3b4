from __future__ import annotations

import report_marts

from careatlas.report.provenance import DbtNode, NppesInput, collect, not_passed
from careatlas.runs import model
from careatlas.shared import catalog, layout
from careatlas.shared.storage import Lake


def _ingest_manifest(lake: Lake, dataset: str, release: str, version: str, read: int, written: int) -> None:
    """The parts of ingest's Manifest the report reads (services/ingest/.../models.py)."""
    lake.write_json(layout.nppes_manifest(dataset, release), {
        "plan": {"dataset": dataset, "release": release, "version": version, "source_file": f"{dataset}.csv"},
        "chunks": [], "rows_read": read, "rows_written": written, "rows_quarantined": read - written,
        "encoding_repaired": 0, "files": [], "quarantine_key": None, "seconds": {},
    })


def test_row_counts_come_from_the_ingest_manifest_of_the_version_read(lake: Lake) -> None:
    pointer = report_marts.publish(lake, "run-1")
    _ingest_manifest(lake, "npidata", "2025-01-12", "v1", read=9_400_007, written=9_400_000)
    _ingest_manifest(lake, "npidata_weekly", "2025-01-19", "v1", read=7, written=7)  # not the version read
    catalog.publish(lake, catalog.PublishedRelease(
        dataset="npidata_weekly", release="2025-01-19", kind="weekly", version="v2", files=[], rows=49_990,
        rows_quarantined=10, source_file="weekly.csv", source_sha256="0" * 64))

    prov = collect(lake, pointer)

    assert prov.nppes == [
        NppesInput("npidata", "2025-01-12", "v1", 9_400_000, 9_400_007, 7, "npidata.csv"),
        NppesInput("npidata_weekly", "2025-01-19", "v2", 49_990, 50_000, 10, "weekly.csv"),
    ]


def test_without_manifests_the_pointer_rows_are_kept(lake: Lake) -> None:
    pointer = report_marts.publish(lake, "run-1")
    assert collect(lake, pointer).nppes[0] == NppesInput("npidata", "2025-01-12", "v1", 9_400_000)


def test_tests_dbt_and_references_come_from_the_pointer_and_run_results(lake: Lake) -> None:
    pointer = report_marts.publish(lake, "run-1")

    prov = collect(lake, pointer)

    assert (prov.run_id, prov.acs_year, prov.tests) == ("run-1", 2023, {"pass": 2, "warn": 1})
    assert prov.references == [
        ("NUCC taxonomy", "reference/nucc_taxonomy/version=25.1/data.parquet"),
        ("HUD ZIP-county crosswalk", "geographic/hud_zip_county/vintage=032023/data.parquet"),
        ("NPPES deactivation report", None),
    ]
    assert prov.dbt == {"dbt_version": "1.11.16", "generated_at": "2025-01-13T10:00:00Z", "elapsed_s": 12.5,
                        "nodes": 4}
    assert prov.not_passed == [DbtNode("row_count_reconciles_fct.ghi", "warn", 3,
                                       "Got 3 results, configured to warn if != 0")]
    assert prov.mart_rows["fct_county_access"] == len(report_marts.COUNTIES)
    assert prov.run is None  # no orchestrated run manifest


def test_the_run_manifest_is_summarised(lake: Lake) -> None:
    pointer = report_marts.publish(lake, "run-1")
    model.save_manifest(lake, model.RunManifest(
        run_id="run-1", status="succeeded", release="2025-01-12", kind="full", dataset="npidata",
        raw_key="raw/nppes/release=2025-01-12/npidata.zip", raw_sha256="c" * 64, raw_bytes=5))

    run = collect(lake, pointer).run

    assert run is not None
    assert (run["status"], run["raw_key"], run["raw_sha256"]) == (
        "succeeded", "raw/nppes/release=2025-01-12/npidata.zip", "c" * 64)


def test_a_pointer_without_run_results_still_collects(lake: Lake) -> None:
    pointer = report_marts.publish(lake, "run-1") | {"dbt_run_results": None, "inputs": {}}
    prov = collect(lake, pointer)
    assert (prov.dbt, prov.not_passed, prov.nppes, prov.acs_year) == ({}, [], [], None)


def test_not_passed_lists_failures_first_by_status_then_name() -> None:
    results = {"results": [
        {"unique_id": "test.p.b", "status": "warn"}, {"unique_id": "model.p.m", "status": "error", "message": "x"},
        {"unique_id": "test.p.a", "status": "fail", "failures": 2}, {"unique_id": "test.p.ok", "status": "pass"},
        {"unique_id": "model.p.ok", "status": "success"},
    ]}
    assert [(n.name, n.status) for n in not_passed(results)] == [("m", "error"), ("a", "fail"), ("b", "warn")]
