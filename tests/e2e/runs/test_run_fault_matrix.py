"""The fault matrix: one deployment on this machine (a private Redis, moto S3 behind a breakable
proxy, real ingest/census/transform worker processes, the real CLI), a baseline full release,
then one weekly run per fault. For every fault: the run's terminal state, the time to reach it,
rows published against rows read (exactly), nothing published by a failed or cancelled run, and
the previous ``latest`` intact. ``CAREATLAS_FAULT_MATRIX_OUT`` names a JSON file for the figures
(docs/runbook.md "Fault matrix" is written from it).

The cases share the stack and run in file order: each builds on the releases before it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import redis
from support import faults
from support.run_stack import RunStack, open_stack

from careatlas.runs import model
from careatlas.runs.live import RunStore
from careatlas.shared import catalog, layout
from careatlas.shared.celery_app import create_app
from careatlas.shared.settings import Settings

# one stack, cases in file order: `make test` runs pytest-xdist with --dist loadfile, so one worker
# runs them all (xdist 3.8's loadgroup ignores xdist_group marks under pytest 9.2)
pytestmark = [pytest.mark.e2e, pytest.mark.faults]
ACS_YEAR = "2022"
FULL = "2025-04-07"
ROWS = 300
FIGURES: list[dict] = []
STATE: dict[str, str] = {}
_LAKE: list = []  # the matrix's lake, for the figures


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, s3_endpoint: str) -> Iterator[RunStack]:
    # kills here hit pool processes (requeued at once), so no fault waits for the visibility
    # timeout; a short one would redeliver every long step (a transform) and count it
    with open_stack(tmp_path_factory.mktemp("matrix"), s3_endpoint, CAREATLAS_VISIBILITY_TIMEOUT_S="600") as stack:
        stack.start_workers()
        _LAKE.append(stack.lake)
        yield stack
    out = os.environ.get("CAREATLAS_FAULT_MATRIX_OUT")
    if out:
        Path(out).write_text(json.dumps(FIGURES, indent=2))
    print("\nfault matrix:\n" + "\n".join(
        f"  {f['fault']}: {f['terminal']} in {f['seconds']} s (load {f['load_1m']}); rows read {f['rows_read']}, "
        f"published {f['rows_published']}, quarantined {f['rows_quarantined']}; latest is the run: {f['latest_is_run']}"
        for f in FIGURES))


# ---------------------------------------------------------------------- helpers
def _weekly(stack: RunStack, n: int, rows: int = 120) -> tuple[str, str]:
    """The n-th weekly's file (new NPIs of their own) and its release."""
    end = time.strftime("%Y%m%d", time.gmtime(time.mktime(time.strptime("2025-04-13", "%Y-%m-%d")) + 7 * 86400 * n))
    inputs = stack.inputs(rows=rows, start=10_000 * (n + 1), name=f"npidata_pfile_20250407-{end}.csv")
    return inputs["nppes"], f"{end[:4]}-{end[4:6]}-{end[6:]}"


def _start(stack: RunStack, nppes: str, *extra: str) -> str:
    return stack.cli_json("run", "--nppes", nppes, "--acs-year", ACS_YEAR, *extra)["run_id"]


def _live(stack: RunStack) -> RunStore:
    return RunStore.from_url(stack.env["CAREATLAS_REDIS_URL"])


def _manifest(stack: RunStack, run_id: str) -> model.RunManifest:
    return model.load_manifest(stack.lake, run_id)


def _terminal(stack: RunStack, run_id: str, timeout: float = 400, after_attempt: int = 0) -> model.RunManifest:
    def final() -> bool:
        manifest = _manifest(stack, run_id)
        return manifest.is_final and manifest.attempt > after_attempt
    try:
        faults.wait_until(final, timeout, f"run {run_id} to end")
    except AssertionError as timed_out:  # say where it stands: which step never ended
        tasks = [f"{t.name}{'' if t.chunk is None else f' chunk {t.chunk}'}: {t.state} x{t.attempts} "
                 f"on {t.worker} {t.error or ''}" for t in _live(stack).tasks(run_id).values()]
        raise AssertionError(f"{timed_out}; status {_manifest(stack, run_id).status}; tasks: {tasks}; "
                             f"load {os.getloadavg()[0]:.1f}; worker logs in {stack.folder}") from None
    return _manifest(stack, run_id)


def _running(stack: RunStack, run_id: str, task: str) -> bool:
    return any(t.name == task and t.state == "running" for t in _live(stack).tasks(run_id).values())


