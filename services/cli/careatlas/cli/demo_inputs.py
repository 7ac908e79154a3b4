"""What ``careatlas demo`` checks and prepares before the run: an ``--nppes`` file it can use,
the reference files cut to the demo's states, and progress for the long steps on a terminal."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from careatlas.cli import reference_files
from careatlas.cli.output import ExitCode, console, fail

# reference kinds cut to the demo's states: (column holding the state or county FIPS, 0-based)
REGIONAL_CUTS = {"hud": 1, "pep_population": 0, "pep_agesex": 1, "saipe": 0}
_NEEDS = ("the demo needs a full (monthly) NPPES release: NPPES_Data_Dissemination_<Month>_<Year>.zip "
          "or the npidata_pfile_20050523-YYYYMMDD.csv inside it")


def _identify(path: Path) -> tuple[str | None, str | None]:
    from careatlas.nppes import landing

    kind, release = landing.identify(path.name)
    if kind is None and path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                kind, release = landing.identify(landing.npidata_member(archive, source=str(path)))
        except (zipfile.BadZipFile, landing.LandingError) as error:
            fail(f"--nppes {path}: {error}; {_NEEDS}", ExitCode.USAGE)
    return kind, release


def check_nppes(path: Path, release: str | None) -> str | None:
    """Fail with what the demo needs unless ``path`` is a readable full release; returns the
    release to pass on (``--release`` for a file whose name does not say), else None."""
    if not path.is_file():
        fail(f"--nppes {path}: no such file; {_NEEDS}", ExitCode.NOT_FOUND)
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        fail(f"--nppes {path}: cannot read it ({error.strerror}); {_NEEDS}", ExitCode.NOT_FOUND)
    kind, named = _identify(path)
    if kind == "weekly":
        fail(f"--nppes {path}: this is a weekly NPPES update (only the records changed that week, release "
             f"{named}), not a full release; {_NEEDS}. Apply weeklies on top of a full run with "
             "`careatlas ingest FILE --kind weekly` and `careatlas transform`.", ExitCode.USAGE)
    if kind is None and release is None:
        fail(f"--nppes {path}: the name does not say which NPPES release it is; {_NEEDS}, or pass "
             "--release YYYY-MM-DD with a full file of another name.", ExitCode.USAGE)
    return release


def _cut(source: Path, column: int, prefixes: set[bytes], target: Path) -> Path:
    """The header and the rows of ``source`` whose FIPS in ``column`` starts with a wanted state,
    byte for byte (encoding and line endings as the source has them)."""
    lines = source.read_bytes().splitlines(keepends=True)
    keep = [line for line in lines[1:] if line.split(b",", column + 1)[column].strip(b'"')[:2] in prefixes]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"".join([lines[0], *keep]))
    return target


def regional_references(references: dict[str, str], states: tuple[str, ...], reference_dir: Path | None,
                        folder: Path) -> dict[str, str]:
    """``references`` with the crosswalk and demographics cut to ``states`` (CSV files only)."""
    from careatlas.synth.supply import state_fips

    codes = state_fips(reference_dir)
    prefixes = {codes[s].encode() for s in states}
    cut = dict(references)
    for kind, column in REGIONAL_CUTS.items():
        source = Path(references.get(kind, ""))
        if source.suffix.lower() == ".csv":
            relative = next(r for r in reference_files.EMBEDDED_FILES[kind] if source.as_posix().endswith(r))
            cut[kind] = str(_cut(source, column, prefixes, folder / relative))
    return cut


@contextmanager
def steps() -> Iterator[Callable[[str], AbstractContextManager[None]]]:
    """``with steps() as step: with step("Doing X"): ...``: a spinner with elapsed time per step
    on a terminal, nothing elsewhere (logs and pipes stay clean)."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal, transient=False) as progress:
        @contextmanager
        def step(description: str) -> Iterator[None]:
            task = progress.add_task(description, total=1)
            try:
                yield
            finally:
                progress.update(task, completed=1)

        yield step
