"""Run the ``careatlas`` CLI in-process and read what a person would see."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from careatlas.cli.main import app
from careatlas.shared.settings import get_settings


def run_cli(*args: str) -> Result:
    """One command; ``result.flat_stderr`` is stderr without whitespace (Rich wraps long lines,
    even inside words). A command must end by exiting, never by an exception."""
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args))
    get_settings.cache_clear()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output, result.output
    result.flat_stderr = "".join(result.stderr.split())
    return result
