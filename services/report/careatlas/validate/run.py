"""One comparison of a run with a reference: read the run's marts and the reference file,
compare, write the per-county table and the overall figures beside the run's marts."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import structlog

from careatlas.report.data import ReportError, RunNotFound, run_pointer
from careatlas.shared import catalog, layout
from careatlas.shared.documents import ValidationSummary
from careatlas.shared.storage import Lake, LakeKeyNotFound
from careatlas.validate import ahrf, chr, hpsa

log = structlog.get_logger(__name__)

# the reference files, relative to the reference folder (chr/ is never vendored: CC BY-NC-SA)
DEFAULT_FILES: dict[str, tuple[str, ...]] = {
    "chr": ("chr/v062_r2025.csv", "chr/v131_r2025.csv"),
    "hpsa": ("hrsa/hpsa_primary_care_designated_2020.csv",),
    "ahrf": ("hrsa/ahrf_population_per_pcp_2014_2021.csv",),
}
REFERENCE_LABELS = {
    "chr": "County Health Rankings 2025 (v062 mental health providers, v131 other primary care providers)",
    "hpsa": "HRSA primary-care HPSA designations (2020-06-15)",
    "ahrf": "HRSA AHRF population per primary-care physician (2014-2021)",
}
FILE_ERRORS = (chr.ChrFileError, hpsa.HpsaFileError, ahrf.AhrfFileError)


class ReferenceMissing(FileNotFoundError):
    """The reference file is not there: the message says where it was looked for."""


@dataclass(frozen=True)
class Validation:
    run_id: str
    against: str
    summary: dict[str, Any]
    table: pl.DataFrame
    table_key: str
    summary_key: str


def reference_files(against: str, files: list[Path] | None, folders: list[Path]) -> list[Path]:
    """The files given (each must exist), else the defaults found in the folders (first wins)."""
    if files:
        absent = [str(f) for f in files if not f.is_file()]
        if absent:
            raise ReferenceMissing(f"reference file not found: {', '.join(absent)}")
        return files
    found = [next((f / rel for f in folders if (f / rel).is_file()), None) for rel in DEFAULT_FILES[against]]
    if not any(found):
        looked = ", ".join(str(f / rel) for f in folders for rel in DEFAULT_FILES[against])
        hint = " (CHR files are CC BY-NC-SA: never vendored; set CAREATLAS_REFERENCE_DIR)" if against == "chr" else ""
        raise ReferenceMissing(f"no {against} reference file: looked for {looked or 'nothing'}{hint}")
    return [path for path in found if path is not None]


def validate(lake: Lake, run_id: str, against: str, files: list[Path]) -> Validation:
    pointer = _pointer(lake, run_id)
    run_id = pointer["run_id"]
    release = ((pointer.get("inputs") or {}).get("nppes_full") or {}).get("release")
    needed = {"chr": ("fct_county_access", "fct_chr_provider_counts"), "hpsa": ("fct_county_access",
              "fct_underserved_counties"), "ahrf": ("fct_county_access",)}[against]
    summary, table = compare(against, files, {name: _mart(lake, pointer, name) for name in needed}, release)
    summary = {"run_id": run_id, **summary}
    table_key, summary_key = layout.validation_table(run_id, against), layout.validation_summary(run_id, against)
    buffer = io.BytesIO()
    table.write_parquet(buffer)
    lake.put_bytes(table_key, buffer.getvalue())
    lake.write_model(summary_key, ValidationSummary.model_validate(summary))
    log.info("validation written", run_id=run_id, against=against, key=table_key, counties=table.height)
    return Validation(run_id, against, summary, table, table_key, summary_key)


def compare(against: str, files: list[Path], marts: dict[str, pl.DataFrame],
            release: str | None) -> tuple[dict[str, Any], pl.DataFrame]:
    """The overall figures and the per-county table of one reference, from the run's marts
    (``release``: the run's NPPES full release, YYYY-MM-DD, when known)."""
    access = marts["fct_county_access"]
    if against == "chr":
        reference = pl.concat([chr.read(path) for path in files], how="vertical_relaxed")
        table = chr.compare(reference, marts["fct_chr_provider_counts"], access, release)
        summary = chr.summarise(table)
    elif against == "hpsa":
        table = hpsa.compare(hpsa.read(files[0]), access, marts["fct_underserved_counties"])
        summary = hpsa.summarise(table)
    else:
        table, year = ahrf.compare(ahrf.read(files[0]), access, release)
        summary = ahrf.summarise(table, year)
    return {"against": against, "reference": REFERENCE_LABELS[against],
            "reference_files": [path.name for path in files], "nppes_release": release, **summary}, table


def read_summary(lake: Lake, run_id: str, against: str) -> dict[str, Any] | None:
    """A comparison written earlier (the report shows it), or None."""
    summary = lake.read_model_or_none(layout.validation_summary(run_id, against), ValidationSummary)
    return summary.as_dict() if summary else None


def read_table(lake: Lake, run_id: str, against: str) -> pl.DataFrame | None:
    try:
        return pl.read_parquet(io.BytesIO(lake.read_bytes(layout.validation_table(run_id, against))))
    except LakeKeyNotFound:
        return None


def _pointer(lake: Lake, run_id: str) -> dict[str, Any]:
    """``latest``'s pointer, or one rebuilt from an older run's files (careatlas.report.data)."""
    latest = catalog.read_latest(lake)
    if run_id != "latest":
        return latest if latest and latest.get("run_id") == run_id else run_pointer(lake, layout.check_run_id(run_id))
    if latest is None:
        raise RunNotFound(f"no marts published in {lake.uri()}: run a transform first")
    return latest


def _mart(lake: Lake, pointer: dict[str, Any], name: str) -> pl.DataFrame:
    key = pointer.get("marts", {}).get(name)
    if key is None:
        raise ReportError(f"run {pointer['run_id']} published no mart {name}: rebuild it with this version")
    try:
        return pl.read_parquet(io.BytesIO(lake.read_bytes(key)))
    except LakeKeyNotFound:
        raise ReportError(f"mart {name} of run {pointer['run_id']} is missing: {lake.uri(key)}") from None
