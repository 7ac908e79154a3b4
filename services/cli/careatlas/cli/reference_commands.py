"""``careatlas reference``: land the NUCC taxonomy, HUD crosswalk, NPPES deactivation report and the
Census products of the offline demographics (PEP totals, PEP age/sex, SAIPE).

Worker code is imported inside the commands, so the CLI starts without the ingest package.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from careatlas.cli.errors import exit_codes, requires_extra
from careatlas.cli.options import JsonOption, LakeOption
from careatlas.cli.output import emit

reference_app = typer.Typer(
    help="Reference data: NUCC taxonomy, HUD ZIP->county, deactivations, Census PEP and SAIPE.", no_args_is_help=True
)


class Kind(StrEnum):
    nucc = "nucc"
    hud = "hud"
    deactivations = "deactivations"
    pep_population = "pep_population"
    pep_agesex = "pep_agesex"
    saipe = "saipe"


@reference_app.command("load")
def load(
    kind: Annotated[Kind, typer.Argument(help="Which source the file is.")],
    source: Annotated[
        str | None, typer.Argument(help="Path, s3:// URI or URL; the official source when omitted.")
    ] = None,
    lake: LakeOption = None,
    version: Annotated[str | None, typer.Option("--version", help="NUCC version, e.g. 25.1.")] = None,
    vintage: Annotated[
        str | None, typer.Option("--vintage", help="HUD vintage (2023Q1) or Census vintage (2024).")
    ] = None,
    report_date: Annotated[
        str | None, typer.Option("--report-date", help="Deactivation report date, YYYY-MM-DD.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check one reference file and land it in the lake as Parquet with its provenance."""
    from careatlas.cli.bootstrap import configure
    with requires_extra("embedded", "careatlas reference load"):  # the ingest worker's loaders, in-process
        from careatlas.ingest.reference.load import load_reference
    from careatlas.shared.storage import open_lake

    settings = configure(lake)
    with exit_codes(lake_reads=True):
        result = load_reference(
            open_lake(settings=settings), kind.value, source, label=version or vintage or report_date, settings=settings
        )
    data = result.as_dict()
    emit(data, as_json=as_json, render=lambda console: _render(console, data))


def _render(console: Console, data: dict) -> None:
    console.print(f"{data['kind']} {data['label']}: {data['rows']:,} rows -> {data['key']}")
    console.print(f"  from {data['source']} (sha256 {data['sha256'][:12]}...)")
