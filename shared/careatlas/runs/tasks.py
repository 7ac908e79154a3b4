"""The run's coordinator tasks, on the ingest queue (its worker imports this module). A run is
one Celery canvas:

    chord([ingest_chunk x N, census.fetch_acs5 x geos, ingest.load_reference x k],
          ingest.finalize_nppes) | transform.build_marts | ingest.complete_run

The chunks are the main file's and, for a monthly zip, its companions' (pl, othername,
endpoint: careatlas.ingest.companions), which finalize publishes in the main file's version.

The header is flat (one task per chunk), every step carries ``run_id`` (so RunTask guards it
and the recorder follows it), and the body's steps have ``ingest.fail_run`` as errback. Other
services' tasks are named, not imported: each service installs only its own code. Planning
imports ``careatlas.ingest`` lazily: these tasks only ever run on an ingest worker.

Coordinators are idempotent: a redelivered ``start_run``/``retry_run`` whose canvas was sent
does nothing (``launched_root_id``), so a Redis blip cannot launch a second canvas.
"""

from __future__ import annotations

from typing import Any

from celery import Task, chord, current_app, current_task, shared_task
from celery.canvas import Signature

from careatlas.runs import lifecycle
from careatlas.runs.model import RunManifest, TaskRecord, attempt_of, failed_tasks, save_manifest
from careatlas.shared import layout
from careatlas.shared.logging import bind, get_logger
from careatlas.shared.settings import get_settings
from careatlas.shared.storage import LakeUnavailable

log = get_logger(__name__)
RETRY = {"autoretry_for": (LakeUnavailable,), "retry_backoff": True, "retry_jitter": True, "max_retries": 8}
NAMING_WAIT_S = 10  # how long an errback waits, in 1 s retries, for the failed task to say why


def _sig(name: str, **kwargs: Any) -> Signature:
    return current_app.signature(name, kwargs=kwargs, immutable=True)


def build_canvas(manifest: RunManifest, chunks: list[dict[str, Any]], *, lake: str | None,
                 ingest: bool = True) -> tuple[Signature, list[Signature]]:
    """The attempt's canvas and every step of it (frozen: ids known before it is sent, so
    ``cancel`` can revoke the queued body too). Without ``ingest`` (the release is already
    published by this run) only transform and complete."""
    run_id = manifest.run_id
    errback = _sig("ingest.fail_run", run_id=run_id, lake=lake)
    transform = _sig("transform.build_marts", run_id=run_id, lake=lake, acs_year=manifest.acs_year)
    complete = current_app.signature("ingest.complete_run", kwargs={"run_id": run_id, "lake": lake})
    if not ingest:
        steps = [transform, complete]
        for step in steps:
            step.on_error(errback)
            step.freeze()
        return transform | complete, steps
    header = [_sig("ingest.ingest_chunk", spec=spec, lake=lake, run_id=run_id) for spec in chunks]
    if manifest.acs_year:
        header += [_sig("census.fetch_acs5", year=manifest.acs_year, geo=geo, lake=lake, run_id=run_id)
                   for geo in manifest.census_geos]
    header += [_sig("ingest.load_reference", kind=kind, source=source, lake=lake, run_id=run_id)
               for kind, source in sorted(manifest.references.items())]
    finalize = _sig("ingest.finalize_nppes", plan=manifest.plan, lake=lake, run_id=run_id,
                    companion_plans=manifest.companion_plans)
    for step in (finalize, transform, complete):
        step.on_error(errback)
    steps = [*header, finalize, transform, complete]
    for step in steps:
        step.freeze()
    return chord(header, finalize) | transform | complete, steps


def launch(runs: lifecycle.Runs, manifest: RunManifest, chunks: list[dict[str, Any]], *, lake: str | None,
           root_id: str, ingest: bool = True) -> int:
    canvas, steps = build_canvas(manifest, chunks, lake=lake, ingest=ingest)
    for step in steps:
        spec = step.kwargs.get("spec") or {}
        runs.store.put_task(manifest.run_id, TaskRecord(task_id=step.id, name=step.task, state="queued",
                                                        chunk=spec.get("chunk"), run_attempt=manifest.attempt))
    runs.store.set_status(manifest.run_id, "running")
    canvas.apply_async()
    manifest.launched_root_id = root_id
    save_manifest(runs.lake, manifest)
    return len(steps)


def _begin_attempt(runs: lifecycle.Runs, run_id: str, root_id: str) -> RunManifest | None:
    """The manifest with this coordinator's attempt begun, or None when it already launched
    (a redelivery of the same message: nothing to do)."""
    manifest = runs.manifest(run_id)
    if manifest.launched_root_id == root_id:
        log.info("coordinator redelivered after its canvas was sent: nothing to do")
        return None
    if manifest.attempt_root_id != root_id:  # a redelivery before launch keeps its attempt number
        manifest.attempt, manifest.attempt_root_id = manifest.attempt + 1, root_id
    manifest.status, manifest.error, manifest.finished_at = "running", None, None
    return manifest


