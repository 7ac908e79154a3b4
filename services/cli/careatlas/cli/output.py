"""What every command prints: --json output, one-line error messages, and the exit codes
(``ExitCode``; which error means which: errors.py).

Both consoles print text as it is (``markup=False``): messages and tables carry file names, header
cells and values from third-party files, and a ``[/x]`` in one must print, not raise MarkupError
or restyle the terminal. Style with ``rich.text.Text`` (``styled``), never with markup.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

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


def styled(text: object, style: str = "bold") -> Text:
    """A value printed in a style, whatever brackets it holds."""
    return Text(str(text), style=style)
