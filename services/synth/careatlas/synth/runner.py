"""Batches of the main file, built in worker processes and handed back in order.

A batch depends only on (seed, batch index, plan), never on the number of workers, so the
same seed gives the same bytes however the work is spread. Workers are spawned, not
forked: Polars' thread pool does not survive a fork."""

from __future__ import annotations

import math
import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from careatlas.synth.companions import companion_rows
from careatlas.synth.csv_format import frame_bytes
from careatlas.synth.npi import NpiSequence
from careatlas.synth.rows import DEACTIVATED, make_rows
from careatlas.synth.supply import SupplySpec, load_supply
from careatlas.synth.vocab import load_vocab

BATCH_ROWS = 10_000  # ~12 MB of text: a worker stays near 200 MB, all processes well below 1 GiB
INLINE_BATCHES = 20  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Plan:
    rows: int
    seed: int
    release: date
    newline: str = "\n"
    reference_dir: Path | None = None
    companions: bool = False
    batch_rows: int = BATCH_ROWS
    supply: SupplySpec | None = None  # None: providers placed by population, national mix

    @property
    def batches(self) -> int:
        return math.ceil(self.rows / self.batch_rows)


@dataclass
class BatchResult:
    index: int
    rows: int
    main: bytes
    deactivated_npis: np.ndarray
    deactivated_days: np.ndarray
    companions: dict[str, bytes] = field(default_factory=dict)


def build_batch(plan: Plan, index: int) -> BatchResult:
    start = index * plan.batch_rows
    count = min(plan.batch_rows, plan.rows - start)
    rng = np.random.default_rng([plan.seed, index])
    npis = NpiSequence(plan.seed).npis(start, count)
    supply = load_supply(plan.reference_dir, plan.supply, plan.seed) if plan.supply else None
    rows = make_rows(load_vocab(plan.reference_dir), rng, npis, plan.release, supply=supply)
    gone = rows.entity == DEACTIVATED
    result = BatchResult(index, count, frame_bytes(rows.frame, plan.newline), npis[gone],
                         rows.deactivation_days[gone])
    if plan.companions:
        extra = companion_rows(rows.frame, rng)
        result.companions = {name: frame_bytes(frame, plan.newline) for name, frame in extra.items()}
    return result


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def run(plan: Plan, consume: Callable[[BatchResult], None], workers: int | None = None) -> None:
    """Build every batch of ``plan`` and pass each to ``consume`` in file order."""
    if workers is None:
        workers = default_workers() if plan.batches > INLINE_BATCHES else 1
    if workers <= 1 or plan.batches <= 1:
        for index in range(plan.batches):
            consume(build_batch(plan, index))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[BatchResult]] = deque()
        submitted = 0
        while submitted < plan.batches or pending:
            # bounded look-ahead: memory stays a few batches however big the file
            while submitted < plan.batches and len(pending) < 2 * workers:
                pending.append(pool.submit(build_batch, plan, submitted))
                submitted += 1
            consume(pending.popleft().result())
