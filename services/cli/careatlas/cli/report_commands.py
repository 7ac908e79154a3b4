"""``careatlas report [RUN_ID|latest] --out report.html``: the analyst's report of a run.

Reads the run's marts from the lake and writes one self-contained HTML file, with dbt docs
(lineage) in a folder beside it. Runs in-process; needs the ``report`` extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from careatlas.cli.bootstrap import configure
from careatlas.cli.output import ExitCode, emit, fail, requires_extra, styled
from careatlas.shared.storage import LakeError, LakeUnavailable


def report(
    run_id: Annotated[str, typer.Argument(help="Run id, or 'latest' (what marts/latest.json points to).")] = "latest",
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
    lake: Annotated[str | None, typer.Option("--lake", help="Lake: a folder or s3://bucket/prefix.")] = None,
    top: Annotated[int, typer.Option(min=1, help="Underserved counties listed.")] = 25,
    dbt_docs: Annotated[bool, typer.Option("--dbt-docs/--no-dbt-docs", help="Publish dbt docs beside it.")] = True,
    shapes_cache: Annotated[Path | None, typer.Option(help="Folder for converted county shapes.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Write an HTML report (maps, rankings, provenance) of a run's marts; it opens offline."""
    settings = configure(lake=lake)
    with requires_extra("report", "careatlas report"):
        from careatlas.report.data import ReportError, RunNotFound
        from careatlas.report.lineage import docs_dir_for
        from careatlas.report.report import write_report
        from careatlas.report.shapes import ShapesUnavailable
    try:
        path = write_report(None, run_id, out, settings=settings, dbt_docs=dbt_docs, shapes_cache=shapes_cache,
                            top_counties=top)
    except RunNotFound as error:
        fail(str(error), ExitCode.NOT_FOUND)
    except LakeUnavailable as error:
        fail(str(error), ExitCode.UNAVAILABLE)
    except (ReportError, ShapesUnavailable, LakeError, ValueError) as error:
        fail(str(error), ExitCode.FAILED)
    docs = docs_dir_for(path) / "index.html"
    data = {"report": str(path), "bytes": path.stat().st_size, "dbt_docs": str(docs) if docs.is_file() else None}
    emit(data, as_json=as_json, render=lambda c: c.print(
        "report written:", styled(path), f"({data['bytes']:,} bytes)"
        + (f"\nlineage: {docs}" if data["dbt_docs"] else "\nlineage: dbt docs not generated (see the log)")))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
