"""What every error a command expects means: one table of exit codes, one way to apply it.

Exit codes (documented in the README):
  0 success · 1 the work failed (a run, a test, bad input) · 2 usage error
  3 not found (run, release, file) · 4 a service is unreachable (Redis, S3, Census API)

``with exit_codes():`` turns an error of the table into one line on stderr and its exit code. The
classes are named by import path, not imported, so the CLI starts without the workers', the
report's or the generator's code. An error takes the code of the first class of its MRO that the
table or the command's ``also`` names, so a subclass may mean something other than its base. The
table holds what means the same to every command; ``also`` what one command says of an error (a
ValueError is bad input to one, a usage error to another). ``requires_extra`` does the same for
an optional part of the install that is missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import typer

from careatlas.cli.output import ExitCode, fail

EXIT_CODES: dict[str, ExitCode] = {
    # the lake (careatlas.shared.storage); LakeKeyNotFound is a LakeError unless a command says otherwise
    "careatlas.shared.storage.LakeUnavailable": ExitCode.UNAVAILABLE,
    "careatlas.shared.storage.LakeError": ExitCode.FAILED,
    # runs (careatlas.runs.lifecycle)
    "careatlas.runs.lifecycle.RunNotFound": ExitCode.NOT_FOUND,
    "careatlas.runs.lifecycle.ReleaseBusy": ExitCode.FAILED,
    "careatlas.runs.lifecycle.RunRefused": ExitCode.USAGE,
    # the census worker's client and cache
    "careatlas.census.errors.CensusUnavailable": ExitCode.UNAVAILABLE,
    "careatlas.census.errors.CensusNoData": ExitCode.NOT_FOUND,
    "careatlas.census.errors.CensusRequestError": ExitCode.USAGE,
    "careatlas.census.errors.CensusError": ExitCode.FAILED,
    # reference loaders (ingest)
    "careatlas.ingest.reference.common.SourceUnavailable": ExitCode.UNAVAILABLE,
    "careatlas.ingest.reference.common.ReferenceError": ExitCode.FAILED,
    # the transform (a MissingInput is "not found" to `careatlas transform`, a failure to the demo)
    "careatlas.transform.build.BuildFailed": ExitCode.FAILED,
    # the report, trends and validation
    "careatlas.report.data.RunNotFound": ExitCode.NOT_FOUND,
    "careatlas.report.data.ReportError": ExitCode.FAILED,
    "careatlas.report.shapes.ShapesUnavailable": ExitCode.FAILED,
    "careatlas.validate.run.ReferenceMissing": ExitCode.NOT_FOUND,
    # the generator
    "careatlas.synth.nppes.OptionError": ExitCode.USAGE,
}

Also = Mapping[type[BaseException], ExitCode]


def _lake_reads() -> Also:
    from careatlas.shared.storage import LakeKeyNotFound

    return {LakeKeyNotFound: ExitCode.NOT_FOUND, FileNotFoundError: ExitCode.NOT_FOUND, ValueError: ExitCode.USAGE}


def exit_code(error: BaseException, also: Also | None = None) -> ExitCode | None:
    """The exit code ``error`` means, or None when neither the table nor ``also`` names it."""
    for kind in type(error).__mro__:
        if also and kind in also:
            return also[kind]
        if (code := EXIT_CODES.get(f"{kind.__module__}.{kind.__qualname__}")) is not None:
            return code
    return None


@contextmanager
def exit_codes(also: Also | None = None, *, lake_reads: bool = False) -> Iterator[None]:
    """Expected errors -> a one-line message and their exit code; anything else propagates.

    ``lake_reads``: the in-process data commands (census, reference, transform) also say a missing
    key or file is not found (3) and another bad value a usage error (2)."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except Exception as error:
        code = exit_code(error, {**(_lake_reads() if lake_reads else {}), **(also or {})})
        if code is None:
            raise
        fail(str(error), code)


@contextmanager
def requires_extra(extra: str, what: str) -> Iterator[None]:
    """Around the lazy imports of an optional part of the install (the generator, the report, the
    in-process workers): when one is missing, a usage error naming the extra, not a traceback."""
    try:
        yield
    except ModuleNotFoundError as error:
        fail(f"{what} needs the {extra} extra, which this install leaves out: install careatlas-cli[{extra}] "
             f"(uv sync --extra {extra}); {error}", ExitCode.USAGE)
