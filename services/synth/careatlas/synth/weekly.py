"""Weekly incremental files: a delta against a full file made by this generator.

Some NPIs of the base change (new Last Update Date, a moved practice or a new taxonomy),
new NPIs appear and a few active NPIs are deactivated. Same 330-column format."""

from __future__ import annotations

import csv
import time
from datetime import date, timedelta
from pathlib import Path
from typing import cast

import numpy as np
import polars as pl

from careatlas.nppes.schema import MAIN_COLUMNS, match_header
from careatlas.synth import dates
from careatlas.synth.csv_format import frame_bytes, header_bytes
from careatlas.synth.npi import NpiSequence
from careatlas.synth.nppes import GenerateSummary, OptionError
from careatlas.synth.places import PRACTICE
from careatlas.synth.rows import INDIVIDUAL, ORGANISATION, assemble, make_rows
from careatlas.synth.vocab import load_vocab

WEEKLY_SHARE = 0.0025  # real weeklies hold ~25k of ~9.4M NPIs
_SPLIT = (0.6, 0.35)  # updated, added; the rest deactivated
_TAXONOMY = [c for c in MAIN_COLUMNS if c.startswith(("Healthcare Provider", "Provider License Number"))]


class BaseFileError(ValueError):
    """The base file is not a main file this generator can build a delta for."""


def read_base(path: Path) -> pl.DataFrame:
    """NPI, entity type and last update of every row of the base file."""
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), [])
    match_header("npidata", header, source=str(path))
    frame = pl.scan_csv(path, infer_schema=False).select("NPI", "Entity Type Code", "Last Update Date").collect()
    if frame.is_empty():
        raise BaseFileError(f"{path}: no rows to build a weekly delta from")
    return frame


def latest_update(base: pl.DataFrame) -> date:
    return cast(date, base["Last Update Date"].str.to_date("%m/%d/%Y", strict=False).max())  # of a Date column


def split_counts(total: int) -> tuple[int, int, int]:
    updated = round(total * _SPLIT[0])
    added = round(total * _SPLIT[1])
    return updated, added, max(0, total - updated - added)


def _week_days(rng: np.random.Generator, count: int, release: date) -> np.ndarray:
    end = dates.day_number(release)
    return rng.integers(end - 6, end + 1, count)


def _updated(base_path: Path, npis: pl.Series, rng: np.random.Generator, release: date,
             reference_dir: Path | None) -> pl.DataFrame:
    """Base rows of ``npis`` with a new update date and a new address or taxonomy."""
    rows = (
        pl.scan_csv(base_path, infer_schema=False)
        .filter(pl.col("NPI").is_in(npis.implode()))
        .select(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in MAIN_COLUMNS)  # "" -> null
        .collect()
    )
    entity = rows["Entity Type Code"].cast(pl.Int64).to_numpy()
    fresh = make_rows(load_vocab(reference_dir), rng, rows["NPI"].cast(pl.Int64).to_numpy(), release,
                      entity=entity).frame
    moved = pl.Series(rng.random(rows.height) < 0.6)
    changes = [pl.when(moved).then(fresh[c]).otherwise(rows[c]).alias(c) for c in PRACTICE]
    changes += [pl.when(moved).then(rows[c]).otherwise(fresh[c]).alias(c) for c in _TAXONOMY]
    stamp = dates.as_text(_week_days(rng, rows.height, release), release)
    return rows.with_columns(*changes, stamp.alias("Last Update Date"))


