"""The process pool that stands in for the ingest workers on the embedded default.

Each worker process gets an equal share of the cores for Polars, as a worker pod with a CPU
limit would. Workers are spawned when the pool opens, so the pipeline opens it before the file
lands: a worker's start (a fresh interpreter importing Polars, ~2 CPU s) then overlaps the
landing, which leaves part of a core idle, instead of delaying the first chunk. This module
imports only what a chunk needs, because every worker imports it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager

import structlog

from careatlas.ingest.chunk import ingest_chunk
from careatlas.ingest.models import ChunkResult, ChunkSpec
from careatlas.shared import host
from careatlas.shared.logging import configure_logging
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake, open_lake


def start_pool(workers: int, settings: Settings) -> ProcessPoolExecutor:
    """``workers`` processes, all started now. Whoever starts the pool shuts it down, waiting for
    running chunks also on an error: staging is deleted next, and a chunk still writing would
    leave files in it."""
    workers = max(1, workers)
    threads = settings.ingest_worker_threads or max(1, (os.cpu_count() or 1) // workers)
    with host.environment({"POLARS_MAX_THREADS": str(threads)}):  # like a worker pod's CPU limit
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
            initargs=(structlog.contextvars.get_contextvars(), settings.ingest_worker_sessions),
        )
        for _ in range(workers):  # one submit spawns one process while none is idle: all start here
            pool.submit(_ready)
    return pool


@contextmanager
def worker_pool(workers: int, settings: Settings) -> Iterator[ProcessPoolExecutor]:
    pool = start_pool(workers, settings)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_chunks(pool: ProcessPoolExecutor, lake: Lake, specs: list[ChunkSpec], settings: Settings) -> list[ChunkResult]:
    """Run ``specs`` (chunks of one plan or of several) in ``pool``; the first failure cancels the rest."""
    futures: dict[Future[ChunkResult], ChunkSpec] = {
        pool.submit(_chunk_in_worker, lake.root, spec.model_dump(), settings.parse_batch_bytes): spec
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


def _ready() -> None:
    """The task that starts a worker: its imports and initializer are the work."""


def _chunk_in_worker(lake_root: str, spec: dict, block_bytes: int) -> ChunkResult:
    return ingest_chunk(open_lake(lake_root), ChunkSpec.model_validate(spec), block_bytes=block_bytes)
