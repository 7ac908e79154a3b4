"""``careatlas transform``: build the marts from what a lake holds, in-process (no Redis).

With ``careatlas ingest`` (a full release, then its weeklies in order with ``--kind weekly``)
this is the whole pipeline without a deployment. Reference data the lake lacks (NUCC taxonomy,
HUD crosswalk, the offline demographics) is loaded first, from the reference folder or the
extracts vendored in data/reference/; what the lake already has is used as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from careatlas.cli import reference_files
from careatlas.cli.bootstrap import configure
from careatlas.cli.errors import exit_codes, requires_extra
from careatlas.cli.options import JsonOption, LakeOption, ReferenceOption
from careatlas.cli.output import ExitCode, emit, fail, styled
from careatlas.shared import reference_folder


def transform(
    lake: LakeOption = None,
    acs_year: Annotated[int | None, typer.Option(
        help="Use this ACS 5-year vintage (from the lake's census cache, fetched when a Census API key is set).")]
    = None,
    full_refresh: Annotated[bool, typer.Option(help="Rebuild the per-NPI state from the full release.")] = False,
    reference: ReferenceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build the marts of a lake with dbt, loading reference data the lake lacks first."""
    settings = configure(lake=lake, warehouse_in_lake=True)
    from careatlas.runs.model import new_run_id
    from careatlas.shared.storage import open_lake

    with requires_extra("embedded", "careatlas transform"):  # the workers' code, in-process
        from careatlas.transform.build import build_marts
        from careatlas.transform.inputs import MissingInput

    if not settings.lake_is_s3 and not Path(settings.lake).is_dir():
        fail(f"lake {settings.lake} does not exist: `careatlas ingest FILE --lake {settings.lake}` first",
             ExitCode.NOT_FOUND)
    with exit_codes({MissingInput: ExitCode.NOT_FOUND}, lake_reads=True):
        if acs_year is not None:
            from careatlas.census.variables import check_year

            check_year(acs_year)
        the_lake = open_lake(settings=settings)
        _need_full_release(the_lake)
        loaded = load_missing_references(the_lake, reference, settings)
        if acs_year is not None:
            _ensure_acs(the_lake, acs_year, settings)
        result = build_marts(settings.lake, new_run_id(), acs_year=acs_year, full_refresh=full_refresh,
                             settings=settings)
    summary = {**result, "lake": settings.lake, "references_loaded": loaded}
    emit(summary, as_json=as_json, render=lambda console: _render(console, summary))


def load_missing_references(lake, reference: Path | None, settings) -> list[dict[str, Any]]:
    """Land each reference kind of the embedded default that the lake has no version of."""
    from careatlas.ingest.reference.load import load_reference

    missing = reference_files.missing_kinds(lake)
    if not missing:
        return []
    sources = reference_files.embedded_sources(reference_folder.reference_dir(reference, settings.reference_dir),
                                               missing)
    return [load_reference(lake, kind, source, settings=settings).as_dict() for kind, source in sources.items()]


def _need_full_release(lake) -> None:
    from careatlas.shared import catalog
    from careatlas.transform.inputs import MissingInput

    if not catalog.list_published(lake, "npidata"):
        raise MissingInput(f"no published NPPES full release in {lake.root}: `careatlas ingest FILE --kind full` first")


def _ensure_acs(lake, year: int, settings) -> None:
    """The vintage from the lake's census cache, or fetched live once (needs a Census API key)."""
    from careatlas.census.cache import data_key, get_or_fetch
    from careatlas.transform.inputs import MissingInput

    cached = all(lake.exists(data_key(year, geo)) for geo in ("county", "state"))
    if not cached and settings.census_api_key is None:
        raise MissingInput(f"ACS 5-year {year} is not in the census cache of {lake.root} and "
                           "CAREATLAS_CENSUS_API_KEY is unset: set it, or `careatlas census import FILE --year Y`")
    with exit_codes(lake_reads=True):
        for geo in ("county", "state"):
            get_or_fetch(lake, year, geo, settings=settings)


def _render(console: Console, summary: dict[str, Any]) -> None:
    from careatlas.report.labels import demographics_line

    for ref in summary["references_loaded"]:
        console.print(f"loaded {ref['kind']} {ref['label']} from {ref['source']} -> {ref['key']}", highlight=False)
    table = Table(title=f"run {summary['run_id']}: marts of {summary['lake']}")
    table.add_column("mart")
    table.add_column("rows", justify="right")
    for mart, rows in sorted((summary.get("marts") or {}).items()):
        table.add_row(mart, f"{rows:,}")
    console.print(table)
    console.print(f"rebaseline: {summary['rebaseline']}; dbt tests: {summary.get('tests')}", highlight=False)
    console.print(demographics_line(summary.get("inputs") or {}), highlight=False)
    for warning in summary.get("warnings") or []:
        console.print(styled("warning:", "yellow"), warning, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("transform")(transform)
