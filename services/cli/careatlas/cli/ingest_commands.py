"""``careatlas ingest``: one NPPES ingest on the embedded default (in-process workers).

``--kind full`` publishes a monthly full file (the baseline every build starts from), ``--kind
weekly`` a weekly delta (applied on top, in release order). Without ``--kind`` the CMS file
name decides; a ``--kind`` the name contradicts is refused: a weekly published as the full
release would become the national baseline and the marts would shrink to one week's NPIs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table

from careatlas.cli.bootstrap import configure
from careatlas.cli.errors import exit_codes, requires_extra
from careatlas.cli.options import JsonOption, LakeOption
from careatlas.cli.output import ExitCode, emit, fail
from careatlas.nppes import landing
from careatlas.runs import model
from careatlas.shared import catalog, layout
from careatlas.shared.documents import Manifest
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake, open_lake

KINDS = ("full", "weekly")
# CMS's monthly zip names no dates, only the month; its npidata member is named like a full file
_MONTHLY_ZIP = re.compile(r"NPPES_Data_Dissemination_[A-Za-z]+_\d{4}(_V2)?\.zip$", re.IGNORECASE)


def ingest(
    source: Annotated[str, typer.Argument(help="NPPES npidata CSV, .csv.gz or CMS zip: a path or s3:// URI.")],
    lake: LakeOption = None,
    release: Annotated[str | None, typer.Option(help="Release date YYYY-MM-DD (default: from the file name).")] = None,
    kind: Annotated[str | None, typer.Option(
        help="full (monthly file: the baseline) or weekly (a delta); default: from the CMS file name, "
             "else full. A kind the name contradicts is refused.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0 = all cores).")] = 0,
    force: Annotated[bool, typer.Option(help="Accept a full release much smaller than the last one.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Land, split, parse and publish one NPPES file as partitioned Parquet."""
    settings = configure(lake=lake)
    with requires_extra("embedded", "careatlas ingest"):  # in-process workers: import lazily
        from careatlas.ingest.pipeline import ingest_file

    if kind not in (None, *KINDS):
        fail(f"--kind must be full or weekly, got {kind!r}", ExitCode.USAGE)
    with exit_codes({ValueError: ExitCode.FAILED}):  # unreadable zip, missing file: the message names it
        named = kind_from_name(source, settings) if kind else None
    if named and named != kind:
        fail(kind_conflict(source, named, kind), ExitCode.USAGE)
    if not force and not source.startswith(("http://", "https://")):  # a path or an s3 object: its size is known
        with exit_codes({ValueError: ExitCode.FAILED}):
            why = _implausible_source(source, release, kind, settings)
        if why:
            fail(why, ExitCode.FAILED)
    # bad input: the message names the file and row
    with exit_codes({ValueError: ExitCode.FAILED, RuntimeError: ExitCode.FAILED}):
        manifest = ingest_file(source, lake=open_lake(settings=settings), release=release, kind=kind,
                               workers=workers, settings=settings)
    summary = {
        "release": manifest.plan.release, "kind": manifest.plan.kind, "dataset": manifest.plan.dataset,
        "version": manifest.plan.version,
        "source": manifest.plan.source_file, "sha256": manifest.plan.raw_sha256,
        "chunks": len(manifest.chunks), "rows_read": manifest.rows_read, "rows_written": manifest.rows_written,
        "rows_quarantined": manifest.rows_quarantined, "encoding_repaired": manifest.encoding_repaired,
        "files": len(manifest.files), "quarantine": manifest.quarantine_key, "seconds": manifest.seconds,
        "peak_rss_mib": round(max(c.peak_rss_bytes for c in manifest.chunks) / 2**20, 1),
        "lake": settings.lake,
        "companions": manifest.companions,  # pl, othername, endpoint of a monthly zip (docs/access.md)
    }
    emit(summary, as_json=as_json, render=lambda console: console.print(_table(summary)))


