"""``careatlas report [RUN_ID|latest] --out report.html``: the analyst's report of a run.

Reads the run's marts from the lake and writes one self-contained HTML file, with dbt docs
(lineage) in a folder beside it. Runs in-process; needs the ``report`` extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from careatlas.cli.bootstrap import configure
from careatlas.cli.errors import exit_codes, requires_extra
from careatlas.cli.options import JsonOption, LakeOption
from careatlas.cli.output import ExitCode, emit, styled


def report(
    run_id: Annotated[str, typer.Argument(help="Run id, or 'latest' (what marts/latest.json points to).")] = "latest",
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
    lake: LakeOption = None,
    top: Annotated[int, typer.Option(min=1, help="Underserved counties listed.")] = 25,
    dbt_docs: Annotated[bool, typer.Option("--dbt-docs/--no-dbt-docs", help="Publish dbt docs beside it.")] = True,
    shapes_cache: Annotated[Path | None, typer.Option(help="Folder for converted county shapes.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Write an HTML report (maps, rankings, provenance) of a run's marts; it opens offline."""
    settings = configure(lake=lake)
    with requires_extra("report", "careatlas report"):
        from careatlas.report.lineage import docs_dir_for
        from careatlas.report.report import write_report
    with exit_codes({ValueError: ExitCode.FAILED}):
        path = write_report(None, run_id, out, settings=settings, dbt_docs=dbt_docs, shapes_cache=shapes_cache,
                            top_counties=top)
    docs = docs_dir_for(path) / "index.html"
    data = {"report": str(path), "bytes": path.stat().st_size, "dbt_docs": str(docs) if docs.is_file() else None}
    emit(data, as_json=as_json, render=lambda c: c.print(
        "report written:", styled(path), f"({data['bytes']:,} bytes)"
        + (f"\nlineage: {docs}" if data["dbt_docs"] else "\nlineage: dbt docs not generated (see the log)")))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
