"""The only module that talks to the Census Data API (httpx).

Every failure mode the real API has is mapped to an error that says what to do: transient ones
(429, 5xx, the 200 "error while running your query" body, network errors) are retried with
exponential backoff and jitter, permanent ones (missing or invalid key, unknown variable, 204)
fail at once. The key travels only in the query string: messages carry the path without it,
response bodies are redacted before they reach an error, and httpx's own log lines are too.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from urllib.parse import quote

import httpx
import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from careatlas.census import acs
from careatlas.census import variables as acs_vars
from careatlas.census.errors import (
    CensusError,
    CensusKeyError,
    CensusNoData,
    CensusRequestError,
    CensusUnavailable,
)
from careatlas.shared import logging as shared_logging
from careatlas.shared.settings import Settings

log = structlog.get_logger(__name__)

KEY_SIGNUP = "https://api.census.gov/data/key_signup.html"
_TRANSIENT_BODY = "There was an error while running your query"
_KEY_PARAM = re.compile(r"(key=)[^&\s\"'<>]+", re.IGNORECASE)


class CensusClient:
    def __init__(
        self,
        http: httpx.Client,
        api_key: str | None,
        *,
        max_retries: int = 5,
        backoff_s: float = 1.0,
        backoff_max_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http, self._api_key = http, api_key or None
        self._max_retries, self._backoff_s, self._backoff_max_s = (
            max_retries,
            backoff_s,
            backoff_max_s,
        )
        self._sleep = sleep
        self.requests: list[str] = []  # paths (no key) of the calls that returned data
        shared_logging.register_secret(self._api_key)

    def get_table(self, *, year: int, geo: str, variables: list[str]) -> acs.Table:
        """NAME, the variables and the geography columns; >49 variables become joined batches."""
        tables = [
            self.get_rows(dataset=dataset, year=year, geo=geo, names=names)
            for dataset, names in acs_vars.plan_batches(variables)
        ]
        return acs.join_batches(tables, geo)

    def get_rows(self, *, dataset: str, year: int, geo: str, names: list[str]) -> acs.Table:
        params = {"get": ",".join(["NAME", *names]), "for": f"{geo}:*"}
        if geo == "county":
            params["in"] = "state:*"
        path = f"/{year}/{dataset}"
        full = f"{path}?" + "&".join(f"{k}={v}" for k, v in params.items())
        shown = f"{path} ({len(names)} variables, {geo} rows)"
        retrying = Retrying(
            retry=retry_if_exception_type(CensusUnavailable),
            stop=stop_after_attempt(self._max_retries + 1),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=lambda state: _log_retry(shown, state),
            reraise=True,
        )
        try:
            table = retrying(self._request_once, path, params, shown)
        except CensusUnavailable as error:
            raise CensusUnavailable(
                f"Census API still failing after {self._max_retries + 1} attempts on {shown}; last: {error}"
            ) from None
        self.requests.append(full)
        log.info("census rows received", path=full, rows=len(table) - 1)
        return table

    def _request_once(self, path: str, params: dict[str, str], shown: str) -> acs.Table:
        query = {**params, "key": self._api_key} if self._api_key else params
        try:
            response = self._http.get(path, params=query)
        except httpx.TransportError as error:
            # from None: the chained httpx error holds the request, key included
            raise CensusUnavailable(
                f"cannot reach the Census API: {type(error).__name__} {self.redact(str(error))}"
            ) from None
        return self._table_from(response, shown)

    def _table_from(self, response: httpx.Response, shown: str) -> acs.Table:
        status = response.status_code
        if status == 200:
            return self._parse_ok(response, shown)
        if status in (301, 302, 303, 307, 308):
            return self._redirected(response, shown)
        if status == 204:
            raise CensusNoData(f"the Census API has no data for {shown} (204): that vintage lacks the geography")
        body = self._excerpt(response.text)
        if status == 429 or status >= 500:
            raise _unavailable(f"{status}: {body}", response)
        if status == 400:
            raise CensusRequestError(f"the Census API refused {shown} (400): {body}{_hint(body)}")
        if status == 404:
            raise CensusRequestError(f"the Census API has no dataset at {shown} (404): check the year")
        raise CensusError(f"unexpected {status} from the Census API on {shown}: {body}")

    def _parse_ok(self, response: httpx.Response, shown: str) -> acs.Table:
        text = response.text
        if "Invalid Key" in text and "json" not in response.headers.get("content-type", ""):
            raise CensusKeyError(
                f"the Census API rejected the key as invalid on {shown}: check "
                f"CAREATLAS_CENSUS_API_KEY (keys work once activated; new keys: {KEY_SIGNUP})"
            )
        if _TRANSIENT_BODY in text:
            raise CensusUnavailable("the API answered 'There was an error while running your query'")
        try:
            table = response.json()
        except ValueError:
            raise CensusUnavailable(f"200 without JSON: {self._excerpt(text)}") from None
        if not (isinstance(table, list) and table and all(isinstance(row, list) for row in table)):
            raise CensusUnavailable(f"200 with a body that is not a table: {self._excerpt(text)}")
        return table

    def _redirected(self, response: httpx.Response, shown: str) -> acs.Table:
        location = self.redact(response.headers.get("location", ""))
        if "missing_key" in location or response.headers.get("X-DataWebAPI-KeyError"):
            raise CensusKeyError(
                f"the Census API requires a key ({shown} redirected to {location}): "
                f"set CAREATLAS_CENSUS_API_KEY (sign up at {KEY_SIGNUP})"
            )
        raise CensusError(f"unexpected redirect on {shown} to {location}")

    def _wait(self, state: RetryCallState) -> float:
        """Exponential backoff plus jitter; a longer Retry-After from a 429 wins."""
        step = self._backoff_s * 2 ** (state.attempt_number - 1)
        delay = min(self._backoff_max_s, step + random.uniform(0, self._backoff_s))
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None) or 0.0
        return min(self._backoff_max_s, max(delay, retry_after))

    def redact(self, text: str) -> str:
        text = _KEY_PARAM.sub(r"\1***", text)
        if self._api_key:
            text = text.replace(self._api_key, "***").replace(quote(self._api_key, safe=""), "***")
        return text

    def _excerpt(self, text: str) -> str:
        return self.redact(" ".join(text.split())[:300]) or "(empty body)"


def _unavailable(message: str, response: httpx.Response) -> CensusUnavailable:
    error = CensusUnavailable(message)
    with contextlib.suppress(ValueError):
        error.retry_after = float(response.headers.get("retry-after", ""))
    return error


def _hint(body: str) -> str:
    if "unknown variable" in body:
        return " (check the name in the vintage's variables.json; B27010 starts with 2012)"
    if "limited to 50" in body:
        return " (more than 50 names in one call)"
    return ""


def _log_retry(shown: str, state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning(
        "census request failed, retrying",
        path=shown,
        attempt=state.attempt_number,
        wait_s=round(state.next_action.sleep, 3) if state.next_action else None,
        reason=str(error),
    )


class _RedactKeyFilter(logging.Filter):
    """httpx logs every request URL at INFO: strip the key before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = shared_logging.redact(_KEY_PARAM.sub(r"\1***", record.getMessage()))
        record.args = ()
        return True


for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_RedactKeyFilter())


@contextlib.contextmanager
def open_client(settings: Settings, **options) -> Iterator[CensusClient]:
    key = settings.census_api_key.get_secret_value() if settings.census_api_key else None
    # no transport retries: connect errors go through the same backoff as 5xx
    with httpx.Client(
        base_url=settings.census_base_url, timeout=settings.census_timeout_s, follow_redirects=False
    ) as http:
        yield CensusClient(http, key, max_retries=settings.census_max_retries, **options)
