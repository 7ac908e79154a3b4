"""The CMS dissemination zips: monthly ``NPPES_Data_Dissemination_<Month>_<Year>.zip`` and
weekly ``NPPES_Data_Dissemination_MMDDYY_MMDDYY_Weekly_V2.zip``, each with the main file,
the othername / pl / endpoint companions and a ``_fileheader.csv`` for every one."""

from __future__ import annotations

import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from careatlas.nppes.schema import MAIN_COLUMNS
from careatlas.shared.reference_folder import VENDORED_DIR
from careatlas.synth.companions import COMPANIONS, companion_rows
from careatlas.synth.csv_format import frame_bytes, header_bytes
from careatlas.synth.dates import EPOCH
from careatlas.synth.nppes import DEFAULT_RELEASE, GenerateSummary, resolve_rows, summarise, write_main
from careatlas.synth.runner import BatchResult, Plan
from careatlas.synth.supply import SupplySpec
from careatlas.synth.weekly import build_weekly, weekly_summary

_SPOOL_BYTES = 16 * 1024 * 1024  # companions beyond this go to a temporary file


@dataclass(frozen=True)
class Layout:
    zip_name: str
    stem: str  # e.g. 20050523-20250406

    def member(self, kind: str, header: bool = False) -> str:
        prefix = "npidata" if kind == "npidata" else kind
        return f"{prefix}_pfile_{self.stem}{'_fileheader' if header else ''}.csv"


def monthly_layout(release: date) -> Layout:
    return Layout(f"NPPES_Data_Dissemination_{release:%B}_{release:%Y}.zip", f"{EPOCH:%Y%m%d}-{release:%Y%m%d}")


def weekly_layout(release: date) -> Layout:
    start = release - timedelta(days=6)
    return Layout(f"NPPES_Data_Dissemination_{start:%m%d%y}_{release:%m%d%y}_Weekly_V2.zip",
                  f"{start:%Y%m%d}-{release:%Y%m%d}")


def _headers(bundle: zipfile.ZipFile, layout: Layout, newline: str) -> None:
    bundle.writestr(layout.member("npidata", header=True), header_bytes(MAIN_COLUMNS, newline))
    for kind, columns in COMPANIONS.items():
        bundle.writestr(layout.member(kind, header=True), header_bytes(columns, newline))


class _Companions:
    """Collects companion rows batch by batch, in memory up to a point, then on disk."""

    def __init__(self, newline: str) -> None:
        # closed in store(); a context manager cannot span the batches of a whole run
        self.files = {kind: tempfile.SpooledTemporaryFile(_SPOOL_BYTES) for kind in COMPANIONS}  # noqa: SIM115
        for kind, columns in COMPANIONS.items():
            self.files[kind].write(header_bytes(columns, newline))

    def __call__(self, batch: BatchResult) -> None:
        for kind, data in batch.companions.items():
            self.files[kind].write(data)

    def store(self, bundle: zipfile.ZipFile, layout: Layout) -> None:
        for kind, handle in self.files.items():
            handle.seek(0)
            with bundle.open(layout.member(kind), "w", force_zip64=True) as member:
                shutil.copyfileobj(handle, member, 1 << 20)
            handle.close()


def write_monthly_zip(out_dir: str | Path, rows: int | None = None, size_bytes: int | None = None,
                      seed: int = 0, reference_dir: Path | None = None, newline: str = "\n",
                      release: date = DEFAULT_RELEASE, workers: int | None = None,
                      supply: SupplySpec | None = None) -> GenerateSummary:
    """The monthly full-replacement zip; ``size_bytes`` sizes the main CSV, not the zip."""
    started = time.perf_counter()
    if supply is not None and reference_dir is None:  # real counties need the real ZIPs
        reference_dir = VENDORED_DIR
    count = resolve_rows(rows, size_bytes, seed, release, newline, reference_dir, supply)
    plan = Plan(count, seed, release, newline, reference_dir, companions=True, supply=supply)
    layout = monthly_layout(release)
    path = Path(out_dir) / layout.zip_name
    path.parent.mkdir(parents=True, exist_ok=True)
    companions = _Companions(newline)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bundle:
        with bundle.open(layout.member("npidata"), "w", force_zip64=True) as member:
            totals = write_main(member, plan, workers, extra=companions)
        companions.store(bundle, layout)
        _headers(bundle, layout, newline)
    summary = summarise(path, plan, totals, time.perf_counter() - started)
    return replace(summary, counts={"zip_bytes": path.stat().st_size})


def write_weekly_zip(base_path: str | Path, out_dir: str | Path, *, rows: int | None = None, seed: int = 0,
                     release: date | None = None, reference_dir: Path | None = None,
                     newline: str = "\n") -> GenerateSummary:
    """The weekly delta zip for ``base_path`` (a full file made by this generator)."""
    started = time.perf_counter()
    delta, counts, release = build_weekly(Path(base_path), rows=rows, seed=seed, release=release,
                                          reference_dir=reference_dir)
    layout = weekly_layout(release)
    path = Path(out_dir) / layout.zip_name
    path.parent.mkdir(parents=True, exist_ok=True)
    main = header_bytes(MAIN_COLUMNS, newline) + frame_bytes(delta, newline)
    extra = companion_rows(delta, np.random.default_rng([seed, 0xC0]))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(layout.member("npidata"), main)
        for kind, frame in extra.items():
            bundle.writestr(layout.member(kind), header_bytes(COMPANIONS[kind], newline) + frame_bytes(frame, newline))
        _headers(bundle, layout, newline)
    summary = weekly_summary(path, delta, counts, len(main), seed, release, time.perf_counter() - started)
    return replace(summary, counts={**counts, "zip_bytes": path.stat().st_size})