@shared_task(name="ingest.start_run", bind=True, acks_late=True, **RETRY)
def start_run(self: Task, run_id: str, lake: str | None = None) -> dict[str, Any]:
    """Plan the run's NPPES file (its chunks are the run's version), then launch the canvas."""
    from careatlas.ingest import companions, prepare

    bind(run_id=run_id)
    runs = lifecycle.Runs.open(get_settings(), lake)
    manifest = _begin_attempt(runs, run_id, self.request.id)
    if manifest is None:
        return {"run_id": run_id, "status": "already launched"}
    plan = prepare.build_plan(runs.lake, manifest.raw_key, manifest.raw_sha256, manifest.raw_bytes,
                              release=manifest.release, kind=manifest.kind, version=run_id,
                              chunk_bytes=get_settings().chunk_bytes)
    extra = companions.plan_all(runs.lake, plan, chunk_bytes=get_settings().chunk_bytes)
    manifest.plan = plan.model_dump(mode="json")
    manifest.companion_plans = [each.model_dump(mode="json") for each in extra]
    chunks = _chunks(manifest)
    manifest.chunk_count = len(chunks)
    save_manifest(runs.lake, manifest)
    tasks = launch(runs, manifest, chunks, lake=lake, root_id=self.request.id)
    log.info("run launched", chunks=len(chunks), companions=[each.dataset for each in extra], tasks=tasks)
    return {"run_id": run_id, "chunks": len(chunks), "tasks": tasks}


def _chunks(manifest: RunManifest) -> list[dict[str, Any]]:
    """The chunk specs of the run's main file and companions."""
    if manifest.plan is None:
        raise ValueError(f"run {manifest.run_id} was never planned")
    return [spec for plan in (manifest.plan, *manifest.companion_plans) for spec in plan["chunks"]]


@shared_task(name="ingest.retry_run", bind=True, acks_late=True, **RETRY)
def retry_run(self: Task, run_id: str, lake: str | None = None) -> dict[str, Any]:
    """Re-drive what did not finish. Once this run's version is published (a late failure:
    transform), only transform and complete; before, the chunks without a result, census and
    references (cached, so cheap when already done), then finalize and transform."""
    bind(run_id=run_id)
    runs = lifecycle.Runs.open(get_settings(), lake)
    manifest = _begin_attempt(runs, run_id, self.request.id)
    if manifest is None:
        return {"run_id": run_id, "status": "already launched"}
    if manifest.plan is None:
        raise ValueError(f"run {run_id} was never planned; start it again with `careatlas run`")
    published = lifecycle.published_version(runs.lake, manifest)
    missing = [] if published else [spec for spec in _chunks(manifest) if not runs.lake.exists(
        layout.nppes_chunk_result(spec["dataset"], spec["release"], spec["version"], spec["chunk"]))]
    save_manifest(runs.lake, manifest)
    tasks = launch(runs, manifest, missing, lake=lake, root_id=self.request.id, ingest=not published)
    log.info("run retried", chunks=len(missing), tasks=tasks, from_published=published)
    return {"run_id": run_id, "chunks": len(missing), "tasks": tasks, "from_published": published}


@shared_task(name="ingest.complete_run", acks_late=True, **RETRY)
def complete_run(transform_result: dict[str, Any] | None, run_id: str, lake: str | None = None) -> dict[str, Any]:
    bind(run_id=run_id)
    manifest = lifecycle.complete(lifecycle.Runs.open(get_settings(), lake), run_id, transform_result)
    log.info("run succeeded")
    return {"run_id": run_id, "status": manifest.status}


@shared_task(name="ingest.fail_run", acks_late=True, autoretry_for=(Exception,), retry_backoff=True,
             retry_backoff_max=60, max_retries=30)
def fail_run(*_errback_args: Any, run_id: str, lake: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """The fail step as a message: errback of the body's steps, and what RunTask.on_failure
    sends when it could not fail the run at once. Retried until Redis and the lake answer.
    Celery's errback arguments differ by version, so failed tasks are read from the run state."""
    bind(run_id=run_id)
    runs = lifecycle.Runs.open(get_settings(), lake)
    manifest = runs.manifest(run_id)
    if (reason is None and current_task and current_task.request.retries < NAMING_WAIT_S and runs.live
            and not manifest.is_final and not failed_tasks(manifest, runs.live.tasks(run_id))):
        # Celery sends a failed task's errbacks before it runs the task's on_failure, which
        # records why it failed (and fails the run itself): wait for that rather than fail the
        # run with no reason
        raise current_task.retry(countdown=1, max_retries=NAMING_WAIT_S)
    attempt = attempt_of(manifest, current_task.request.root_id if current_task else None)
    failed = lifecycle.fail(runs, run_id, reason, failed_attempt=attempt)
    return {"run_id": run_id, "status": failed.status if failed else None}
