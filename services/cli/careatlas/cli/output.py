"""What every command shares: exit codes, --json output, and clean error messages.

Exit codes (documented in the README):
  0 success · 1 the work failed (a run, a test, bad input) · 2 usage error
  3 not found (run, release, file) · 4 a service is unreachable (Redis, S3, Census API)

Both consoles print text as it is (``markup=False``): messages and tables carry file names, header
cells and values from third-party files, and a ``[/x]`` in one must print, not raise MarkupError
or restyle the terminal. Style with ``rich.text.Text`` (``styled``), never with markup.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from careatlas.shared import layout

console = Console(markup=False)
err_console = Console(stderr=True, markup=False)


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    NOT_FOUND = 3
    UNAVAILABLE = 4


def emit(data: Any, *, as_json: bool, render: Callable[[Console], None] | None = None) -> None:
    """Print ``data`` as JSON (machine) or through ``render`` (person)."""
    if as_json or render is None:
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    else:
        render(console)


def fail(message: str, code: ExitCode = ExitCode.FAILED) -> NoReturn:
    # soft_wrap: an error is one line whatever the terminal's width (paths stay whole to copy)
    err_console.print(Text.assemble(("error:", "bold red"), " ", str(message)), highlight=False, soft_wrap=True)
    raise typer.Exit(int(code))


@contextmanager
def requires_extra(extra: str, what: str) -> Iterator[None]:
    """Around the lazy imports of an optional part of the install (the generator, the report, the
    in-process workers): when one is missing, a usage error naming the extra, not a traceback."""
    try:
        yield
    except ModuleNotFoundError as error:
        fail(f"{what} needs the {extra} extra, which this install leaves out: install careatlas-cli[{extra}] "
             f"(uv sync --extra {extra}); {error}", ExitCode.USAGE)


def styled(text: object, style: str = "bold") -> Text:
    """A value printed in a style, whatever brackets it holds."""
    return Text(str(text), style=style)


def _run_id(value: str) -> str:
    try:
        return layout.check_run_id(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


RunIdArgument = Annotated[str, typer.Argument(help="A run id (see `careatlas runs`).", callback=_run_id)]
