"""The ``careatlas nppes generate`` options turned into calls of the generators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from careatlas.synth.csv_format import NEWLINES
from careatlas.synth.deactivations import write_deactivation_report
from careatlas.synth.nppes import DEFAULT_RELEASE, GenerateSummary, OptionError, generate_file, parse_size
from careatlas.synth.supply import SupplySpec
from careatlas.synth.weekly import generate_weekly
from careatlas.synth.zip_layout import write_monthly_zip, write_weekly_zip


@dataclass(frozen=True)
class Options:
    rows: int | None
    size: str | None
    seed: int
    out: Path | None
    weekly: bool
    base: Path | None
    as_zip: bool
    release: date | None
    reference: Path | None
    newline: str  # "lf" or "crlf"
    deactivation_report: bool
    workers: int | None
    supply: str | None = None  # "all" or USPS codes "NE,ND": county supply from real figures


def _weekly(options: Options, newline: str) -> GenerateSummary:
    if options.base is None:
        raise OptionError("--kind weekly needs --base FILE (a full file made by this generator)")
    if options.size is not None:
        raise OptionError("--size applies to full files; size a weekly delta with --rows")
    if not options.base.is_file():
        raise FileNotFoundError(f"base file not found: {options.base}")
    write = write_weekly_zip if options.as_zip else generate_weekly
    return write(options.base, options.out or Path("."), rows=options.rows, seed=options.seed,
                 release=options.release, reference_dir=options.reference, newline=newline)


def _full(options: Options, newline: str) -> GenerateSummary:
    if options.base is not None:
        raise OptionError("--base applies to --kind weekly only")
    size_bytes = parse_size(options.size) if options.size is not None else None
    release = options.release or DEFAULT_RELEASE
    write = write_monthly_zip if options.as_zip else generate_file
    return write(options.out or Path("."), rows=options.rows, size_bytes=size_bytes, seed=options.seed,
                 reference_dir=options.reference, newline=newline,
                 release=release, workers=options.workers, supply=supply_spec(options.supply, release))


def supply_spec(text: str | None, release: date) -> SupplySpec | None:
    """``--supply all`` (the nation) or ``--supply NE,ND`` (those states) -> the spec; None: off."""
    if text is None:
        return None
    states = tuple(sorted({s.strip().upper() for s in text.split(",") if s.strip()}))
    if not states:
        raise OptionError("--supply: 'all' or USPS state codes such as NE,ND")
    return SupplySpec(None if states == ("ALL",) else states, release.year)


def run(options: Options) -> tuple[GenerateSummary, Path | None]:
    """Generate what ``options`` ask for; returns the summary and the report path, if any."""
    newline = NEWLINES[options.newline]
    summary = _weekly(options, newline) if options.weekly else _full(options, newline)
    report = None
    if options.deactivation_report:
        report = write_deactivation_report(summary.path.parent, summary.deactivations, summary.release,
                                           zipped=options.as_zip)
    return summary, report
