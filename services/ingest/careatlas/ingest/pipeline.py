"""One whole ingest on the embedded default: land, plan, chunks in a process pool, finalize.

The same step functions run as Celery tasks (tasks.py); here a process pool stands in for the
ingest workers. Each worker process gets an equal share of the cores for Polars, as a worker pod
with a CPU limit would.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from pathlib import Path

import structlog

from careatlas.ingest import companions, prepare
from careatlas.ingest.chunk import ingest_chunk
from careatlas.ingest.finalize import finalize
from careatlas.ingest.models import ChunkResult, ChunkSpec, IngestPlan, Manifest
from careatlas.nppes import landing
from careatlas.runs.lifecycle import release_held
from careatlas.shared import host, layout
from careatlas.shared.logging import configure_logging
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake, open_lake

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
    raw_key, sha, size = landing.land(lake, file, release)
    landed, cpu_landed = time.perf_counter(), _cpu()
    version = prepare.new_version()
    # the release lock every writer of a release takes (careatlas.runs): Redis, or a file lock
    dataset = prepare.file_dataset(name, kind)
    workers = workers or settings.ingest_workers or os.cpu_count() or 1
    with release_held(settings, lake, dataset, release, version):
        plan = prepare.build_plan(lake, raw_key, sha, size, release=release, kind=kind,
                                  version=version, chunk_bytes=settings.chunk_bytes)
        planned = time.perf_counter()
        plans = [plan]
        try:
            run_chunks(lake, plan, workers, settings)
            chunked, cpu_chunked = time.perf_counter(), _cpu()
            manifest = finalize(lake, plan, target_file_bytes=settings.compact_target_bytes)
            cpu_finalized = _cpu()
            plans += companions.plan_all(lake, plan, chunk_bytes=settings.chunk_bytes)
            manifest.companions = ingest_planned(lake, plans[1:], workers, settings)
        except BaseException:
            for each in plans:
                lake.delete_prefix(layout.nppes_staging(each.dataset, each.release, each.version))
            raise
    manifest.seconds.update(
        land=round(landed - started, 3), plan=round(planned - landed, 3),
        chunks_wall=round(chunked - planned, 3), total=round(time.perf_counter() - started, 3),
        # CPU seconds (this process and its reaped workers): what the load of other jobs changes least
        land_cpu=round(cpu_landed - cpu_started, 3), chunks_cpu=round(cpu_chunked - cpu_landed, 3),
        finalize_cpu=round(cpu_finalized - cpu_chunked, 3), total_cpu=round(_cpu() - cpu_started, 3),
    )
    lake.write_model(layout.nppes_manifest(plan.dataset, plan.release), manifest)
    return manifest


def _cpu() -> float:
    """CPU seconds of this process and of its workers already reaped (a pool's, at its shutdown)."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def ingest_planned(lake: Lake, plans: list[IngestPlan], workers: int, settings: Settings) -> dict[str, dict]:
    """Chunk every plan's chunks in one pool, then finalize each (the companions of a release)."""
    if not plans:
        return {}
    specs = [spec for plan in plans for spec in plan.chunks]
    run_chunks(lake, plans[0], workers, settings, specs=specs)
    done = {}
    for plan in plans:
        manifest = finalize(lake, plan, target_file_bytes=settings.compact_target_bytes)
        done[plan.dataset] = companions.summary(manifest)
    return done


def run_chunks(lake: Lake, plan: IngestPlan, workers: int, settings: Settings,
               specs: list[ChunkSpec] | None = None) -> list[ChunkResult]:
    """Run ``plan``'s chunks (or ``specs``, chunks of several plans) in a process pool."""
    specs = plan.chunks if specs is None else specs
    workers = max(1, min(workers, len(specs)))
    threads = settings.ingest_worker_threads or max(1, (os.cpu_count() or 1) // workers)
    env = {"POLARS_MAX_THREADS": str(threads)}  # like a worker pod's CPU limit
    with host.environment(env), ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
        initargs=(structlog.contextvars.get_contextvars(), settings.ingest_worker_sessions),
    ) as pool:
        futures = {pool.submit(_chunk_in_worker, lake.root, spec.model_dump(), settings.parse_batch_bytes): spec
                   for spec in specs}
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        failed = [(futures[f], f.exception()) for f in done if f.exception()]
        if failed:
            spec, error = failed[0]
            raise RuntimeError(f"chunk {spec.chunk} of {spec.dataset} {spec.source_key} failed: {error}") from error
        return [f.result() for f in done]


def _init_worker(context: dict, own_session: bool = False) -> None:
    """Spawned workers start blank: same logging set-up and ids (run, release) as the parent.
    ``own_session``: a new session, so the kernel's autogroup scheduling weighs the worker on its
    own (like a pod), not as one of the parent session's processes."""
    if own_session:
        os.setsid()
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    structlog.contextvars.bind_contextvars(**context)


def _chunk_in_worker(lake_root: str, spec: dict, block_bytes: int) -> ChunkResult:
    return ingest_chunk(open_lake(lake_root), ChunkSpec.model_validate(spec), block_bytes=block_bytes)
