"""Secrets never reach a log line, a traceback or a stored task error (issue 14 item 12, review M4)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from careatlas.shared import logging as log_setup

SECRET = "AKIA-SUPER-SECRET-VALUE"


class _Stderr:
    def __init__(self, capsys: pytest.CaptureFixture) -> None:
        self.capsys = capsys

    def getvalue(self) -> str:
        return self.capsys.readouterr().err


@pytest.fixture
def stderr(capsys: pytest.CaptureFixture) -> Iterator[_Stderr]:
    """What the process writes to stderr (both loggers look ``sys.stderr`` up at each line)."""
    saved = set(log_setup._SECRETS)
    log_setup.register_secret(SECRET)
    log_setup.configure_logging("INFO", "json")
    yield _Stderr(capsys)
    log_setup._SECRETS.clear()
    log_setup._SECRETS.update(saved)
    structlog.reset_defaults()


@pytest.mark.parametrize(
    "value",
    [{"options": {"aws_secret_access_key": SECRET}}, [f"k={SECRET}"], ("x", {"y": [SECRET]}), f"pre{SECRET}post",
     RuntimeError(f"denied for {SECRET}")],
    ids=["nested-dict", "list", "tuple", "string", "exception"],
)
def test_structlog_values_are_redacted_at_any_depth(stderr: _Stderr, value: object) -> None:
    structlog.get_logger("t").warning("a value", value=value)
    output = stderr.getvalue()
    assert SECRET not in output and "***" in output


def _fails_holding_the_secret(secret_key: str) -> None:
    credentials = {"aws_secret_access_key": secret_key}  # a frame local, as in boto3's client set-up
    raise PermissionError(f"refused ({len(credentials)} credential)")


def test_tracebacks_carry_no_frame_locals(stderr: _Stderr) -> None:
    try:
        _fails_holding_the_secret(SECRET)
    except PermissionError:
        structlog.get_logger("t").exception("step failed")
    output = stderr.getvalue()
    line = json.loads(output.strip().splitlines()[-1])
    assert SECRET not in output
    frames = [frame for exc in line["exception"] for frame in exc["frames"]]
    assert frames and not any("locals" in frame for frame in frames)


def test_stdlib_loggers_are_redacted(stderr: _Stderr) -> None:
    library = logging.getLogger("botocore.test")
    library.warning("signing with %s", SECRET)
    try:
        raise ValueError(f"bad key {SECRET}")
    except ValueError:
        library.exception("request failed")
    output = stderr.getvalue()
    assert SECRET not in output and output.count("***") == 2 and "ValueError" in output


def test_every_secret_of_the_settings_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    from careatlas.shared.settings import Settings

    monkeypatch.setattr(log_setup, "_SECRETS", set())
    settings = Settings(s3_secret_access_key="s3-secret-key", census_api_key="census/key+1",
                        broker_url="redis://:redis-pass@redis:6379/0")
    log_setup.register_settings(settings)
    text = "s3-secret-key census/key+1 census%2Fkey%2B1 redis://:redis-pass@redis:6379/0"
    assert log_setup.redact(text) == "*** *** *** redis://:***@redis:6379/0"
