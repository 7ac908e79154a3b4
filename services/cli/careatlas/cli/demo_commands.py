"""``careatlas demo``: the whole pipeline on one machine, then what an analyst wants first.

The README's main job. No Redis, S3 or Docker: a local lake folder and in-process workers. It
generates a synthetic NPPES file in CMS format whose county supply is drawn from real published
county figures (synth.supply: AHRF primary-care physicians, PEP population, RUCC rurality; by
default a few states at national density, ``--national`` for the whole country), or takes
``--nppes``. It loads the NUCC taxonomy, the HUD crosswalk and the offline demographics (Census
PEP population and age, SAIPE poverty and income) from the reference folder or, without one, from
the extracts vendored in data/reference/ (cut to the demo's states), plus a deactivation report
for the generated file, runs ingest and dbt, prints headline tables and writes the HTML report.
With a Census API key (or ``--acs-year``) it also uses the live ACS. Everything it prints and
records says the providers are synthetic and what they were drawn from.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from careatlas.cli import reference_files
from careatlas.cli.bootstrap import configure
from careatlas.cli.demo_inputs import check_nppes, regional_references, steps
from careatlas.cli.errors import exit_codes, requires_extra
from careatlas.cli.options import ReferenceOption
from careatlas.cli.output import ExitCode, console, fail, styled
from careatlas.shared import reference_folder

DEMO_RELEASE = date(2025, 4, 7)
# the live ACS vintage the demo asks for when a Census API key is set
DEMO_ACS_YEAR = 2023
# the default demo's states: the northern plains and mountains, 132 counties from small cities to
# frontier, in two Census regions (so the regional gaps compare something); ~57k rows
DEMO_STATES = ("MT", "ND", "WY")


def demo(
    rows: Annotated[int | None, typer.Option(
        help="Rows to generate (default: the states' providers at national density).")] = None,
    states: Annotated[str, typer.Option(help="States to generate, USPS codes, comma-separated.")] = ",".join(
        DEMO_STATES),
    national: Annotated[bool, typer.Option("--national", help="The whole country instead of --states.")] = False,
    nppes: Annotated[Path | None, typer.Option(
        help="A full (monthly) NPPES file to use instead of a generated one.")] = None,
    release: Annotated[str | None, typer.Option(
        help="YYYY-MM-DD release of --nppes when its name is not the CMS one.")] = None,
    reference: ReferenceOption = None,
    lake: Annotated[str, typer.Option(help="Lake folder.")] = "lake",
    workers: Annotated[int, typer.Option(help="Ingest worker processes (0 = all cores).")] = 0,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 2025,
    acs_year: Annotated[int | None, typer.Option(
        help=f"Also use this live ACS 5-year vintage (default {DEMO_ACS_YEAR} when a Census API key is set).")] = None,
    dbt_docs: Annotated[bool, typer.Option(
        help="Also publish dbt docs beside the report (about 20 s more).")] = False,
) -> None:
    """Run everything in-process on a local lake and print the headline findings."""
    named_release = check_nppes(nppes, release) if nppes is not None else None
    # before any work: the in-process workers, the report and (without --nppes) the generator
    with requires_extra("demo", "careatlas demo"):
        for module in ("careatlas.ingest.pipeline", "careatlas.transform.build", "careatlas.report.labels",
                       *(("careatlas.synth.nppes",) if nppes is None else ())):
            importlib.import_module(module)
    # --reference also reaches the report's comparisons (they read the settings' reference folder)
    settings = configure(lake=lake, reference=reference, warehouse_in_lake=True)
    from careatlas.cli.embedded import EmbeddedRun, run_embedded

    with exit_codes({FileNotFoundError: ExitCode.NOT_FOUND}):
        reference_dir = reference_folder.reference_dir(reference, settings.reference_dir)
        references = reference_files.embedded_sources(reference_dir)
    from careatlas.report.labels import describe_synthetic

    inputs = Path(lake) / "_demo_inputs"
    synthetic = None
    with steps() as step:
        if nppes is None:
            chosen = None if national else _states(states)
            with step("Generating the synthetic NPPES file"):
                source, synthetic = _generate(inputs, rows, seed, reference_dir or reference_folder.VENDORED_DIR,
                                              chosen)
            references["deactivations"] = str(_deactivation_report(source, inputs))
            if chosen:  # demographics and crosswalk of the same states: no county without providers
                references = regional_references(references, chosen, reference_dir, inputs / "reference")
            console.print(styled("Synthetic NPPES:"), describe_synthetic(synthetic), highlight=False)
        else:
            source = nppes
        acs = acs_year or (DEMO_ACS_YEAR if settings.census_api_key else None)
        job = EmbeddedRun(nppes=str(source), references=references, acs_year=acs, workers=workers,
                          release=named_release, kind="full" if named_release else None)
        census = f"; live ACS {acs}" if acs else ""
        console.print(styled("CareAtlas demo:"), f"{source.name} → lake {settings.lake} (offline demographics: "
                      f"Census PEP and SAIPE{census})")
        # bad input, a failed dbt test: the message says which
        with exit_codes({ValueError: ExitCode.FAILED, RuntimeError: ExitCode.FAILED}), \
                step("Ingesting and building the marts (dbt)"):
            result = run_embedded(settings, job)
        if synthetic:
            _record_synthetic(settings.lake, synthetic)
        _headlines(settings, result, synthetic)
        with step("Writing the HTML report"):
            path = _report(settings, dbt_docs)
    if path:
        console.print("report:", styled(path))


def _states(text: str) -> tuple[str, ...]:
    chosen = tuple(sorted({s.strip().upper() for s in text.split(",") if s.strip()}))
    if not chosen:
        fail("--states: give USPS codes such as NE,ND,SD (or --national)", ExitCode.USAGE)
    return chosen


def _generate(folder: Path, rows: int | None, seed: int, reference_dir: Path,
              states: tuple[str, ...] | None) -> tuple[Path, dict]:
    from careatlas.synth.nppes import generate_file
    from careatlas.synth.supply import SupplyError, SupplySpec

    target = folder / f"npidata_pfile_20050523-{DEMO_RELEASE:%Y%m%d}.csv"
    target.unlink(missing_ok=True)  # a file of other options must not be reused
    with exit_codes({SupplyError: ExitCode.USAGE}):  # and OptionError (the table)
        summary = generate_file(target, rows=rows, seed=seed, reference_dir=reference_dir, release=DEMO_RELEASE,
                                supply=SupplySpec(states, DEMO_RELEASE.year))
    return target, summary.synthetic


def _deactivation_report(source: Path, folder: Path) -> Path:
    from careatlas.synth.deactivations import deactivations_from_file, write_deactivation_report

    return write_deactivation_report(folder, deactivations_from_file(source), DEMO_RELEASE)


def _record_synthetic(lake_root: str, synthetic: dict) -> None:
    """latest.json says the run's NPPES file is synthetic and what it was drawn from."""
    from careatlas.shared import layout
    from careatlas.shared.documents import LatestPointer
    from careatlas.shared.storage import open_lake

    the_lake = open_lake(lake_root)
    pointer = the_lake.read_model(layout.marts_latest(), LatestPointer)
    marked = LatestPointer.model_validate({**pointer.as_dict(), "synthetic_nppes": synthetic})
    the_lake.write_model(layout.marts_latest(), marked)


def _headlines(settings, result: dict, synthetic: dict | None) -> None:
    from careatlas.cli.headlines import WIDTH, headline_tables
    from careatlas.report.labels import demographics_line

    ingest = result["ingest"]
    console.print(f"run {result['run_id']}: {ingest['rows_read']:,} rows read, {ingest['rows_written']:,} published, "
                  f"{ingest['rows_quarantined']:,} quarantined; dbt tests: {result['marts'].get('tests')}")
    console.print(demographics_line(result["marts"].get("inputs") or {}), highlight=False)
    caption = None
    if synthetic:
        caption = "Synthetic providers (see above), real demographics"
        if synthetic["states"] != "all":
            caption += "; 'national' = the demo's states together"
    # piped output gets the 100 columns the tables are made for, a terminal at most its own width
    width = min(console.width, WIDTH) if console.is_terminal else WIDTH
    for table in headline_tables(settings.lake, caption=caption):
        console.print(table, width=width)


def _report(settings, dbt_docs: bool) -> Path | None:
    try:
        from careatlas.report.report import write_report
    except ImportError:  # the report extra is not installed
        return None
    return write_report(settings.lake, "latest", Path(settings.lake) / "report.html", settings=settings,
                        dbt_docs=dbt_docs)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