def _added(base_npis: pl.Series, count: int, seed: int, rng: np.random.Generator, release: date,
           reference_dir: Path | None) -> pl.DataFrame:
    """Newly enumerated NPIs, none of them in the base file."""
    candidates = NpiSequence(seed, stream=1).npis(0, 2 * count + 64)
    taken = pl.Series(candidates).cast(pl.String).is_in(base_npis.implode()).to_numpy()
    npis = candidates[~taken][:count]
    entity = np.where(rng.random(len(npis)) < 0.775, INDIVIDUAL, ORGANISATION)
    frame = make_rows(load_vocab(reference_dir), rng, npis, release, entity=entity).frame
    enumerated = _week_days(rng, len(npis), release)
    stamp = dates.as_text(enumerated, release)
    return frame.with_columns(
        stamp.alias("Provider Enumeration Date"), stamp.alias("Last Update Date"),
        pl.lit(None, dtype=pl.String).alias("NPI Deactivation Date"),
        pl.lit(None, dtype=pl.String).alias("NPI Reactivation Date"),
        pl.lit(None, dtype=pl.String).alias("Certification Date"),
    )


def _deactivated(npis: pl.Series, rng: np.random.Generator, release: date) -> pl.DataFrame:
    columns = {"NPI": npis, "NPI Deactivation Date": dates.as_text(_week_days(rng, len(npis), release), release)}
    return assemble(columns, np.zeros(len(npis), dtype=bool))


def build_weekly(base_path: Path, *, rows: int | None, seed: int, release: date | None,
                 reference_dir: Path | None) -> tuple[pl.DataFrame, dict[str, int], date]:
    if rows is not None and rows < 1:
        raise OptionError(f"rows must be at least 1, got {rows}")
    base = read_base(base_path)
    newest = latest_update(base)
    release = release or newest + timedelta(days=7)
    if release <= newest:
        raise BaseFileError(f"weekly release {release} must be after the base file's latest "
                            f"Last Update Date {newest} ({base_path})")
    active = base.filter(pl.col("Entity Type Code").is_not_null() & (pl.col("Entity Type Code") != ""))
    total = rows or max(20, round(base.height * WEEKLY_SHARE))
    updated, added, gone = split_counts(total)
    rng = np.random.default_rng([seed, 0x5745454B])
    chosen = active["NPI"].gather(rng.permutation(active.height)[: updated + gone])
    parts = [
        _updated(base_path, chosen[:updated], rng, release, reference_dir),
        _added(base["NPI"], added, seed, rng, release, reference_dir),
        _deactivated(chosen[updated:], rng, release),
    ]
    delta = pl.concat([p.select(MAIN_COLUMNS) for p in parts], how="vertical")
    delta = delta[rng.permutation(delta.height)]
    counts = {"updated": parts[0].height, "added": parts[1].height, "deactivated": parts[2].height}
    return delta, counts, release


def generate_weekly(base_path: str | Path, out_path: str | Path, *, rows: int | None = None, seed: int = 0,
                    release: date | None = None, reference_dir: Path | None = None,
                    newline: str = "\n") -> GenerateSummary:
    """Write a weekly delta for ``base_path``; ``release`` defaults to a week after its newest
    update. ``out_path`` is the CSV, or an existing folder to get the CMS name in it."""
    started = time.perf_counter()
    delta, counts, release = build_weekly(Path(base_path), rows=rows, seed=seed, release=release,
                                          reference_dir=reference_dir)
    data = header_bytes(MAIN_COLUMNS, newline) + frame_bytes(delta, newline)
    out_path = Path(out_path)
    if out_path.is_dir():
        start = release - timedelta(days=6)
        out_path = out_path / f"npidata_pfile_{start:%Y%m%d}-{release:%Y%m%d}.csv"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(data)
    return weekly_summary(out_path, delta, counts, len(data), seed, release, time.perf_counter() - started)


def weekly_summary(path: Path, delta: pl.DataFrame, counts: dict[str, int], size: int, seed: int,
                   release: date, seconds: float) -> GenerateSummary:
    gone = delta.filter(pl.col("Entity Type Code").is_null())
    deactivations = gone.select(pl.col("NPI").alias("npi"),
                                pl.col("NPI Deactivation Date").alias("deactivation_date"))
    return GenerateSummary(path, "weekly", delta.height, size, gone.height, seconds, seed, release,
                           counts=counts, deactivations=deactivations)

