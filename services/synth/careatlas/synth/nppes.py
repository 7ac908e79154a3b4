"""Synthetic NPPES main files, byte-for-byte in the CMS format.

``generate_file`` writes ``npidata_pfile``-style CSV: the 330-column header, every value
double-quoted, MM/DD/YYYY dates, unique Luhn-valid NPIs, ~3.5% deactivated rows that carry
only NPI and deactivation date. The same seed and options give the same bytes."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import numpy as np
import polars as pl
import structlog

from careatlas.nppes.schema import MAIN_COLUMNS
from careatlas.shared.reference_folder import VENDORED_DIR
from careatlas.synth import dates
from careatlas.synth.csv_format import frame_bytes, header_bytes
from careatlas.synth.npi import SPACE, NpiSequence
from careatlas.synth.provenance import provenance
from careatlas.synth.rows import DEACTIVATED_SHARE, INDIVIDUAL_SHARE, make_rows
from careatlas.synth.runner import BatchResult, Plan, run
from careatlas.synth.supply import Supply, SupplySpec, load_supply
from careatlas.synth.vocab import load_vocab

log = structlog.get_logger(__name__)

DEFAULT_RELEASE = date(2025, 4, 6)  # fixed, so a seed alone pins the bytes; pass release= for others
_CALIBRATION_ROWS = 10_000
_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


class OptionError(ValueError):
    """Options that cannot work together or are out of range (a usage error)."""


@dataclass(frozen=True)
class GenerateSummary:
    path: Path
    kind: str
    rows: int
    bytes: int
    deactivated: int
    seconds: float
    seed: int
    release: date
    counts: dict[str, int] = field(default_factory=dict)  # weekly: updated / added / deactivated
    synthetic: dict[str, Any] = field(default_factory=dict)  # with a county supply: what it was drawn from
    # NPI and MM/DD/YYYY deactivation date of every deactivated row, for the report
    deactivations: pl.DataFrame = field(default_factory=pl.DataFrame, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "kind": self.kind, "rows": self.rows, "bytes": self.bytes,
            "deactivated": self.deactivated, "seconds": round(self.seconds, 3),
            "mb_per_s": round(self.bytes / 1e6 / self.seconds, 1) if self.seconds else None,
            "seed": self.seed, "release": self.release.isoformat(), **self.counts,
            **({"synthetic": self.synthetic} if self.synthetic else {}),
        }


def parse_size(text: str) -> int:
    """``10GB`` (10**9), ``512MiB`` (2**20), ``1.5GB`` or plain bytes -> bytes."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", text)
    unit = match.group(2).upper() if match else None
    if match is None or unit not in _UNITS:
        raise OptionError(f"size {text!r}: expected a number with an optional unit (KB MB GB TB KiB MiB GiB)")
    return int(float(match.group(1)) * _UNITS[unit])


def check_options(rows: int | None, size_bytes: int | None, release: date, newline: str) -> None:
    if (rows is None) == (size_bytes is None):
        raise OptionError("give exactly one of --rows or --size (rows= or size_bytes=)")
    if rows is not None and not 0 < rows <= SPACE:
        raise OptionError(f"rows must be between 1 and {SPACE:,}, got {rows}")
    if size_bytes is not None and size_bytes <= 0:
        raise OptionError(f"size must be positive, got {size_bytes}")
    if release < dates.EARLIEST_RELEASE:
        raise OptionError(f"release {release} is before {dates.EARLIEST_RELEASE}: NPPES started in 2005")
    if newline not in ("\n", "\r\n"):
        raise OptionError(f"newline must be LF or CRLF, got {newline!r}")


def rows_for_size(size_bytes: int, seed: int, release: date, newline: str,
                  reference_dir: Path | None) -> int:
    """Rows that make a file of about ``size_bytes``, from a calibration sample of this seed."""
    rng = np.random.default_rng([seed, 0xCA1B])
    sample = make_rows(load_vocab(reference_dir), rng, NpiSequence(seed).npis(0, _CALIBRATION_ROWS), release)
    per_row = len(frame_bytes(sample.frame, newline)) / _CALIBRATION_ROWS
    header = len(header_bytes(MAIN_COLUMNS, newline))
    return max(1, min(SPACE, round((size_bytes - header) / per_row)))


