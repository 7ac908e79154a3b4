"""``careatlas trends --from A --to B``: how supply changed between two NPPES releases, per
county and discipline, from the latest run's fct_county_supply_history (one step per release,
docs/spatial-access.md). Reads the lake in-process."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from careatlas.cli.bootstrap import configure
from careatlas.cli.errors import exit_codes, requires_extra
from careatlas.cli.options import JsonOption, LakeOption
from careatlas.cli.output import ExitCode, emit, fail, styled
from careatlas.shared import layout
from careatlas.shared.documents import LatestPointer
from careatlas.shared.storage import LakeKeyNotFound, open_lake

MART = "fct_county_supply_history"


def trends(
    start: Annotated[str | None, typer.Option("--from", help="Release (YYYY-MM-DD); default the first.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Release (YYYY-MM-DD); default the latest.")] = None,
    county: Annotated[list[str] | None, typer.Option(help="County FIPS to keep (repeatable).")] = None,
    discipline: Annotated[str | None, typer.Option(help="primary_care, dental or mental_health.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the rows as CSV here.")] = None,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Supply change between two releases: net change, entries, new NPIs, exits, deactivations, moves."""
    with requires_extra("report", "careatlas trends"):
        from careatlas.report.trends import TrendError, change_between

    settings = configure(lake=lake)
    with exit_codes({TrendError: ExitCode.NOT_FOUND}):
        history = _history(open_lake(None, settings))
        rows = change_between(history, _date(start, "--from"), _date(end, "--to"))
    if county:
        rows = rows.filter(pl.col("county_fips").is_in(county))
    if discipline:
        rows = rows.filter(pl.col("discipline") == discipline)
    if out is not None:
        rows.write_csv(out)
    emit(rows.to_dicts(), as_json=as_json, render=lambda console: console.print(
        f"{rows.height:,} county-disciplines", "" if out is None else styled(f"written to {out}"),
        f"\nnet change {rows['net_change'].sum():+,.2f}: entries {rows['entries'].sum():,.2f} "
        f"(new NPIs {rows['new_npis'].sum():,.2f}), exits {rows['exits'].sum():,.2f} "
        f"(deactivations {rows['deactivations'].sum():,.2f}), moves in {rows['moves_in'].sum():,.2f} "
        f"/ out {rows['moves_out'].sum():,.2f}"))


def _history(lake) -> pl.DataFrame:
    try:
        pointer = lake.read_model(layout.marts_latest(), LatestPointer)
    except LakeKeyNotFound:
        fail(f"no marts published in {lake.uri()} (run a transform first)", ExitCode.NOT_FOUND)
    key = pointer.marts.get(MART)
    if key is None:
        fail(f"run {pointer.run_id} published no {MART} (a transform older than the history)",
             ExitCode.NOT_FOUND)
    return pl.read_parquet(io.BytesIO(lake.read_bytes(key)))


def _date(value: str | None, option: str) -> date | None:
    try:
        return None if value is None else date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def register(app: typer.Typer) -> None:
    app.command("trends")(trends)
