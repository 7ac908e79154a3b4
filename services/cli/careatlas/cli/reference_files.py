"""The reference files of the embedded default, and which of them a lake still needs.

A file is taken from the reference folder (``--reference``, ``CAREATLAS_REFERENCE_DIR`` or
``../shared/reference``) when the folder has it, else from the extracts vendored in the repo's
``data/reference/`` (same relative path; data/reference/README.md says what each one is), so a
fresh clone runs with no reference folder at all.
"""

from __future__ import annotations

import os
from pathlib import Path

from careatlas.shared import layout
from careatlas.shared.storage import Lake

REPO = Path(__file__).resolve().parents[4]
VENDORED_DIR = REPO / "data" / "reference"
# what the embedded default lands, by reference kind: relative paths, the first found wins
EMBEDDED_FILES = {
    "nucc": ("nucc_taxonomy_251.csv",),
    "hud": ("ZIP_COUNTY_032023.converted.csv", "ZIP_COUNTY_032023.xlsx"),
    "pep_population": ("census/offline/pep_v2024_county_totals.csv",),
    "pep_agesex": ("census/offline/pep_v2023_county_agesex.csv",),
    "saipe": ("census/offline/saipe_2023_county.csv",),
}
OFFLINE_DEMOGRAPHICS = ("pep_population", "pep_agesex", "saipe")
# where each kind lands in the lake, without its version / vintage partition
LAKE_ROOTS = {
    "nucc": layout.nucc_taxonomy("0").rsplit("/version=", 1)[0],
    "hud": layout.hud_zip_county("0").rsplit("/vintage=", 1)[0],
    **{kind: layout.census_product(kind, "2000").rsplit("/vintage=", 1)[0] for kind in OFFLINE_DEMOGRAPHICS},
}


def reference_dir(explicit: Path | None, configured: Path | None) -> Path | None:
    """The reference folder: the one asked for (which must exist), else ../shared/reference if
    present beside the working directory or the checkout, else none (vendored files only)."""
    for asked, what in ((explicit, "--reference"), (configured, "CAREATLAS_REFERENCE_DIR")):
        if asked is not None:
            if not Path(asked).is_dir():
                raise FileNotFoundError(f"reference folder {asked} ({what}) does not exist")
            return Path(asked)
    for candidate in (Path.cwd().parent / "shared" / "reference", REPO.parent / "shared" / "reference"):
        if candidate.is_dir():
            return candidate
    return None


def folders(reference: Path | None) -> list[Path]:
    return [f for f in (reference, VENDORED_DIR) if f is not None]


def find(relative: str, reference: Path | None) -> Path | None:
    """``relative`` in the reference folder, else in data/reference; None when in neither."""
    return next((f / relative for f in folders(reference) if (f / relative).is_file()), None)


def source_of(kind: str, reference: Path | None) -> Path:
    for folder in folders(reference):
        for relative in EMBEDDED_FILES[kind]:
            if (folder / relative).is_file():
                return folder / relative
    looked = ", ".join(str(f / r) for f in folders(reference) for r in EMBEDDED_FILES[kind])
    raise FileNotFoundError(f"no {kind} file: looked for {looked}")


def embedded_sources(reference: Path | None, kinds: tuple[str, ...] | None = None) -> dict[str, str]:
    """The file each reference kind of the embedded default is loaded from."""
    return {kind: str(source_of(kind, reference)) for kind in kinds or tuple(EMBEDDED_FILES)}


def missing_kinds(lake: Lake) -> tuple[str, ...]:
    """The embedded default's reference kinds of which the lake holds no version or vintage."""
    return tuple(
        kind for kind, root in LAKE_ROOTS.items()
        if not any(key.endswith("/data.parquet") for key in lake.list(root))
    )


def default_warehouse(lake: str) -> None:
    """A local lake keeps its DuckDB warehouse inside it (``<lake>/_warehouse/``), so runs of the
    demo and ``careatlas transform`` on the same lake continue each other's incremental state."""
    if "://" not in lake:
        os.environ.setdefault("CAREATLAS_WAREHOUSE_PATH", str(Path(lake) / "_warehouse" / "careatlas.duckdb"))
