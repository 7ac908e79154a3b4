"""Where reference files are on disk: the reference folder (``--reference``,
``CAREATLAS_REFERENCE_DIR`` or ``../shared/reference``), else the extracts vendored in the repo's
``data/reference/`` (same relative path; data/reference/README.md says what each one is), so a
fresh clone runs with no reference folder at all. The CLI, the generator and the report all look
files up here."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
VENDORED_DIR = REPO / "data" / "reference"


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