def _reconciled(stack: RunStack, dataset: str, release: str, run_id: str, rows: int) -> None:
    """Published by this run, every row read is published or quarantined, and the files hold
    exactly the rows the pointer says, each NPI once."""
    lake = stack.lake
    pointer = catalog.read(lake, dataset, release)
    assert pointer is not None and pointer.version == run_id
    ingest = lake.read_json(layout.nppes_manifest(dataset, release))
    frame = pl.read_parquet([lake.uri(k) for k in pointer.files], storage_options=lake.polars_storage_options(),
                            hive_partitioning=False)
    assert ingest["rows_read"] == rows == frame.height + ingest["rows_quarantined"]
    assert frame.height == pointer.rows and frame["npi"].n_unique() == frame.height


def _nothing_published(stack: RunStack, dataset: str, release: str, run_id: str) -> None:
    pointer = catalog.read(stack.lake, dataset, release)
    assert pointer is None or pointer.version != run_id
    assert stack.lake.read_json(layout.marts_latest())["run_id"] == STATE["latest"]  # the previous latest


def _record(fault: str, manifest: model.RunManifest, started: float, **extra) -> None:
    FIGURES.append({"fault": fault, "terminal": manifest.status, "seconds": round(time.monotonic() - started, 1),
                    "load_1m": round(os.getloadavg()[0], 1), **_published(manifest),
                    "error": (manifest.error or "")[:160], **extra})


def _published(manifest: model.RunManifest) -> dict:
    """What the run has published when its figure is taken: the release's rows (read, published,
    quarantined) if the release pointer names its version, and whether `latest` names the run."""
    lake = _LAKE[0]
    pointer = catalog.read(lake, manifest.dataset, manifest.release)
    ours = pointer is not None and pointer.version == manifest.run_id
    ingest = lake.read_json(layout.nppes_manifest(manifest.dataset, manifest.release)) if ours else {}
    return {"rows_read": ingest.get("rows_read"), "rows_published": pointer.rows if ours else 0,
            "rows_quarantined": ingest.get("rows_quarantined"),
            "latest_is_run": (catalog.read_latest(lake) or {}).get("run_id") == manifest.run_id}


def _succeeded(stack: RunStack, run_id: str, release: str, rows: int, fault: str, started: float, **extra) -> None:
    manifest = _terminal(stack, run_id)
    _record(fault, manifest, started, **extra)
    assert manifest.status == "succeeded", manifest.error
    _reconciled(stack, "npidata_weekly", release, run_id, rows)
    assert stack.lake.read_json(layout.marts_latest())["run_id"] == run_id
    STATE["latest"] = run_id


# ---------------------------------------------------------------------- the matrix
def test_baseline_full_release(matrix: RunStack) -> None:
    inputs = matrix.inputs(rows=ROWS)
    started = time.monotonic()
    run_id = matrix.cli_json("run", "--nppes", inputs["nppes"], "--nucc", inputs["nucc"], "--hud", inputs["hud"],
                             "--acs-year", ACS_YEAR)["run_id"]
    manifest = _terminal(matrix, run_id)
    _record("none (baseline full release)", manifest, started)
    assert manifest.status == "succeeded", manifest.error
    _reconciled(matrix, "npidata", FULL, run_id, ROWS)
    STATE["latest"] = run_id


def test_poison_chunk_fails_the_run_after_the_delivery_cap_then_retry_completes(matrix: RunStack) -> None:
    nppes, release = _weekly(matrix, 0)
    # every delivery the cap allows (3): an OOM each time
    fault = faults.arm(matrix.faults, "ingest.ingest_chunk", chunk=0, kills=3)
    started = time.monotonic()
    run_id = _start(matrix, nppes)
    manifest = _terminal(matrix, run_id)
    _record("poison input: chunk's worker OOM-killed on every delivery", manifest, started,
            kills=len(faults.kills(fault)))
    assert len(faults.kills(fault)) == 3
    assert manifest.status == "failed" and "ingest.ingest_chunk chunk 0 was delivered 4 times" in manifest.error
    _nothing_published(matrix, "npidata_weekly", release, run_id)
    lock = f"careatlas:lock:release:*:npidata_weekly:{release}"
    assert not _live(matrix).redis.keys(lock)  # the release is free again at once
    started = time.monotonic()
    assert matrix.cli("retry", run_id).returncode == 0
    _succeeded(matrix, run_id, release, 120, "retry after poison input", started)


def test_transform_killed_mid_build_until_the_cap_then_retry_rebuilds_only_the_marts(matrix: RunStack) -> None:
    nppes, release = _weekly(matrix, 1)
    fault = faults.arm(matrix.faults, "transform.build_marts", kills=3)
    started = time.monotonic()
    run_id = _start(matrix, nppes)
    manifest = _terminal(matrix, run_id)
    _record("SIGKILL of the transform worker as it builds, every delivery", manifest, started,
            kills=len(faults.kills(fault)))
    assert len(faults.kills(fault)) == 3
    assert manifest.status == "failed" and "transform.build_marts was delivered 4 times" in manifest.error
    assert matrix.lake.read_json(layout.marts_latest())["run_id"] == STATE["latest"]
    chunks = {t.task_id for t in model.load_tasks(matrix.lake, run_id).values() if t.name == model.CHUNK_TASK}
    started = time.monotonic()
    retried = matrix.cli_json("retry", run_id)
    assert retried["sent"] == "ingest.retry_run"
    _succeeded(matrix, run_id, release, 120, "retry after a late (transform) failure", started)
    after = {t.task_id for t in model.load_tasks(matrix.lake, run_id).values() if t.name == model.CHUNK_TASK}
    assert after == chunks  # nothing re-ingested: the published version was reused


