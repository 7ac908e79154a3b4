"""Proof that runs work end to end on real Redis, S3 and worker processes, through the CLI."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest
from support import companion_files

from careatlas.runs import model
from careatlas.shared import catalog, layout

pytestmark = pytest.mark.e2e
ACS_YEAR = "2022"


def _start(stack, inputs: dict, *extra: str) -> dict:
    return stack.cli_json("run", "--nppes", inputs["nppes"], "--nucc", inputs["nucc"], "--hud", inputs["hud"],
                          "--acs-year", ACS_YEAR, *extra)


def test_a_full_run_from_land_to_marts(stack) -> None:
    stack.start_workers()
    inputs = stack.inputs(rows=300)
    started = _start(stack, inputs)
    watched = stack.cli("watch", started["run_id"])
    assert watched.returncode == 0, watched.stdout[-3000:] + watched.stderr[-3000:]

    status = stack.cli_json("status", started["run_id"])
    assert status["status"] == "succeeded" and status["chunks_done"] == status["chunks_total"] > 2
    assert status["rows"] == 300 and len(status["workers"]) >= 3  # two ingest, census, transform
    lake = stack.lake
    pointer = catalog.read(lake, "npidata", "2025-04-07")
    assert pointer.version == started["run_id"] and pointer.rows == 300
    latest = lake.read_json(layout.marts_latest())
    assert latest["run_id"] == started["run_id"]
    assert model.load_manifest(lake, started["run_id"]).status == "succeeded"
    again = _start(stack, inputs)  # the same release and bytes: nothing to do
    assert again["status"] == "already built" and again["run_id"] == started["run_id"]
    listed = stack.cli_json("runs")
    assert [r["run_id"] for r in listed] == [started["run_id"]]
    assert pl.read_parquet(lake.uri(pointer.files[0]), storage_options=lake.polars_storage_options()).height > 0


def test_a_monthly_zip_run_publishes_its_companions(stack) -> None:
    """`careatlas run` of a monthly zip: pl, othername and endpoint are chunked in the run's
    canvas and published by its finalize in the run's version, with the embedded checks."""
    stack.start_workers()
    inputs = stack.inputs(rows=120)
    bundle = companion_files.write_zip(stack.folder, main=Path(inputs["nppes"]))
    started = stack.cli_json("run", "--nppes", str(bundle), "--nucc", inputs["nucc"], "--hud", inputs["hud"],
                             "--acs-year", ACS_YEAR)
    watched = stack.cli("watch", started["run_id"])
    assert watched.returncode == 0, watched.stdout[-3000:] + watched.stderr[-3000:]
    manifest = stack.lake.read_json(layout.nppes_manifest("npidata", companion_files.RELEASE))
    assert manifest["rows_read"] == 120
    companion_files.check_published(stack.lake, manifest["companions"], version=started["run_id"])


def test_cancel_revokes_a_queued_run_and_frees_the_release(stack) -> None:
    inputs = stack.inputs(rows=50)
    run_id = _start(stack, inputs)["run_id"]  # no worker yet: the run waits in the queue
    refused = stack.cli("run", "--nppes", inputs["nppes"], "--acs-year", ACS_YEAR)
    assert refused.returncode == 1 and f"being written by run {run_id}" in refused.stderr
    cancelled = stack.cli_json("cancel", run_id)
    assert cancelled["revoked"] == 1  # the coordinator task itself
    status = stack.cli("status", run_id, "--json")
    assert status.returncode == 1 and '"status": "cancelled"' in status.stdout
    stack.start_workers("ingest")
    time.sleep(3)  # a revoked task is dropped when a worker receives it: nothing gets planned
    assert model.load_manifest(stack.lake, run_id).plan is None
    assert stack.cli_json("run", "--nppes", inputs["nppes"], "--acs-year", ACS_YEAR)["status"] == "planning"
