"""The run API: every transition of a run, called by the CLI, the Celery tasks and the embedded
default alike. A run ends exactly once, in ``succeeded``, ``failed`` or ``cancelled``:

    planning --start_run--> running --complete--> succeeded
        |                      |--fail---------> failed --retry--> running
        '--------cancel--------'--cancel-------> cancelled  (final: nothing more is published)

Each transition writes the lake manifest (the record) and then Redis (status, lock). Failing
is an explicit call, never a side effect of logging: its errors propagate to the caller, which
is a Celery task that retries it (``ingest.fail_run``) or the CLI.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from careatlas.runs.live import ReleaseLock, RunStore
from careatlas.runs.model import (
    RunManifest,
    TaskRecord,
    attempt_of,
    failure_reason,
    load_manifest,
    load_tasks,
    save_manifest,
    save_task,
    summarize,
)
from careatlas.shared import catalog, host, layout
from careatlas.shared import logging as log_setup
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake, open_lake

log = structlog.get_logger(__name__)
CANCELLED_BY_OPERATOR = "cancelled by an operator"


class RunRefused(Exception):
    """The transition asked for is not allowed in the run's state; the message says why."""


class ReleaseBusy(RunRefused):
    """Another run is writing the release."""


class RunNotFound(LookupError):
    pass


class RunStopped(Exception):
    """The run was cancelled or failed, or this task belongs to an attempt ``retry`` replaced:
    the step must not write or publish anything."""


@dataclass
class Runs:
    """Where runs live: the lake (the record) and Redis (live state), with the settings."""

    settings: Settings
    lake: Lake
    live: RunStore | None  # None on the embedded default: no Redis, the lake is the only record

    @classmethod
    def open(cls, settings: Settings, lake: str | None = None, *, live: bool = True) -> Runs:
        return cls(settings, open_lake(lake, settings), RunStore.from_url(settings.redis_url) if live else None)

    @property
    def store(self) -> RunStore:
        """The live store, for the transitions that need Redis (never called on the embedded default)."""
        if self.live is None:
            raise RuntimeError(f"runs of {self.lake.root} have no live store (Redis): this needs one")
        return self.live

    def lock(self, manifest: RunManifest) -> ReleaseLock:
        return ReleaseLock(self.store, self.lake.root, manifest.dataset, manifest.release, manifest.run_id,
                           self.settings.run_lock_ttl_s)

    def manifest(self, run_id: str) -> RunManifest:
        manifest = load_manifest(self.lake, run_id)
        if manifest is None:
            raise RunNotFound(f"no run {run_id} in {self.lake.root}")
        return manifest


# ---------------------------------------------------------------------- control (CLI side)
def start(runs: Runs, manifest: RunManifest) -> RunManifest:
    """Take the release, record the run, send its coordinator (``ingest.start_run``)."""
    holder = runs.lock(manifest).acquire()
    if holder:
        raise ReleaseBusy(f"release {manifest.release} is being written by run {holder}; wait for it or cancel it")
    save_manifest(runs.lake, manifest)
    runs.store.set_status(manifest.run_id, "planning")
    _send(runs, "ingest.start_run", manifest)
    return manifest


def retry(runs: Runs, run_id: str) -> tuple[RunManifest, str]:
    """Re-drive a failed run, or one whose workers and queues were lost (its lock expired or
    Redis restarted). A live, cancelled or succeeded run is refused with the reason."""
    manifest = runs.manifest(run_id)
    if manifest.status == "succeeded":
        raise RunRefused(f"run {run_id} already succeeded; nothing to retry")
    if manifest.status == "cancelled":
        raise RunRefused(f"run {run_id} was cancelled; a cancelled run is final: start a new one with "
                         "`careatlas run`")
    lock = runs.lock(manifest)
    if manifest.status in ("planning", "running") and lock.holder() == run_id:
        raise RunRefused(f"run {run_id} is {manifest.status} (its tasks hold the release lock); wait for it, "
                         f"or `careatlas cancel {run_id}`")
    holder = lock.acquire()
    if holder:
        raise ReleaseBusy(f"release {manifest.release} is being written by run {holder}; wait for it or cancel it")
    task = "ingest.retry_run" if manifest.plan else "ingest.start_run"
    manifest.status, manifest.error, manifest.finished_at = ("running" if manifest.plan else "planning"), None, None
    save_manifest(runs.lake, manifest)  # live again: the coordinator's guard lets it begin the attempt
    _send(runs, task, manifest)
    runs.store.set_status(run_id, manifest.status)
    return manifest, task