def test_sigkill_mid_finalize_is_redelivered_and_publishes_once(matrix: RunStack) -> None:
    nppes, release = _weekly(matrix, 2)
    fault = faults.arm(matrix.faults, "ingest.finalize_nppes", kills=1, at="before_publish")
    started = time.monotonic()
    run_id = _start(matrix, nppes)
    _succeeded(matrix, run_id, release, 120, "SIGKILL of the ingest worker mid-finalize (before its pointer switch)",
               started, kills=len(faults.kills(fault)))
    assert len(faults.kills(fault)) == 1


def test_finalize_killed_on_every_delivery_fails_at_the_cap_then_retry_publishes_once(matrix: RunStack) -> None:
    """A finalize that OOMs at its pointer switch every time: its claim outlives the dead process
    for its TTL, and the redelivery must still count as one (not become a Celery retry, whose
    count starts again), so the run fails at the cap; retry then finalizes from the chunks' results."""
    nppes, release = _weekly(matrix, 8)
    fault = faults.arm(matrix.faults, "ingest.finalize_nppes", kills=3, at="before_publish")
    started = time.monotonic()
    run_id = _start(matrix, nppes)
    manifest = _terminal(matrix, run_id)
    _record("SIGKILL of the ingest worker mid-finalize (before its pointer switch), every delivery", manifest,
            started, kills=len(faults.kills(fault)))
    assert len(faults.kills(fault)) == 3
    assert manifest.status == "failed" and "ingest.finalize_nppes was delivered 4 times" in manifest.error
    _nothing_published(matrix, "npidata_weekly", release, run_id)
    chunks = {t.task_id for t in model.load_tasks(matrix.lake, run_id).values() if t.name == model.CHUNK_TASK}
    started = time.monotonic()
    assert matrix.cli_json("retry", run_id)["sent"] == "ingest.retry_run"
    _succeeded(matrix, run_id, release, 120, "retry after finalize failed for good", started)
    after = {t.task_id for t in model.load_tasks(matrix.lake, run_id).values() if t.name == model.CHUNK_TASK}
    assert after == chunks  # every chunk had its result: none ran again


def test_redis_blip_mid_chunks_requeues_and_the_run_completes(matrix: RunStack) -> None:
    nppes, release = _weekly(matrix, 3, rows=600)
    started = time.monotonic()
    run_id = _start(matrix, nppes)
    faults.wait_until(lambda: _running(matrix, run_id, model.CHUNK_TASK), what="a running chunk")
    dropped = faults.redis_blip(matrix.redis.url)
    _succeeded(matrix, run_id, release, 600, "Redis blip (every connection dropped) mid-chunks", started,
               connections_dropped=dropped)


def test_s3_outage_mid_run_is_retried_through(matrix: RunStack) -> None:
    nppes, release = _weekly(matrix, 4)
    started = time.monotonic()
    run_id = _start(matrix, nppes)
    matrix.s3_proxy.refuse()
    time.sleep(4)
    matrix.s3_proxy.accept()
    _succeeded(matrix, run_id, release, 120, "S3 refusing connections for 4 s", started)


def test_duplicate_deliveries_launch_one_canvas_and_publish_once(matrix: RunStack) -> None:
    nppes, release = _weekly(matrix, 5)
    started = time.monotonic()
    run_id = _start(matrix, nppes)
    app = create_app(Settings(broker_url=matrix.env["CAREATLAS_BROKER_URL"],
                              result_backend=matrix.env["CAREATLAS_RESULT_BACKEND"]))
    (coordinator,) = [t for t in _live(matrix).tasks(run_id).values() if t.name == "ingest.start_run"]
    faults.wait_until(lambda: _manifest(matrix, run_id).launched_root_id is not None, what="the canvas")
    refused = matrix.cli("retry", run_id)  # a live run is refused: no second canvas beside it
    assert refused.returncode == 2 and "is running" in refused.stderr
    # the same message twice (a connection-loss restore): same task id, same kwargs
    app.send_task("ingest.start_run", kwargs={"run_id": run_id, "lake": matrix.env["CAREATLAS_LAKE"]},
                  task_id=coordinator.task_id)
    plan = _manifest(matrix, run_id).plan
    _succeeded(matrix, run_id, release, 120, "duplicate delivery of the coordinator", started)
    app.send_task("ingest.finalize_nppes", kwargs={"plan": plan, "lake": matrix.env["CAREATLAS_LAKE"],
                                                   "run_id": run_id})  # and a late duplicate finalize
    time.sleep(3)
    chunks = [t for t in model.load_tasks(matrix.lake, run_id).values() if t.name == model.CHUNK_TASK]
    assert len(chunks) == _manifest(matrix, run_id).chunk_count  # one canvas: each chunk ran once
    assert _manifest(matrix, run_id).status == "succeeded"
    _reconciled(matrix, "npidata_weekly", release, run_id, 120)


