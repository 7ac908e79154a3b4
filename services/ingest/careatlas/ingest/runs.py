"""A run as one Celery canvas, coordinated from the ingest queue.

    chord([ingest_chunk x N, census.fetch_acs5 x geos, ingest.load_reference x k],
          ingest.finalize_nppes) | transform.build_marts | ingest.complete_run

The header is flat (one task per chunk), every step carries ``run_id`` so worker signals record
its state, and every step has ``ingest.fail_run`` as errback. Other services' tasks are named,
not imported: each service installs only its own code.
"""

from __future__ import annotations

from datetime import UTC, datetime

from celery import chord, current_app, current_task, shared_task
from celery.canvas import Signature

from careatlas.ingest import prepare
from careatlas.ingest.tasks import RETRY
from careatlas.shared import layout, runs
from careatlas.shared.logging import bind, get_logger
from careatlas.shared.settings import get_settings
from careatlas.shared.storage import open_lake

log = get_logger(__name__)


def _sig(name: str, **kwargs) -> Signature:
    return current_app.signature(name, kwargs=kwargs, immutable=True)


def build_canvas(manifest: runs.RunManifest, chunks: list[dict], *, lake: str | None,
                 census: bool = True, references: bool = True) -> tuple[Signature, list[Signature]]:
    run_id = manifest.run_id
    header = [_sig("ingest.ingest_chunk", spec=spec, lake=lake, run_id=run_id) for spec in chunks]
    if census and manifest.acs_year:
        header += [_sig("census.fetch_acs5", year=manifest.acs_year, geo=geo, lake=lake, run_id=run_id)
                   for geo in manifest.census_geos]
    if references:
        header += [_sig("ingest.load_reference", kind=kind, source=source, lake=lake, run_id=run_id)
                   for kind, source in sorted(manifest.references.items())]
    errback = _sig("ingest.fail_run", run_id=run_id, lake=lake)
    finalize = _sig("ingest.finalize_nppes", plan=manifest.plan, lake=lake, run_id=run_id)
    transform = _sig("transform.build_marts", run_id=run_id, lake=lake, acs_year=manifest.acs_year)
    complete = current_app.signature("ingest.complete_run", kwargs={"run_id": run_id, "lake": lake})
    for step in (finalize, transform, complete):
        step.on_error(errback)
    for task in header:
        task.freeze()
    return chord(header, finalize) | transform | complete, header


def launch(manifest: runs.RunManifest, chunks: list[dict], *, lake: str | None, **parts: bool) -> int:
    canvas, header = build_canvas(manifest, chunks, lake=lake, **parts)
    store = runs.RunStore.from_url(get_settings().redis_url)
    for task in header:
        spec = task.kwargs.get("spec") or {}
        store.put_task(manifest.run_id, runs.TaskRecord(task_id=task.id, name=task.task, state="queued",
                                                        chunk=spec.get("chunk"), run_attempt=manifest.attempt))
    store.set_status(manifest.run_id, "running")
    canvas.apply_async()
    return len(header)


@shared_task(name="ingest.start_run", acks_late=True, **RETRY)
def start_run(run_id: str, lake: str | None = None) -> dict:
    """Plan the run's NPPES file (its chunks are the run's version), then launch the canvas."""
    bind(run_id=run_id)
    store = open_lake(lake)
    manifest = runs.load_manifest(store, run_id)
    if manifest is None:
        raise ValueError(f"run {run_id}: no manifest at {store.uri(layout.run_manifest(run_id))}")
    if manifest.status == "cancelled":  # cancelled while this message waited in the queue
        return {"run_id": run_id, "status": "cancelled"}
    plan = prepare.build_plan(store, manifest.raw_key, manifest.raw_sha256, manifest.raw_bytes,
                              release=manifest.release, kind=manifest.kind, version=run_id,
                              chunk_bytes=get_settings().chunk_bytes)
    manifest.plan, manifest.chunk_count, manifest.status = plan.model_dump(mode="json"), len(plan.chunks), "running"
    manifest.attempt, manifest.attempt_root_id = manifest.attempt + 1, _workflow_root()
    runs.save_manifest(store, manifest)
    tasks = launch(manifest, manifest.plan["chunks"], lake=lake)
    log.info("run launched", chunks=len(plan.chunks), tasks=tasks)
    return {"run_id": run_id, "chunks": len(plan.chunks), "tasks": tasks}


@shared_task(name="ingest.retry_run", acks_late=True, **RETRY)
def retry_run(run_id: str, lake: str | None = None) -> dict:
    """Re-drive what did not finish: chunks without a result, census and references (cached,
    so cheap when already done), then finalize and transform."""
    bind(run_id=run_id)
    store = open_lake(lake)
    manifest = runs.load_manifest(store, run_id)
    if manifest is None or manifest.plan is None:
        raise ValueError(f"run {run_id} was never planned; start it again with `careatlas run`")
    if manifest.status == "cancelled":
        return {"run_id": run_id, "status": "cancelled"}
    plan = manifest.plan
    missing = [spec for spec in plan["chunks"] if not store.exists(
        layout.nppes_chunk_result(plan["dataset"], plan["release"], plan["version"], spec["chunk"]))]
    manifest.status, manifest.error = "running", None
    manifest.attempt, manifest.attempt_root_id = manifest.attempt + 1, _workflow_root()
    runs.save_manifest(store, manifest)
    tasks = launch(manifest, missing, lake=lake)
    log.info("run retried", chunks=len(missing), tasks=tasks)
    return {"run_id": run_id, "chunks": len(missing), "tasks": tasks}


@shared_task(name="ingest.complete_run", acks_late=True, **RETRY)
def complete_run(transform_result: dict | None, run_id: str, lake: str | None = None) -> dict:
    bind(run_id=run_id)
    store = open_lake(lake)
    manifest = runs.load_manifest(store, run_id)
    manifest.status, manifest.result = "succeeded", transform_result
    manifest.finished_at = datetime.now(UTC)
    runs.save_manifest(store, manifest)
    _release_lock(manifest, "succeeded")
    log.info("run succeeded")
    return {"run_id": run_id, "status": "succeeded"}


@shared_task(name="ingest.fail_run", acks_late=True, **RETRY)
def fail_run(*_errback_args, run_id: str, lake: str | None = None) -> dict:
    """Errback of every step. Celery's errback arguments differ by version and by where the
    failure happened, so the failed tasks are read from the run state instead."""
    bind(run_id=run_id)
    store = open_lake(lake)
    attempt = runs.attempt_of(runs.load_manifest(store, run_id), _workflow_root())
    manifest = runs.mark_failed(store, runs.RunStore.from_url(get_settings().redis_url), run_id,
                                failed_attempt=attempt)
    log.warning("run failed", error=manifest.error if manifest else None)
    return {"run_id": run_id, "status": "failed", "error": manifest.error if manifest else None}


def _workflow_root() -> str | None:
    """The root task of the running task's workflow: a coordinator's own id, which every task of
    the canvas it launches inherits (runs.attempt_of)."""
    request = current_task.request if current_task else None
    return (request.root_id or request.id) if request else None


def _release_lock(manifest: runs.RunManifest, status: str, **fields) -> None:
    live = runs.RunStore.from_url(get_settings().redis_url)
    live.set_status(manifest.run_id, status, **fields)
    live.unlock_release(manifest.dataset, manifest.release, manifest.run_id)