def cancel(runs: Runs, run_id: str) -> int:
    """Mark the run cancelled (durably, in the lake: every later step checks it and publishes
    nothing), withdraw its release if finalize had published it (no later build applies it),
    revoke its queued and running tasks, free the release. Returns the tasks revoked."""
    manifest = runs.manifest(run_id)
    if manifest.is_final:
        raise RunRefused(f"run {run_id} already {manifest.status}; nothing to cancel")
    manifest.status, manifest.error, manifest.finished_at = "cancelled", CANCELLED_BY_OPERATOR, datetime.now(UTC)
    save_manifest(runs.lake, manifest)
    if published_version(runs.lake, manifest):
        runs.lake.delete([layout.nppes_pointer(manifest.dataset, manifest.release)])
        log.info("cancelled run's release withdrawn", run_id=run_id, release=manifest.release)
    runs.store.set_status(run_id, "cancelled")
    pending = [t for t in runs.store.tasks(run_id).values() if t.state in ("queued", "running", "retrying")]
    if pending:  # a courtesy: revokes live only in running workers; the manifest is what counts
        from careatlas.shared.celery_app import create_app

        # SIGKILL: the process of a stopped step is replaced, never reused. A SIGTERM can land inside
        # DuckDB or Polars, which may stop the query and leave the process serving the next task
        # with that step's half-closed state (the fault matrix saw the next build hang after one).
        create_app(runs.settings).control.revoke([t.task_id for t in pending], terminate=True, signal="SIGKILL")
        for record in pending:  # a revoked task reports nothing more: its record says why it stopped
            record.state, record.error = "skipped", CANCELLED_BY_OPERATOR
            record_task(runs, run_id, record)
    runs.lock(manifest).release()
    return len(pending)


def _send(runs: Runs, task: str, manifest: RunManifest) -> None:
    """Send a coordinator by name and record it as part of the attempt it starts, so ``cancel``
    can revoke it and its own failure fails that attempt."""
    from careatlas.shared.celery_app import create_app

    sent = create_app(runs.settings).send_task(task, kwargs={"run_id": manifest.run_id, "lake": runs.settings.lake})
    runs.store.put_task(manifest.run_id, TaskRecord(task_id=sent.id, name=task, state="queued",
                                                   run_attempt=manifest.attempt + 1))


# ---------------------------------------------------------------------- transitions (task side)
def fail(runs: Runs, run_id: str, reason: str | None = None, failed_attempt: int | None = None) -> RunManifest | None:
    """Fail a run: name its failed tasks, free its release, keep its outputs for ``retry``.
    Idempotent, and a no-op for a final run or a late report from a replaced attempt."""
    manifest = load_manifest(runs.lake, run_id)
    if manifest is None or manifest.is_final:
        return manifest
    if failed_attempt is not None and failed_attempt < manifest.attempt:
        return manifest
    manifest.status, manifest.finished_at = "failed", datetime.now(UTC)
    tasks = runs.live.tasks(run_id) if runs.live else {}
    manifest.error = log_setup.redact(failure_reason(manifest, tasks, reason))
    save_manifest(runs.lake, manifest)
    if runs.live:
        runs.live.set_status(run_id, "failed", error=manifest.error)
        runs.lock(manifest).release()
    log.warning("run failed", run_id=run_id, error=manifest.error)
    return manifest