def _idle(stack: RunStack, queue: str, timeout: float = 180) -> None:
    """Until the queue's workers run nothing (a revoked or skipped step has really stopped)."""
    app = create_app(Settings(broker_url=stack.env["CAREATLAS_BROKER_URL"],
                              result_backend=stack.env["CAREATLAS_RESULT_BACKEND"]))
    names = [w.name for w in stack.workers[queue]]

    def idle() -> bool:
        try:
            active = app.control.inspect(destination=names, timeout=2).active() or {}
        except (redis.RedisError, OSError):  # the broadcast's reply connection dropped: ask again
            return False
        return set(active) >= set(names) and not any(active.values())
    faults.wait_until(idle, timeout, f"the {queue} workers to be idle")


def test_cancel_mid_chunks_publishes_nothing_and_retry_is_refused(matrix: RunStack) -> None:
    nppes, release = _weekly(matrix, 6, rows=600)
    started = time.monotonic()
    run_id = _start(matrix, nppes)
    faults.wait_until(lambda: _running(matrix, run_id, model.CHUNK_TASK), what="a running chunk")
    assert matrix.cli_json("cancel", run_id)["revoked"] >= 1
    _record("cancel mid-chunks", _manifest(matrix, run_id), started)
    _idle(matrix, "ingest")
    assert _manifest(matrix, run_id).status == "cancelled"  # never succeeded
    _nothing_published(matrix, "npidata_weekly", release, run_id)
    refused = matrix.cli("retry", run_id)
    assert refused.returncode == 2 and "cancelled run is final" in refused.stderr


def test_cancel_during_transform_keeps_latest_and_withdraws_the_release(matrix: RunStack) -> None:
    nppes, release = _weekly(matrix, 7)
    started = time.monotonic()
    run_id = _start(matrix, nppes)
    faults.wait_until(lambda: _running(matrix, run_id, "transform.build_marts"), what="the transform")
    assert matrix.cli("cancel", run_id).returncode == 0
    _record("cancel during transform", _manifest(matrix, run_id), started)
    _idle(matrix, "transform")
    assert _manifest(matrix, run_id).status == "cancelled"
    _nothing_published(matrix, "npidata_weekly", release, run_id)


def test_cancel_mid_finalize_publishes_nothing(matrix: RunStack) -> None:
    """Every data file written, the claim held, the pointer switch next: a cancel now publishes
    nothing (the step is revoked, or its last check before the switch stops it)."""
    nppes, release = _weekly(matrix, 9)
    fault = faults.arm(matrix.faults, "ingest.finalize_nppes", kills=1, at="before_publish", pause=True)
    started = time.monotonic()
    run_id = _start(matrix, nppes)
    faults.wait_until(lambda: faults.kills(fault), 240, "finalize to reach its pointer switch")
    assert matrix.cli_json("cancel", run_id)["revoked"] >= 1
    faults.release(fault)
    _record("cancel mid-finalize (data files written, before the pointer switch)", _manifest(matrix, run_id), started)
    _idle(matrix, "ingest")
    assert _manifest(matrix, run_id).status == "cancelled"
    _nothing_published(matrix, "npidata_weekly", release, run_id)


def test_a_failing_dbt_test_fails_the_run_and_keeps_latest(matrix: RunStack) -> None:
    """Last: a new full release whose transform fails leaves that release ingested but unbuilt."""
    duplicated = matrix.inputs(rows=ROWS, name="npidata_pfile_20050523-20250512.csv")["nppes"]
    lines = Path(duplicated).read_text().splitlines()
    Path(duplicated).write_text("\n".join([*lines, lines[1]]) + "\n")  # one NPI twice: staging's unique test fails
    started = time.monotonic()
    run_id = _start(matrix, duplicated)
    manifest = _terminal(matrix, run_id)
    _record("a dbt test fails (one NPI twice in a full file)", manifest, started)
    assert manifest.status == "failed" and "unique" in manifest.error  # the failing test is named
    assert matrix.lake.read_json(layout.marts_latest())["run_id"] == STATE["latest"]
