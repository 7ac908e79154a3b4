"""The client against a local server that answers like api.census.gov, failure modes included."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest
import structlog
from fakes.census_api import VALID_KEY, FakeCensus, counties, value

from careatlas.census.client import CensusClient
from careatlas.census.errors import (
    CensusError,
    CensusKeyError,
    CensusNoData,
    CensusRequestError,
    CensusUnavailable,
)

WRONG_KEY = "0123456789abcdef0123456789abcdef01234567"


def make_client(server: FakeCensus, key: str | None = VALID_KEY, **options) -> CensusClient:
    options = {"max_retries": 2, "backoff_s": 0.001, "backoff_max_s": 0.01, **options}
    return CensusClient(httpx.Client(base_url=server.url, timeout=10), key, **options)


def population(client: CensusClient, year: int = 2022, names: list[str] | None = None) -> list:
    return client.get_table(year=year, geo="county", variables=names or ["B01003_001E"])


def test_table_has_the_api_shape(fake_census: FakeCensus, census: CensusClient) -> None:
    table = population(census)
    assert table[0] == ["NAME", "B01003_001E", "state", "county"]
    assert len(table) - 1 == len(counties(2022))
    (call,) = fake_census.data_calls()
    assert call.path == "/data/2022/acs/acs5" and call.has_key
    assert call.params == {"get": "NAME,B01003_001E", "for": "county:*", "in": "state:*"}
    assert census.requests == ["/2022/acs/acs5?get=NAME,B01003_001E&for=county:*&in=state:*"]


PERMANENT = [
    # (how to provoke it, error type, message the operator acts on)
    ("no key", CensusKeyError, "requires a key.*missing_key.html.*set CAREATLAS_CENSUS_API_KEY"),
    ("wrong key", CensusKeyError, "rejected the key as invalid.*CAREATLAS_CENSUS_API_KEY"),
    ("unknown variable", CensusRequestError, "400.*unknown variable 'B99999_001E'"),
    (
        "b27 before 2012",
        CensusRequestError,
        "unknown variable 'B27010_001E'.*B27010 starts with 2012",
    ),
    ("204", CensusNoData, r"no data for /2022/acs/acs5 \(1 variables, county rows\).*204"),
    ("bad year", CensusRequestError, "no dataset.*404"),
]


def provoke(server: FakeCensus, how: str) -> None:
    key = {"no key": None, "wrong key": WRONG_KEY}.get(how, VALID_KEY)
    client = make_client(server, key)
    server.unknown.add("B99999_001E")
    if how == "204":
        server.fail_next("204")
    year = {"b27 before 2012": 2010, "bad year": 2030}.get(how, 2022)
    names = {"unknown variable": ["B99999_001E"], "b27 before 2012": ["B27010_001E"]}.get(how)
    population(client, year, names)


@pytest.mark.parametrize(("how", "error", "message"), PERMANENT, ids=[p[0] for p in PERMANENT])
def test_permanent_failures_fail_at_once_saying_what_to_fix(
    fake_census: FakeCensus, how: str, error: type, message: str
) -> None:
    with pytest.raises(error, match=message) as raised:
        provoke(fake_census, how)
    assert not isinstance(raised.value, CensusUnavailable)
    assert len(fake_census.seen) == 1  # no retry


@pytest.mark.parametrize("kind", ["429", "500", "503", "transient"])
def test_transient_failures_are_retried(fake_census: FakeCensus, census: CensusClient, kind: str) -> None:
    fake_census.fail_next(kind, kind)
    table = population(census)
    assert len(table) - 1 == len(counties(2022))
    assert len(fake_census.data_calls()) == 3


def test_retries_run_out_with_a_clear_error(fake_census: FakeCensus, census: CensusClient) -> None:
    fake_census.fail_next("503", "transient", "503", "503")
    with pytest.raises(CensusUnavailable, match=r"still failing after 3 attempts on /2022/acs/acs5 \(1 variables"):
        population(census)
    assert len(fake_census.data_calls()) == 3


def test_backoff_grows_exponentially_with_jitter(fake_census: FakeCensus) -> None:
    slept: list[float] = []
    client = make_client(fake_census, max_retries=3, backoff_s=1.0, backoff_max_s=100, sleep=slept.append)
    fake_census.fail_next("500", "500", "500")
    population(client)
    assert len(slept) == 3
    for attempt, seconds in enumerate(slept):
        assert 2**attempt <= seconds <= 2**attempt + 1.0
    assert len(set(slept)) == 3


def test_retry_after_of_a_429_is_honoured_up_to_the_cap(fake_census: FakeCensus) -> None:
    slept: list[float] = []
    fake_census.retry_after = "7"
    client = make_client(fake_census, backoff_s=0.01, backoff_max_s=30, sleep=slept.append)
    fake_census.fail_next("429")
    population(client)
    assert slept == [7.0]


def test_unreachable_api_is_retryable(fake_census: FakeCensus) -> None:
    client = CensusClient(
        httpx.Client(base_url="http://127.0.0.1:9/data", timeout=2),
        VALID_KEY,
        max_retries=1,
        backoff_s=0.001,
        backoff_max_s=0.01,
    )
    with pytest.raises(CensusUnavailable, match="cannot reach the Census API.*ConnectError"):
        population(client)


def test_more_than_50_variables_are_batched_and_joined(fake_census: FakeCensus, census: CensusClient) -> None:
    names = ["B01003_001E", *[f"B99{n:03d}_001E" for n in range(80)], "S0101_C01_001E"]
    table = population(census, 2021, names)
    calls = fake_census.data_calls()
    assert [c.path for c in calls] == ["/data/2021/acs/acs5"] * 2 + ["/data/2021/acs/acs5/subject"]
    assert all(len(c.params["get"].split(",")) <= 50 for c in calls)
    header, *rows = table
    assert header == ["NAME", *names[:49], "state", "county", *names[49:]]
    assert len(rows) == len(counties(2021))
    for row in rows:
        record = dict(zip(header, row, strict=True))
        fips = record["state"] + record["county"]
        assert all(record[n] == value(2021, fips, n) for n in names)


FAILURES = ["no key", "wrong key", "unknown variable", "204", "500", "503", "429", "transient"]


@pytest.mark.parametrize("how", FAILURES)
def test_the_key_is_in_no_log_line_and_no_error(fake_census: FakeCensus, how: str) -> None:
    if how in ("500", "503", "429", "transient"):
        fake_census.fail_next(*[how] * 3)  # pages of 5xx/429 echo the URL with the key
    with structlog.testing.capture_logs() as logs, pytest.raises(CensusError) as raised:
        if how in ("500", "503", "429", "transient"):
            population(make_client(fake_census))
        else:
            provoke(fake_census, how)
    told = " ".join([repr(logs), *traceback.format_exception(raised.value)])
    assert VALID_KEY not in told and WRONG_KEY not in told
    if how in ("500", "503", "429"):
        assert "key=***" in told  # the echoed URL is still shown, redacted
        assert any(entry["event"] == "census request failed, retrying" for entry in logs)


def test_httpx_request_log_lines_are_redacted(
    fake_census: FakeCensus, census: CensusClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="httpx")
    population(census)
    assert "HTTP Request" in caplog.text and "key=***" in caplog.text
    assert VALID_KEY not in caplog.text
