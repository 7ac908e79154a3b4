"""``careatlas demo``: the whole pipeline on one machine, then what an analyst wants first.

The README's main job. No Redis, S3 or Docker: a local lake folder and in-process workers. It
generates an NPPES file in CMS format (or takes ``--nppes``), loads the NUCC taxonomy, the HUD
crosswalk and an ACS snapshot from the reference folder, plus a deactivation report for the
generated file, runs ingest and dbt, prints headline tables and writes the HTML report.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from careatlas.cli.bootstrap import configure
from careatlas.cli.output import ExitCode, console, fail, styled

DEMO_RELEASE = date(2025, 4, 7)


def find_reference(explicit: Path | None, configured: Path | None) -> Path:
    candidates = [explicit, configured, Path.cwd().parent / "shared" / "reference",
                  Path(__file__).resolve().parents[5] / "shared" / "reference"]
    for candidate in candidates:
        if candidate and (candidate / "nucc_taxonomy_251.csv").is_file():
            return candidate
    fail("no reference folder found: pass --reference DIR (or set CAREATLAS_REFERENCE_DIR) to a folder with "
         "nucc_taxonomy_251.csv, ZIP_COUNTY_032023.converted.csv (or .xlsx) and census/pop_2015_county.csv",
         ExitCode.NOT_FOUND)


def demo(
    rows: Annotated[int, typer.Option(help="Providers to generate when no --nppes is given.")] = 20_000,
    nppes: Annotated[Path | None, typer.Option(help="An NPPES file to use instead of a generated one.")] = None,
    reference: Annotated[Path | None, typer.Option(help="Folder of reference files (default ../shared/reference).")]
    = None,
    lake: Annotated[str, typer.Option(help="Lake folder.")] = "lake",
    workers: Annotated[int, typer.Option(help="Ingest worker processes (0 = all cores).")] = 0,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 2025,
) -> None:
    """Run everything in-process on a local lake and print the headline findings."""
    os.environ.setdefault("CAREATLAS_WAREHOUSE_PATH", str(Path(lake) / "_warehouse" / "careatlas.duckdb"))
    settings = configure(lake=lake)
    reference_dir = find_reference(reference, settings.reference_dir)
    from careatlas.cli.embedded import CENSUS_SNAPSHOT, EmbeddedRun, run_embedded

    inputs = Path(lake) / "_demo_inputs"
    source = nppes or _generate(inputs, rows, seed, reference_dir)
    snapshot, acs_year = CENSUS_SNAPSHOT
    hud = reference_dir / "ZIP_COUNTY_032023.converted.csv"
    references = {"nucc": str(reference_dir / "nucc_taxonomy_251.csv"),
                  "hud": str(hud if hud.is_file() else reference_dir / "ZIP_COUNTY_032023.xlsx")}
    if nppes is None:
        references["deactivations"] = str(_deactivation_report(source, inputs))
    job = EmbeddedRun(nppes=str(source), references=references, census_snapshot=reference_dir / snapshot,
                      acs_year=acs_year, workers=workers)
    console.print(styled("CareAtlas demo:"), f"{source.name} → lake {settings.lake} (ACS {acs_year} snapshot)")
    try:
        result = run_embedded(settings, job)
    except (ValueError, RuntimeError) as error:  # bad input, a failed dbt test: the message says which
        fail(str(error), ExitCode.FAILED)
    _headlines(settings, result)


def _generate(folder: Path, rows: int, seed: int, reference_dir: Path) -> Path:
    from careatlas.synth.nppes import generate_file

    target = folder / f"npidata_pfile_20050523-{DEMO_RELEASE:%Y%m%d}.csv"
    if not target.exists():
        generate_file(target, rows=rows, seed=seed, reference_dir=reference_dir, release=DEMO_RELEASE)
    return target


def _deactivation_report(source: Path, folder: Path) -> Path:
    from careatlas.synth.deactivations import deactivations_from_file, write_deactivation_report

    return write_deactivation_report(folder, deactivations_from_file(source), DEMO_RELEASE)


def _headlines(settings, result: dict) -> None:
    from careatlas.cli.headlines import headline_tables

    ingest = result["ingest"]
    console.print(f"run {result['run_id']}: {ingest['rows_read']:,} rows read, {ingest['rows_written']:,} published, "
                  f"{ingest['rows_quarantined']:,} quarantined; dbt tests: {result['marts'].get('tests')}")
    for title, frame in headline_tables(settings.lake):
        table = Table(title=title)
        for column in frame.columns:
            table.add_column(column)
        for row in frame.iter_rows():
            table.add_row(*[f"{v:,.1f}" if isinstance(v, float) else str(v) for v in row])
        console.print(table)
    try:
        from careatlas.report.report import write_report
    except ImportError:  # the report extra is not installed
        return
    path = write_report(settings.lake, "latest", Path(settings.lake) / "report.html", settings=settings)
    console.print("report:", styled(path))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