def kind_from_name(source: str, settings: Settings | None = None) -> str | None:
    """``full`` or ``weekly`` when the CMS name of the file (or of a local/S3 zip's npidata
    member) says so; None for other names. URLs are judged by name alone (nothing downloaded)."""
    name = Path(urlsplit(source).path if "://" in source else source).name
    named, _release = landing.identify(name.removesuffix(".gz").removesuffix(".GZ"))
    if named:
        return named
    if _MONTHLY_ZIP.search(name):
        return "full"
    if name.lower().endswith(".zip") and not source.startswith(("http://", "https://")):
        return landing.identify(landing.peek_name(landing.source_file(source, settings)))[0]
    return None


def implausible_full(lake: Lake, name: str, size: int, release: str, settings: Settings) -> str | None:
    """Why a full release of ``size`` bytes is implausible, or None. A full release is the baseline
    every build starts from: one far smaller than the last full release before it (a renamed weekly,
    a truncated extract) would shrink every mart. Compared by raw size, file type for file type (a
    zip is ~9x smaller than its CSV), with the full releases published in the lake (by ``run``,
    ``ingest`` or ``demo``) and those runs recorded."""
    suffix = name.rsplit(".", 1)[-1].lower()
    previous = [(m.release, m.raw_bytes) for m in model.list_manifests(lake) if m.kind == "full"
                and m.status == "succeeded" and m.release < release and m.raw_key.rsplit(".", 1)[-1].lower() == suffix]
    for pointer in catalog.list_published(lake, "npidata"):
        ingested = lake.read_model_or_none(layout.nppes_manifest("npidata", pointer.release), Manifest)
        if (pointer.release < release and ingested is not None
                and ingested.plan.raw_key.rsplit(".", 1)[-1].lower() == suffix):
            previous.append((pointer.release, ingested.plan.raw_bytes))
    if not previous:
        return None
    last_release, last_bytes = max(previous)
    if size >= settings.full_release_min_fraction * last_bytes:
        return None
    return (f"{name} is {size:,} bytes, under {settings.full_release_min_fraction:.0%} of the last full release "
            f"{last_release} ({last_bytes:,} bytes): implausible for a full NPPES file (a weekly delta or a "
            "truncated file?). Check it, or pass --force.")


def _implausible_source(source: str, release: str | None, kind: str | None, settings: Settings) -> str | None:
    """``implausible_full`` for a file about to be ingested as a full release (nothing read but its
    name, a zip's member list and its size)."""
    file = landing.source_file(source, settings)
    resolved, chosen = landing.resolve_release(landing.peek_name(file), release, kind)
    if resolved != "full":
        return None
    with file.open() as handle:
        size = handle.seek(0, 2)
    return implausible_full(open_lake(settings=settings), file.uri, size, chosen, settings)


def kind_conflict(source: str, named: str, kind: str) -> str:
    if named == "weekly":
        return (f"{source} is a weekly delta by its CMS name, not a full release: as --kind full it would "
                "replace the baseline and the marts would hold only that week's NPIs. Ingest the monthly "
                "full file (npidata_pfile_20050523-YYYYMMDD.csv) as the base, then this one with --kind weekly "
                "(or without --kind).")
    return (f"{source} is a monthly full file by its CMS name (it covers every NPI since 2005-05-23), not a "
            f"weekly delta: pass --kind full or no --kind, not --kind {kind}.")


def _table(summary: dict) -> Table:
    table = Table(title=f"NPPES {summary['dataset']} release {summary['release']}", show_header=False)
    for name in ("source", "kind", "chunks", "rows_read", "rows_written", "rows_quarantined", "encoding_repaired",
                 "files", "peak_rss_mib", "quarantine", "lake"):
        table.add_row(name.replace("_", " "), str(summary[name]))
    table.add_row("seconds", ", ".join(f"{k} {v}" for k, v in summary["seconds"].items()))
    for dataset, counts in summary["companions"].items():
        table.add_row(f"companion {dataset}", f"rows read {counts['rows_read']:,}, written {counts['rows_written']:,}, "
                                              f"quarantined {counts['rows_quarantined']:,}")
    return table


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)



