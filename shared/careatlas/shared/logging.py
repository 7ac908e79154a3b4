"""structlog set-up: JSON off a TTY, readable on a TTY; run/task/chunk ids bound per task.

Celery is kept out of logging set-up (``setup_logging`` is connected), and every task starts
with clean context variables so ids never leak from one task into the next.

Secrets registered here (every process registers its own at start-up: ``register_settings``)
are replaced by *** in every line: structlog events through nested values and exception dicts
(rendered without frame locals), and stdlib records from libraries (Celery, botocore, dbt)
through a ``logging.Filter`` on the root handler.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from typing import TYPE_CHECKING, Any, TextIO, cast
from urllib.parse import quote, urlsplit

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, FilteringBoundLogger, WrappedLogger

if TYPE_CHECKING:
    from careatlas.shared.settings import Settings

_DICT_TRACEBACKS = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))

_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    """Values registered here are replaced by *** wherever they appear in a log line."""
    if value and len(value) >= 4:
        _SECRETS.add(value)
        quoted = quote(value, safe="")
        if quoted != value:  # the form a secret takes inside a URL
            _SECRETS.add(quoted)


def register_settings(settings: Settings) -> None:
    """Register every secret a process may hold: the S3 secret key, the Census key, and the
    passwords inside the Redis URLs."""
    for secret in (settings.s3_secret_access_key, settings.census_api_key):
        register_secret(secret.get_secret_value() if secret else None)
    for url in (settings.broker_url, settings.result_backend, settings.redis_url):
        with contextlib.suppress(ValueError):
            register_secret(urlsplit(url).password)


def redact(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):  # longest first: a secret may contain another
        text = text.replace(secret, "***")
    return text


def redact_value(value: Any) -> Any:
    """``redact`` through strings, dicts, lists and tuples (exception dicts are such values)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_value(k): redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v) for v in value)
    if isinstance(value, BaseException):  # rendered by the JSON renderer as its text
        return redact(f"{type(value).__name__}: {value}")
    return value


def _redact_secrets(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    if _SECRETS:
        return {field: redact_value(value) for field, value in event.items()}
    return event


class RedactingFilter(logging.Filter):
    """Redacts stdlib records in place: the formatted message and any exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            record.msg, record.args = redact(record.getMessage()), None
            if record.exc_info:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
            if record.stack_info:
                record.stack_info = redact(record.stack_info)
        return True


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
            # frame locals would carry credentials (a boto3 client's keys, a Settings object)
            _DICT_TRACEBACKS if use_json else structlog.processors.format_exc_info,
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
        ours = _StderrHandler()
        ours.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        root.addHandler(ours)
    for handler in root.handlers:  # every root handler, ours or one a library added
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    root.setLevel(logging.WARNING)


def _stderr_logger(*_args: object) -> structlog.PrintLogger:
    # looked up at each call: whoever swapped sys.stderr (a test runner, a CLI harness) is honoured
    return structlog.PrintLogger(file=sys.stderr)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """A stdlib handler that writes to the current ``sys.stderr``, not the one at set-up time."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def bind(**ids: object) -> None:
    """Bind ids (run_id, chunk, release, ...) to every later log line of this task/thread."""
    structlog.contextvars.bind_contextvars(**{k: v for k, v in ids.items() if v is not None})


def get_logger(name: str) -> FilteringBoundLogger:
    # a lazy proxy that binds, on first use, the filtering logger configure_logging sets up
    return cast(FilteringBoundLogger, structlog.get_logger(name))
