"""``careatlas ingest``: one NPPES ingest on the embedded default (in-process workers)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from careatlas.cli.bootstrap import configure
from careatlas.cli.output import ExitCode, emit, fail


def ingest(
    source: Annotated[str, typer.Argument(help="NPPES npidata CSV, .csv.gz or CMS zip: a path or s3:// URI.")],
    lake: Annotated[str | None, typer.Option(help="Lake: a folder or s3://bucket/prefix.")] = None,
    release: Annotated[str | None, typer.Option(help="Release date YYYY-MM-DD (default: from the file name).")] = None,
    kind: Annotated[str | None, typer.Option(help="full or weekly (default: from the file name).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0 = all cores).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest summary as JSON.")] = False,
) -> None:
    """Land, split, parse and publish one NPPES file as partitioned Parquet."""
    settings = configure(lake=lake)
    from careatlas.ingest.pipeline import ingest_file  # in-process workers: import lazily
    from careatlas.shared.storage import LakeUnavailable, open_lake

    if kind not in (None, "full", "weekly"):
        fail(f"--kind must be full or weekly, got {kind!r}", ExitCode.USAGE)
    try:
        manifest = ingest_file(source, lake=open_lake(settings=settings), release=release, kind=kind,
                               workers=workers, settings=settings)
    except LakeUnavailable as error:
        fail(str(error), ExitCode.UNAVAILABLE)
    except (ValueError, RuntimeError) as error:  # bad input: the message names the file and row
        fail(str(error), ExitCode.FAILED)
    summary = {
        "release": manifest.plan.release, "dataset": manifest.plan.dataset, "version": manifest.plan.version,
        "source": manifest.plan.source_file, "sha256": manifest.plan.raw_sha256,
        "chunks": len(manifest.chunks), "rows_read": manifest.rows_read, "rows_written": manifest.rows_written,
        "rows_quarantined": manifest.rows_quarantined, "encoding_repaired": manifest.encoding_repaired,
        "files": len(manifest.files), "quarantine": manifest.quarantine_key, "seconds": manifest.seconds,
        "peak_rss_mib": round(max(c.peak_rss_bytes for c in manifest.chunks) / 2**20, 1),
        "lake": settings.lake,
    }
    emit(summary, as_json=as_json, render=lambda console: console.print(_table(summary)))


def _table(summary: dict) -> Table:
    table = Table(title=f"NPPES {summary['dataset']} release {summary['release']}", show_header=False)
    for name in ("source", "chunks", "rows_read", "rows_written", "rows_quarantined", "encoding_repaired",
                 "files", "peak_rss_mib", "quarantine", "lake"):
        table.add_row(name.replace("_", " "), str(summary[name]))
    table.add_row("seconds", ", ".join(f"{k} {v}" for k, v in summary["seconds"].items()))
    return table


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)



