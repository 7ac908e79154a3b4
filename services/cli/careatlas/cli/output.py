"""What every command shares: exit codes, --json output, and clean error messages.

Exit codes (documented in the README):
  0 success · 1 the work failed (a run, a test, bad input) · 2 usage error
  3 not found (run, release, file) · 4 a service is unreachable (Redis, S3, Census API)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import Any, NoReturn

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


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
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(int(code))
