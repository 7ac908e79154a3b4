"""``careatlas census``: ACS 5-year tables into the lake cache, fetched in-process or imported.

Worker code is imported inside the commands, so the CLI starts without the census package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from careatlas.cli.errors import exit_codes, requires_extra
from careatlas.cli.options import JsonOption, LakeOption
from careatlas.cli.output import ExitCode, emit, fail

census_app = typer.Typer(help="Census ACS 5-year tables, cached in the lake.", no_args_is_help=True)


VARIABLES_HELP = "Variables the run needs, comma-separated (default: the default set); fetches add the default set."


@census_app.command("fetch")
def fetch(
    year: Annotated[int, typer.Option("--year", help="ACS 5-year vintage (2009-2024).")],
    geo: Annotated[str, typer.Option("--geo", help="county, state, or both: county,state.")] = "county",
    refresh: Annotated[bool, typer.Option("--refresh", help="Fetch even when the cache is fresh.")] = False,
    lake: LakeOption = None,
    variables: Annotated[str | None, typer.Option("--variables", help=VARIABLES_HELP)] = None,
    ttl_days: Annotated[float | None, typer.Option("--ttl-days", help="Cache age limit (default 30).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Serve each table from the lake cache, or fetch it from the Census API once."""
    with requires_extra("embedded", "careatlas census fetch"):  # the census worker's code, in-process
        from careatlas.census.cache import get_or_fetch
        from careatlas.census.locks import choose_lock
    from careatlas.cli.bootstrap import configure
    from careatlas.shared.storage import open_lake

    settings = configure(lake)
    extra = [v for v in (variables or "").split(",") if v.strip()] or None
    geos = [g.strip() for g in geo.split(",") if g.strip()]
    results = []
    with exit_codes(lake_reads=True):
        target, lock = open_lake(settings=settings), choose_lock(settings.redis_url)
        for one in geos:
            result = get_or_fetch(
                target, year, one, variables=extra, refresh=refresh, ttl_days=ttl_days, settings=settings, lock=lock
            )
            results.append({"year": year, "geo": one, **result.as_dict()})
    emit(results, as_json=as_json, render=lambda console: _render(console, results))


@census_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Saved API response (.json) or CSV with API column names.")],
    year: Annotated[int, typer.Option("--year", help="ACS 5-year vintage the file holds.")],
    lake: LakeOption = None,
    geo: Annotated[str | None, typer.Option("--geo", help="county or state (default: from the columns).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Load a saved snapshot into the cache, marked imported, so runs work offline."""
    with requires_extra("embedded", "careatlas census import"):
        from careatlas.census.snapshot import import_snapshot
    from careatlas.cli.bootstrap import configure
    from careatlas.shared.storage import open_lake

    settings = configure(lake)
    if not file.is_file():
        fail(f"{file} does not exist", ExitCode.NOT_FOUND)
    with exit_codes(lake_reads=True):
        result = import_snapshot(open_lake(settings=settings), file, year=year, geo=geo)
    data = {"year": year, **result.as_dict()}
    emit(data, as_json=as_json, render=lambda console: _render(console, [data]))


def _render(console: Console, results: list[dict]) -> None:
    for r in results:
        console.print(
            f"ACS5 {r['year']} {r['key'].rsplit('=', 1)[-1]}: {r['rows']:,} rows from {r['source']}"
            f" ({len(r['variables'])} variables) -> {r['data_key']}"
        )
