"""Celery tasks of the ingest queue: thin wrappers over plan / chunk / finalize.

A run's coordinator (or ``ingest.ingest_nppes``) plans first, then sends one flat chord: a
header of one ``ingest.ingest_chunk`` per chunk and ``ingest.finalize_nppes`` as its body. For
a monthly zip the header also holds the chunks of its companions (pl, othername, endpoint) and
the body finalizes them after the main file (careatlas.ingest.companions).
Every task is idempotent (outputs keyed by release, version and chunk; overwrite, never
append), so ``acks_late`` redelivery after a killed worker is safe.
"""

from __future__ import annotations

import contextlib

from celery import chord, current_task, shared_task

from careatlas.ingest import companions, prepare
from careatlas.ingest.chunk import ingest_chunk as run_chunk
from careatlas.ingest.finalize import ChunksMissing, finalize
from careatlas.ingest.models import ChunkSpec, IngestPlan
from careatlas.runs import guard, lifecycle
from careatlas.runs.model import load_manifest
from careatlas.shared import layout
from careatlas.shared.documents import RawChecksum
from careatlas.shared.logging import bind
from careatlas.shared.settings import get_settings
from careatlas.shared.storage import LakeUnavailable, open_lake

RETRY = {"autoretry_for": (LakeUnavailable,), "retry_backoff": True, "retry_jitter": True, "max_retries": 8}


@shared_task(name="ingest.plan_nppes", acks_late=True, **RETRY)
def plan_nppes(raw_key: str, release: str, kind: str = "full", version: str | None = None,
               lake: str | None = None, run_id: str | None = None, dataset: str | None = None) -> dict:
    """Plan the chunks of a landed raw file (see ``careatlas land``); ``dataset`` picks a
    companion member of a zip (default: what the file is)."""
    bind(run_id=run_id, release=release)
    store, settings = open_lake(lake), get_settings()
    checksum = store.read_model(layout.raw_checksum(raw_key), RawChecksum)
    plan = prepare.build_plan(store, raw_key, checksum.sha256, checksum.bytes, release=release,
                              kind=kind, version=version or run_id or prepare.new_version(),
                              chunk_bytes=settings.chunk_bytes, dataset=dataset)
    return plan.model_dump(mode="json")


@shared_task(name="ingest.ingest_chunk", acks_late=True, **RETRY)
def ingest_chunk(spec: dict, lake: str | None = None, run_id: str | None = None) -> dict:
    chunk = ChunkSpec.model_validate(spec)
    bind(run_id=run_id, release=chunk.release, chunk=chunk.chunk)
    result = run_chunk(open_lake(lake), chunk, block_bytes=get_settings().parse_batch_bytes)
    return result.model_dump(mode="json")


@shared_task(name="ingest.finalize_nppes", acks_late=True, **RETRY)
def finalize_nppes(_chunk_results: list | None = None, *, plan: dict, lake: str | None = None,
                   run_id: str | None = None, companion_plans: list[dict] | None = None) -> dict:
    """Chord body. Header results are ignored (a run's header also holds census and reference
    tasks): the chunk results are re-read from the lake, the source of truth. The main file is
    published first, then each companion of ``companion_plans``."""
    parsed = IngestPlan.model_validate(plan)
    bind(run_id=run_id, release=parsed.release)
    # one finalize of a version at a time (a duplicate delivery waits, then finds it published);
    # a cancel that came meanwhile stops it before the pointer switch
    store, target = open_lake(lake), get_settings().compact_target_bytes
    try:
        with _release_lock(store, parsed, run_id), guard.exclusive(
                f"finalize:{parsed.dataset}:{parsed.release}:{parsed.version}"):
            manifest = finalize(store, parsed, target_file_bytes=target, before_publish=guard.still_live)
            for each in (IngestPlan.model_validate(p) for p in companion_plans or []):
                done = finalize(store, each, target_file_bytes=target, before_publish=guard.still_live)
                manifest.companions[each.dataset] = companions.summary(done)
    except ChunksMissing as missing:  # a chord fired early: the chunks' own retries decide
        raise current_task.retry(exc=missing, countdown=15, max_retries=40) from None
    except lifecycle.ReleaseBusy as busy:  # outside a run: a run is writing the release, wait for it
        raise current_task.retry(exc=busy, countdown=10, max_retries=360) from None
    if manifest.companions:
        store.write_model(layout.nppes_manifest(parsed.dataset, parsed.release), manifest)
    return {"dataset": parsed.dataset, "release": parsed.release, "version": parsed.version,
            "rows_read": manifest.rows_read, "rows_written": manifest.rows_written,
            "rows_quarantined": manifest.rows_quarantined, "files": len(manifest.files),
            "companions": manifest.companions}


def _release_lock(store, plan: IngestPlan, run_id: str | None):
    """A run's tasks hold its release lock already (careatlas.runs.guard); outside a run
    (``ingest.ingest_nppes``, a run id with no run) finalize takes it itself, like ``careatlas
    ingest``, so it never publishes or deletes versions under a run writing the same release."""
    if run_id and load_manifest(store, run_id) is not None:
        return contextlib.nullcontext()
    return lifecycle.release_held(get_settings(), store, plan.dataset, plan.release, plan.version)


@shared_task(name="ingest.ingest_nppes", bind=True, acks_late=True, **RETRY)
def ingest_nppes(self, raw_key: str, release: str, kind: str = "full", lake: str | None = None,
                 run_id: str | None = None):
    """Plan (the main file and a monthly zip's companions), then replace this task by one flat
    chord of all their chunks + finalize."""
    plan = plan_nppes.run(raw_key, release, kind, lake=lake, run_id=run_id)
    extra = plan_companions(plan, lake=lake)
    header = [ingest_chunk.s(c, lake=lake, run_id=run_id) for p in (plan, *extra) for c in p["chunks"]]
    raise self.replace(chord(header, finalize_nppes.s(plan=plan, lake=lake, run_id=run_id, companion_plans=extra)))


def plan_companions(plan: dict, *, lake: str | None) -> list[dict]:
    """Plans of the companions of a monthly zip, in the main plan's version (none otherwise)."""
    store = open_lake(lake)
    plans = companions.plan_all(store, IngestPlan.model_validate(plan), chunk_bytes=get_settings().chunk_bytes)
    return [p.model_dump(mode="json") for p in plans]