def complete(runs: Runs, run_id: str, result: dict[str, Any] | None) -> RunManifest:
    """The run's last step: succeeded, unless it was cancelled or failed meanwhile."""
    manifest = runs.manifest(run_id)
    if manifest.status == "succeeded":
        return manifest  # a redelivered complete
    if manifest.status != "running":
        raise RunStopped(f"run {run_id} is {manifest.status}; it cannot succeed")
    manifest.status, manifest.result, manifest.finished_at = "succeeded", result, datetime.now(UTC)
    save_manifest(runs.lake, manifest)
    if runs.live:
        runs.live.set_status(run_id, "succeeded")
        runs.lock(manifest).release()
    return manifest


def check_live(runs: Runs, run_id: str, root_id: str | None = None) -> RunManifest:
    """Raise RunStopped unless the run is running (or planning) and ``root_id`` names its
    current attempt: what every step checks before it writes and again before it publishes."""
    manifest = runs.manifest(run_id)
    if manifest.status not in ("planning", "running"):
        raise RunStopped(f"run {run_id} is {manifest.status}: nothing of it is published")
    if attempt_of(manifest, root_id) < manifest.attempt:
        raise RunStopped(f"run {run_id}: a task of attempt {manifest.attempt - 1}, replaced by a retry")
    return manifest


def snapshot(runs: Runs, run_id: str) -> dict[str, Any]:
    """status/watch: the manifest from the lake, task records from Redis (the lake's when Redis
    is down or forgot them)."""
    manifest = runs.manifest(run_id)
    tasks: dict[str, TaskRecord] = {}
    source = "lake"
    with contextlib.suppress(Exception):  # Redis down: the lake's records answer
        tasks, source = (runs.live.tasks(run_id), "redis") if runs.live else ({}, "lake")
    if not tasks:
        tasks, source = load_tasks(runs.lake, run_id), "lake"
    summary = summarize(manifest, tasks)
    summary.update(state_source=source, created_at=manifest.created_at, finished_at=manifest.finished_at,
                   kind=manifest.kind, result=manifest.result, attempt=manifest.attempt)
    return summary


def record_task(runs: Runs, run_id: str, record: TaskRecord) -> None:
    runs.store.put_task(run_id, record)
    if record.state in ("done", "failed", "skipped"):
        save_task(runs.lake, run_id, record)


def published_version(lake: Lake, manifest: RunManifest) -> bool:
    """Whether the release's pointer already names this run's version (finalize is done)."""
    pointer = catalog.read(lake, manifest.dataset, manifest.release)
    return pointer is not None and manifest.plan is not None and pointer.version == manifest.plan["version"]


# ---------------------------------------------------------------------- embedded default
@contextlib.contextmanager
def release_held(settings: Settings, lake: Lake, dataset: str, release: str, run_id: str) -> Iterator[None]:
    """The release lock for in-process writers (``careatlas ingest``, ``demo``, embedded runs):
    the Redis lock when Redis answers (other machines may write this lake), else an exclusive
    file lock beside a local lake. Refuses with ReleaseBusy when another run holds it."""
    store = RunStore.from_url(settings.redis_url)
    if store.ping():
        lock = ReleaseLock(store, lake.root, dataset, release, run_id, settings.run_lock_ttl_s)
        holder = lock.acquire()
        if holder:
            raise ReleaseBusy(f"release {release} is being written by run {holder}; wait for it or cancel it")
        try:
            with lock.renewing():
                yield
        finally:
            lock.release()
        return
    if lake.is_s3:
        log.warning("no Redis: the release is not locked against writers on other machines", release=release)
        yield
        return
    busy = ReleaseBusy(f"release {release} is being written by another process on this machine")
    with host.file_lock(lake.path / "_locks" / f"{dataset}-{release}.lock", busy=lambda: busy):
        yield
