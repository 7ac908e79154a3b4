"""``careatlas nppes generate``: synthetic NPPES files in the CMS format for tests, benchmarks
and the demo. Lines end in LF unless ``--newline crlf``; the same seed and options give the
same bytes (the release date defaults to a fixed day for that reason)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from careatlas.cli import bootstrap
from careatlas.cli.errors import exit_codes, requires_extra
from careatlas.cli.options import JsonOption
from careatlas.cli.output import ExitCode, emit, fail, styled

app = typer.Typer(help="Synthetic NPPES files in the CMS dissemination format.", no_args_is_help=True)


class Kind(StrEnum):
    full = "full"
    weekly = "weekly"


class Newline(StrEnum):
    lf = "lf"
    crlf = "crlf"


def _release(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        fail(f"--release {text!r}: expected YYYY-MM-DD", ExitCode.USAGE)


def _reference(path: Path | None, default: Path | None) -> Path | None:
    path = path or default
    if path is not None and not path.is_dir():
        fail(f"reference folder not found: {path}", ExitCode.NOT_FOUND)
    return path


def _render(summary: dict, report: str | None):
    def render(console: Console) -> None:
        mb = summary["bytes"] / 1e6
        console.print(styled("wrote"), f"{summary['path']} ({summary['kind']}, release {summary['release']})")
        console.print(f"  rows {summary['rows']:,}  bytes {summary['bytes']:,} ({mb:,.1f} MB)  "
                      f"deactivated {summary['deactivated']:,}")
        extra = {k: v for k, v in summary.items() if k in ("updated", "added", "zip_bytes")}
        if extra:
            console.print("  " + "  ".join(f"{k} {v:,}" for k, v in extra.items()))
        console.print(f"  {summary['seconds']:.1f} s ({summary['mb_per_s'] or 0:,.1f} MB/s)")
        if report:
            console.print(f"  deactivation report {report}")

    return render


@app.command()
def generate(
    rows: Annotated[int | None, typer.Option(help="Rows of the main file (full) or of the delta (weekly).")] = None,
    size: Annotated[str | None, typer.Option(help="Approximate size of the main CSV: 10GB, 512MiB...")] = None,
    seed: Annotated[int, typer.Option(help="Same seed and options give identical bytes.")] = 0,
    out: Annotated[Path | None, typer.Option(help="CSV path, or a folder for CMS names (--zip: a folder).")] = None,
    kind: Annotated[Kind, typer.Option(help="full: monthly replacement; weekly: delta of --base.")] = Kind.full,
    base: Annotated[Path | None, typer.Option(help="Full file made by this generator (--kind weekly).")] = None,
    as_zip: Annotated[bool, typer.Option("--zip", help="Write the CMS dissemination zip with companions.")] = False,
    release: Annotated[str | None, typer.Option(help="YYYY-MM-DD: file names and newest Last Update Date.")] = None,
    reference: Annotated[Path | None, typer.Option(help="Reference folder (default CAREATLAS_REFERENCE_DIR).")] = None,
    newline: Annotated[Newline, typer.Option(help="Line ending of every CSV.")] = Newline.lf,
    deactivation_report: Annotated[bool, typer.Option(help="Also write the deactivation report xlsx.")] = False,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes (default: cores, max 4).")] = None,
    supply: Annotated[str | None, typer.Option(
        help="Draw each county's providers from real county figures (docs/synthetic-nppes.md): 'all' or "
             "USPS codes such as NE,ND; without --rows, at national density.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Write a synthetic NPPES main file (or zip), byte-for-byte in the CMS format."""
    settings = bootstrap.configure()  # logs go to stderr: stdout stays JSON-clean
    with requires_extra("synth", "careatlas nppes generate"):  # the generator is not in the production CLI
        from careatlas.synth import command

    options = command.Options(
        rows=rows, size=size, seed=seed, out=out, weekly=kind is Kind.weekly, base=base, as_zip=as_zip,
        release=_release(release), reference=_reference(reference, settings.reference_dir), newline=newline.value,
        deactivation_report=deactivation_report, workers=workers, supply=supply,
    )
    # a bad option is a usage error (OptionError); bad input files fail, naming the file
    with exit_codes({FileNotFoundError: ExitCode.NOT_FOUND, ValueError: ExitCode.FAILED}):
        summary, report = command.run(options)
    data = summary.to_dict() | ({"deactivation_report": str(report)} if report else {})
    emit(data, as_json=as_json, render=_render(data, str(report) if report else None))
