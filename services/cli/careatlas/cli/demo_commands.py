"""``careatlas demo``: the whole pipeline on one machine, then what an analyst wants first.

The README's main job. No Redis, S3 or Docker: a local lake folder and in-process workers. It
generates an NPPES file in CMS format (or takes ``--nppes``), loads the NUCC taxonomy, the HUD
crosswalk and the offline demographics (Census PEP population and age, SAIPE poverty and income)
from the reference folder or, without one, from the extracts vendored in data/reference/, plus
a deactivation report for the generated file, runs ingest and dbt, prints headline tables and
writes the HTML report. With a Census API key (or ``--acs-year``) it also uses the live ACS.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from careatlas.cli import reference_files
from careatlas.cli.bootstrap import configure
from careatlas.cli.output import ExitCode, console, fail, styled

DEMO_RELEASE = date(2025, 4, 7)
# the live ACS vintage the demo asks for when a Census API key is set
DEMO_ACS_YEAR = 2023


def demo(
    rows: Annotated[int, typer.Option(help="Providers to generate when no --nppes is given.")] = 20_000,
    nppes: Annotated[Path | None, typer.Option(help="An NPPES file to use instead of a generated one.")] = None,
    reference: Annotated[Path | None, typer.Option(
        help="Folder of reference files (default ../shared/reference; without one, data/reference).")] = None,
    lake: Annotated[str, typer.Option(help="Lake folder.")] = "lake",
    workers: Annotated[int, typer.Option(help="Ingest worker processes (0 = all cores).")] = 0,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 2025,
    acs_year: Annotated[int | None, typer.Option(
        help=f"Also use this live ACS 5-year vintage (default {DEMO_ACS_YEAR} when a Census API key is set).")] = None,
) -> None:
    """Run everything in-process on a local lake and print the headline findings."""
    reference_files.default_warehouse(lake)
    settings = configure(lake=lake)
    from careatlas.cli.embedded import EmbeddedRun, run_embedded

    try:
        reference_dir = reference_files.reference_dir(reference, settings.reference_dir)
        references = reference_files.embedded_sources(reference_dir)
    except FileNotFoundError as error:
        fail(str(error), ExitCode.NOT_FOUND)
    inputs = Path(lake) / "_demo_inputs"
    # the generator draws real ZIPs and taxonomy codes, from the vendored files if need be
    source = nppes or _generate(inputs, rows, seed, reference_dir or reference_files.VENDORED_DIR)
    if nppes is None:
        references["deactivations"] = str(_deactivation_report(source, inputs))
    acs = acs_year or (DEMO_ACS_YEAR if settings.census_api_key else None)
    job = EmbeddedRun(nppes=str(source), references=references, acs_year=acs, workers=workers)
    census = f"; live ACS {acs}" if acs else ""
    console.print(styled("CareAtlas demo:"), f"{source.name} → lake {settings.lake} (offline demographics: "
                  f"Census PEP and SAIPE{census})")
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
    from careatlas.report.labels import demographics_line

    console.print(demographics_line(result["marts"].get("inputs") or {}), highlight=False)
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
