"""The reference files of the embedded default, and which of them a lake still needs.

A file is taken from the reference folder when the folder has it, else from the extracts vendored
in the repo's ``data/reference/`` (``careatlas.shared.reference_folder`` finds them).
"""

from __future__ import annotations

from pathlib import Path

from careatlas.shared import layout
from careatlas.shared.reference_folder import folders
from careatlas.shared.storage import Lake

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
    "nucc": layout.nucc_taxonomy_root(),
    "hud": layout.hud_zip_county_root(),
    **{kind: layout.census_product_root(kind) for kind in OFFLINE_DEMOGRAPHICS},
}


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
        if not any(layout.is_data_file(key) for key in lake.list(root))
    )

