"""Proof that runs survive faults that need a deployment of their own: a whole ingest worker
killed (its chunk comes back after the visibility timeout), Redis restarting with nothing
persisted, and a Census outage longer than every retry. Real processes, real services, nothing
mocked. The faults that share one deployment are in test_run_fault_matrix.py."""

from __future__ import annotations

import json
import time

import polars as pl
import pytest
from support.faults import wait_until

from careatlas.runs import model
from careatlas.runs.live import RunStore
from careatlas.shared import catalog

pytestmark = pytest.mark.e2e
ACS_YEAR = "2022"


def _start(stack, inputs: dict) -> str:
    return stack.cli_json("run", "--nppes", inputs["nppes"], "--nucc", inputs["nucc"], "--hud", inputs["hud"],
                          "--acs-year", ACS_YEAR)["run_id"]


def _published_rows(stack) -> int:
    lake = stack.lake
    pointer = catalog.read(lake, "npidata", "2025-04-07")
    frame = pl.read_parquet([lake.uri(k) for k in pointer.files], storage_options=lake.polars_storage_options(),
                            hive_partitioning=False)
    assert frame["npi"].n_unique() == frame.height  # nothing twice
    return frame.height


def _live(stack) -> RunStore:
    return RunStore.from_url(stack.env["CAREATLAS_REDIS_URL"])


def test_sigkill_an_ingest_worker_mid_chunk(stack) -> None:
    stack.env.update(CAREATLAS_CHUNK_BYTES="1500000", CAREATLAS_PARSE_BATCH_BYTES="400000")
    stack.start_workers()
    inputs = stack.inputs(rows=12_000)
    run_id = _start(stack, inputs)
    victim = stack.workers["ingest"][0]

    def victim_is_mid_chunk() -> bool:
        return any(t.state == "running" and t.worker == victim.name and t.name == "ingest.ingest_chunk"
                   for t in _live(stack).tasks(run_id).values())

    wait_until(victim_is_mid_chunk, what="a chunk running on the victim")
    victim.kill()
    watched = stack.cli("watch", run_id, timeout=400)
    assert watched.returncode == 0, watched.stdout[-3000:]
    assert _published_rows(stack) == 12_000  # nothing lost, nothing twice


def test_redis_restarts_during_a_run_and_retry_completes_it(stack) -> None:
    stack.start_workers()
    run_id = _start(stack, stack.inputs(rows=600))
    wait_until(lambda: any(t.state == "done" for t in _live(stack).tasks(run_id).values()), what="a finished task")
    stack.redis.stop()  # nothing persisted: queues, chord state and run state are gone
    time.sleep(2)
    stack.redis.start()
    answered = stack.cli("status", run_id, "--json")  # Redis forgot the run: the lake still knows it
    status = json.loads(answered.stdout)
    assert status["run_id"] == run_id and answered.returncode == (1 if status["status"] == "failed" else 0)
    if status["status"] != "succeeded":
        retried = stack.cli("retry", run_id, "--wait", timeout=400)
        assert retried.returncode == 0, retried.stdout[-3000:] + retried.stderr[-2000:]
    assert stack.cli_json("status", run_id)["status"] == "succeeded"
    assert _published_rows(stack) == 600


def test_census_outage_fails_clearly_then_retry_reuses_ingest(stack) -> None:
    stack.start_workers()
    stack.census.fail_next(*["503"] * 40)  # longer than all the retries of both census tasks
    run_id = _start(stack, stack.inputs(rows=300))
    watched = stack.cli("watch", run_id, timeout=600)
    assert watched.returncode == 1
    manifest = model.load_manifest(stack.lake, run_id)
    assert manifest.status == "failed" and "census.fetch_acs5" in manifest.error
    chunk_runs = sum(1 for t in model.load_tasks(stack.lake, run_id).values() if t.name == "ingest.ingest_chunk")
    stack.census.recover()
    retried = stack.cli("retry", run_id, "--wait", timeout=400)
    assert retried.returncode == 0, retried.stdout[-3000:]
    after = sum(1 for t in model.load_tasks(stack.lake, run_id).values() if t.name == "ingest.ingest_chunk")
    assert after == chunk_runs  # no chunk ran again: ingest output was reused
