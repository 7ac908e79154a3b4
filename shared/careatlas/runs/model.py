"""What a run is made of, and where it is kept in the lake.

The models of these documents live with the lake contract (``careatlas.shared.documents``) and
are re-exported here.

A run is one manifest (``runs/<run_id>/manifest.json``) plus one small JSON per finished task
(``runs/<run_id>/tasks/``), so it can be inspected after Redis has forgotten it. Live state
(task records while they run, locks, delivery counts) is in Redis: see ``live.py``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from careatlas.shared import layout
from careatlas.shared.documents import FINAL as FINAL
from careatlas.shared.documents import RunManifest as RunManifest
from careatlas.shared.documents import RunStatus as RunStatus
from careatlas.shared.documents import TaskRecord as TaskRecord
from careatlas.shared.documents import TaskState as TaskState
from careatlas.shared.storage import Lake

CHUNK_TASK = "ingest.ingest_chunk"


def new_run_id() -> str:
    return datetime.now(UTC).strftime("run-%Y%m%dT%H%M%S-") + f"{time.time_ns() % 100000:05d}"


def save_manifest(lake: Lake, manifest: RunManifest) -> None:
    lake.write_model(layout.run_manifest(manifest.run_id), manifest)


def load_manifest(lake: Lake, run_id: str) -> RunManifest | None:
    return lake.read_model_or_none(layout.run_manifest(run_id), RunManifest)


def list_manifests(lake: Lake) -> list[RunManifest]:
    keys = [k for k in lake.list(layout.runs_root()) if layout.is_run_manifest(k)]
    return sorted((lake.read_model(k, RunManifest) for k in keys), key=lambda m: m.created_at)


def save_task(lake: Lake, run_id: str, record: TaskRecord) -> None:
    lake.write_model(layout.run_task(run_id, record.task_id), record)


def load_tasks(lake: Lake, run_id: str) -> dict[str, TaskRecord]:
    prefix = layout.run_tasks(run_id)
    return {r.task_id: r for r in (lake.read_model(k, TaskRecord) for k in lake.list(prefix))}


def attempt_of(manifest: RunManifest | None, root_id: str | None) -> int:
    """The attempt a run task belongs to, from its Celery workflow root: every task of an
    attempt's canvas, errbacks included, has that attempt's coordinator (``ingest.start_run`` or
    ``ingest.retry_run``, recorded as ``attempt_root_id``) as root. So a late failure of an
    earlier attempt whose task record Redis lost (a restart) does not fail the current one."""
    if manifest is None:
        return 0
    if root_id is None or manifest.attempt_root_id in (None, root_id):
        return manifest.attempt
    return manifest.attempt - 1


def failed_tasks(manifest: RunManifest, tasks: dict[str, TaskRecord]) -> list[TaskRecord]:
    """The tasks of the run's current attempt recorded as failed."""
    return [t for t in tasks.values() if t.state == "failed" and t.run_attempt >= manifest.attempt]


def failure_reason(manifest: RunManifest, tasks: dict[str, TaskRecord], fallback: str | None) -> str:
    """The run's error: its current attempt's failed tasks, each named, else ``fallback``."""
    failed = failed_tasks(manifest, tasks)
    named = "; ".join(f"{t.name}{f' chunk {t.chunk}' if t.chunk is not None else ''}: {t.error}" for t in failed)
    return named or fallback or "a step failed (see the worker logs)"


def summarize(manifest: RunManifest | None, tasks: dict[str, TaskRecord]) -> dict[str, Any]:
    """What status/watch show: counts per state, chunk progress, rows and throughput."""
    chunks = [t for t in tasks.values() if t.name == CHUNK_TASK]
    done_chunks = {t.chunk for t in chunks if t.state == "done"}
    rows = sum(t.rows or 0 for t in chunks if t.state == "done")
    nbytes = sum(t.bytes or 0 for t in chunks if t.state == "done")
    starts = [t.started_at for t in tasks.values() if t.started_at]
    ends = [t.finished_at for t in chunks if t.finished_at]
    elapsed = (max(ends) - min(starts)) if starts and ends else 0.0
    states: dict[str, int] = {}
    for task in tasks.values():
        states[task.state] = states.get(task.state, 0) + 1
    return {
        "run_id": manifest.run_id if manifest else None,
        "status": manifest.status if manifest else None,
        "release": manifest.release if manifest else None,
        "chunks_total": manifest.chunk_count if manifest else len({t.chunk for t in chunks}),
        "chunks_done": len(done_chunks),
        "rows": rows,
        "bytes": nbytes,
        "mb_per_s": round(nbytes / 1e6 / elapsed, 1) if elapsed > 0 else None,
        "tasks": states,
        "failed": [{"name": t.name, "chunk": t.chunk, "error": t.error} for t in tasks.values() if t.state == "failed"],
        "workers": sorted({t.worker for t in tasks.values() if t.worker}),
        "error": manifest.error if manifest else None,
    }
