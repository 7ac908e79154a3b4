"""One whole ingest on the embedded default: land, plan, chunks in a process pool, finalize.

The same step functions run as Celery tasks (tasks.py); here a process pool stands in for the
ingest workers (pool.py), started before the file lands so that the workers' start overlaps it.
"""

from __future__ import annotations

import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import structlog

from careatlas.ingest import companions, pool, prepare
from careatlas.ingest.finalize import finalize
from careatlas.ingest.models import IngestPlan, Manifest
from careatlas.nppes import file as nppes_file
from careatlas.nppes import landing
from careatlas.runs.lifecycle import release_held
from careatlas.shared import layout
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)


def ingest_file(
    source: str | Path, *, lake: Lake, release: str | None = None, kind: str | None = None,
    workers: int = 0, settings: Settings | None = None,
) -> Manifest:
    settings = settings or get_settings()
    started, cpu_started = time.perf_counter(), _cpu()
    file = landing.source_file(str(source), settings)
    name = landing.peek_name(file)
    kind, release = landing.resolve_release(name, release, kind)
    prepare.check_header(file.open, file.name, file.uri, dataset=prepare.file_dataset(name, kind))
    workers = workers or settings.ingest_workers or os.cpu_count() or 1
    # the workers start before the file lands, so their start overlaps the landing (pool.py)
    chunk_pool = pool.start_pool(min(workers, _expected_chunks(file, settings.chunk_bytes) or workers), settings)
    try:
        raw_key, sha, size = landing.land(lake, file, release)
        stamps = {"started": (started, cpu_started), "landed": (time.perf_counter(), _cpu())}
        manifest = _ingest_landed(lake, chunk_pool, name, kind, release, (raw_key, sha, size), workers, settings,
                                  stamps)
    finally:
        chunk_pool.shutdown(wait=True, cancel_futures=True)
    lake.write_model(layout.nppes_manifest(manifest.plan.dataset, manifest.plan.release), manifest)
    return manifest


def _ingest_landed(lake: Lake, chunk_pool: ProcessPoolExecutor, name: str, kind: str, release: str,
                   raw: tuple[str, str, int], workers: int, settings: Settings,
                   stamps: dict[str, tuple[float, float]]) -> Manifest:
    """Plan, chunks (``chunk_pool``, shut down once they are done), finalize, companions."""
    version = prepare.new_version()
    # the release lock every writer of a release takes (careatlas.runs): Redis, or a file lock
    dataset = prepare.file_dataset(name, kind)
    with release_held(settings, lake, dataset, release, version):
        plan = prepare.build_plan(lake, *raw, release=release, kind=kind, version=version,
                                  chunk_bytes=settings.chunk_bytes)
        stamps["planned"] = (time.perf_counter(), _cpu())
        plans = [plan]
        try:
            pool.run_chunks(chunk_pool, lake, plan.chunks, settings)
            chunk_pool.shutdown(wait=True)  # reaps the workers: their CPU counts from here on
            stamps["chunked"] = (time.perf_counter(), _cpu())
            manifest = finalize(lake, plan, target_file_bytes=settings.compact_target_bytes)
            stamps["finalized"] = (time.perf_counter(), _cpu())
            plans += companions.plan_all(lake, plan, chunk_bytes=settings.chunk_bytes)
            manifest.companions = ingest_planned(lake, plans[1:], workers, settings)
        except BaseException:
            chunk_pool.shutdown(wait=True, cancel_futures=True)  # no chunk may write into staging past here
            for each in plans:
                lake.delete_prefix(layout.nppes_staging(each.dataset, each.release, each.version))
            raise
    manifest.seconds.update(_stage_seconds(stamps, (time.perf_counter(), _cpu())))
    return manifest


def _stage_seconds(stamps: dict[str, tuple[float, float]], ended: tuple[float, float]) -> dict[str, float]:
    """Wall and CPU seconds per stage. The workers start during the landing, but their CPU is
    counted when they are reaped: in ``chunks_cpu``."""
    (started, cpu_started), (landed, cpu_landed) = stamps["started"], stamps["landed"]
    planned, (chunked, cpu_chunked), cpu_finalized = stamps["planned"][0], stamps["chunked"], stamps["finalized"][1]
    return dict(
        land=round(landed - started, 3), plan=round(planned - landed, 3),
        chunks_wall=round(chunked - planned, 3), total=round(ended[0] - started, 3),
        # CPU seconds (this process and its reaped workers): what the load of other jobs changes least
        land_cpu=round(cpu_landed - cpu_started, 3), chunks_cpu=round(cpu_chunked - cpu_landed, 3),
        finalize_cpu=round(cpu_finalized - cpu_chunked, 3), total_cpu=round(ended[1] - cpu_started, 3),
    )


def _expected_chunks(file: landing.SourceFile, chunk_bytes: int) -> int | None:
    """How many chunks a plain CSV will have (its size over ``chunk_bytes``); None for an
    archive, whose CSV is larger than the file. Only caps the workers started before planning."""
    if nppes_file.is_compressed(file.name):
        return None
    with file.open() as handle:
        size = nppes_file.size_of(handle)
    return None if size is None else max(1, -(-size // chunk_bytes))


def _cpu() -> float:
    """CPU seconds of this process and of its workers already reaped (a pool's, at its shutdown)."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def ingest_planned(lake: Lake, plans: list[IngestPlan], workers: int, settings: Settings) -> dict[str, dict]:
    """Chunk every plan's chunks in one pool, then finalize each (the companions of a release)."""
    if not plans:
        return {}
    specs = [spec for plan in plans for spec in plan.chunks]
    with pool.worker_pool(min(workers, len(specs)), settings) as companion_pool:
        pool.run_chunks(companion_pool, lake, specs, settings)
    done = {}
    for plan in plans:
        manifest = finalize(lake, plan, target_file_bytes=settings.compact_target_bytes)
        done[plan.dataset] = companions.summary(manifest)
    return done
