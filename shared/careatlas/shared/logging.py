"""structlog set-up: JSON off a TTY, readable on a TTY; run/task/chunk ids bound per task.

Celery is kept out of logging set-up (``setup_logging`` is connected), and every task starts
with clean context variables so ids never leak from one task into the next.
"""

from __future__ import annotations

import logging
import sys

import structlog

_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    """Values registered here are replaced by *** wherever they appear in a log line."""
    if value and len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, "***")
    return text


def _redact_secrets(_logger: object, _name: str, event: dict) -> dict:
    if _SECRETS:
        for field, value in event.items():
            if isinstance(value, str):
                event[field] = redact(value)
    return event


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.dict_tracebacks if use_json else structlog.processors.format_exc_info,
            _redact_secrets,  # last before rendering, so tracebacks are redacted too
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    # libraries that use stdlib logging (celery, botocore, dbt) go to stderr at WARNING+
    root = logging.getLogger()
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _stderr_logger(*_args: object) -> structlog.PrintLogger:
    # looked up at each call: whoever swapped sys.stderr (a test runner, a CLI harness) is honoured
    return structlog.PrintLogger(file=sys.stderr)


class _StderrHandler(logging.StreamHandler):
    """A stdlib handler that writes to the current ``sys.stderr``, not the one at set-up time."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def bind(**ids: object) -> None:
    """Bind ids (run_id, chunk, release, ...) to every later log line of this task/thread."""
    structlog.contextvars.bind_contextvars(**{k: v for k, v in ids.items() if v is not None})


def get_logger(name: str):
    return structlog.get_logger(name)