class _Totals:
    """Counts bytes and collects deactivations while batches stream to the sink."""

    def __init__(self, sink: IO[bytes], extra: Callable[[BatchResult], None] | None) -> None:
        self.sink, self.extra, self.bytes = sink, extra, 0
        self.npis: list[np.ndarray] = []
        self.days: list[np.ndarray] = []

    def write(self, data: bytes) -> None:
        self.sink.write(data)
        self.bytes += len(data)

    def __call__(self, batch: BatchResult) -> None:
        self.write(batch.main)
        self.npis.append(batch.deactivated_npis)
        self.days.append(batch.deactivated_days)
        if self.extra is not None:
            self.extra(batch)

    def deactivations(self, release: date) -> pl.DataFrame:
        npis = np.concatenate(self.npis) if self.npis else np.zeros(0, dtype=np.int64)
        days = np.concatenate(self.days) if self.days else np.zeros(0, dtype=np.int64)
        return pl.DataFrame({
            "npi": pl.Series(npis, dtype=pl.Int64).cast(pl.String),
            "deactivation_date": dates.as_text(days, release),
        })


def write_main(sink: IO[bytes], plan: Plan, workers: int | None = None,
               extra: Callable[[BatchResult], None] | None = None) -> _Totals:
    """Header and every batch of ``plan`` into ``sink``; ``extra`` sees each batch too."""
    totals = _Totals(sink, extra)
    totals.write(header_bytes(MAIN_COLUMNS, plan.newline))
    run(plan, totals, workers)
    return totals


def resolve_rows(rows: int | None, size_bytes: int | None, seed: int, release: date, newline: str,
                 reference_dir: Path | None, supply: SupplySpec | None = None) -> int:
    if supply is not None and rows is None and size_bytes is None:  # the supply's own, full density
        rows = full_density_rows(load_supply(reference_dir, supply, seed))
    check_options(rows, size_bytes, release, newline)
    if rows is not None:
        return rows
    assert size_bytes is not None  # check_options: one of the two
    return rows_for_size(size_bytes, seed, release, newline, reference_dir)


def generate_file(path: str | Path, rows: int | None = None, size_bytes: int | None = None, seed: int = 0,
                  reference_dir: Path | None = None, newline: str = "\n", release: date = DEFAULT_RELEASE,
                  workers: int | None = None, supply: SupplySpec | None = None) -> GenerateSummary:
    """Write a full (monthly) main file of ``rows`` rows or about ``size_bytes`` bytes.

    ``path`` is the CSV, or an existing folder to get the CMS name for ``release`` in it.
    ``supply`` draws every county's providers from real county figures (synth.supply); then
    rows may be left out: the states' providers at national density. Past ~200k rows batches
    are built in spawned worker processes (``workers``, default the cores up to 4): scripts
    that call this need the usual ``if __name__ == "__main__":`` guard."""
    started = time.perf_counter()
    if supply is not None and reference_dir is None:  # real counties need the real ZIPs
        reference_dir = VENDORED_DIR
    count = resolve_rows(rows, size_bytes, seed, release, newline, reference_dir, supply)
    plan = Plan(count, seed, release, newline, reference_dir, supply=supply)
    path = Path(path)
    if path.is_dir():
        path = path / f"npidata_pfile_{dates.EPOCH:%Y%m%d}-{release:%Y%m%d}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb", buffering=1 << 20) as sink:
        totals = write_main(sink, plan, workers)
    summary = summarise(path, plan, totals, time.perf_counter() - started)
    log.info("nppes file generated", path=str(path), rows=count, bytes=summary.bytes)
    return summary


def summarise(path: Path, plan: Plan, totals: _Totals, seconds: float) -> GenerateSummary:
    deactivations = totals.deactivations(plan.release)
    synthetic = {}
    if plan.supply:
        supply = load_supply(plan.reference_dir, plan.supply, plan.seed)
        synthetic = provenance(supply, plan, full_density_rows(supply))
    return GenerateSummary(path, "full", plan.rows, totals.bytes, deactivations.height, seconds,
                           plan.seed, plan.release, deactivations=deactivations, synthetic=synthetic)


def full_density_rows(supply: Supply) -> int:
    """Rows whose active individuals are the supply's expected providers (national density)."""
    return max(1, round(supply.individuals / ((1 - DEACTIVATED_SHARE) * INDIVIDUAL_SHARE)))
