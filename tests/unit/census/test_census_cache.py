"""The lake cache: hits make no request, the TTL and --refresh refetch, one fetch per table."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from fakes.census_api import VALID_KEY, FakeCensus, counties

from careatlas.census import cache
from careatlas.census import variables as v
from careatlas.census.client import CensusClient
from careatlas.census.errors import CensusNoData, CensusUnavailable
from careatlas.census.locks import LockFactory
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

T0 = datetime(2026, 6, 1, 8, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def fetch(lake: Lake, settings: Settings, lock: LockFactory, census: CensusClient):
    clock = Clock()

    def run(year: int = 2022, geo: str = "county", **options) -> cache.FetchResult:
        options = {"settings": settings, "lock": lock, "census": census, "clock": clock, **options}
        return cache.get_or_fetch(lake, year, geo, **options)

    run.clock = clock
    return run


def test_miss_fetches_and_stores_the_contract_table(fetch, lake: Lake, fake_census: FakeCensus) -> None:
    result = fetch()
    assert result.source == "live" and result.key == "reference/census/acs5/year=2022/geo=county"
    assert result.rows == len(counties(2022)) and result.variables == v.DEFAULT_VARIABLES
    frame = pl.read_parquet(lake.uri(result.data_key))
    assert frame.columns[:4] == ["NAME", "state", "county", "fips"]
    assert frame.columns[-2:] == ["year", "_loaded_at"]
    assert len(fake_census.data_calls()) == 1
    # Connecticut's planning regions are kept as the API returns them
    assert {f for f in frame["fips"] if f.startswith("09")} == {f"09{n}0" for n in range(11, 20)}


def test_the_age_groups_of_the_offline_products_are_cached(fetch, lake: Lake) -> None:
    # under 18 and 65+ (so 18-64 is the rest) as PEP age/sex gives them offline
    frame = pl.read_parquet(lake.uri(fetch().data_key)).drop_nulls("B01001_049E")
    under_18 = pl.sum_horizontal(v.UNDER_18)
    age_65 = pl.sum_horizontal(v.AGE_65_PLUS)
    shares = frame.select((under_18 / pl.col(v.TOTAL_POPULATION)).alias("young"),
                          (age_65 / pl.col(v.TOTAL_POPULATION)).alias("old"))
    assert shares["young"].is_between(0.1, 0.35).all() and shares["old"].is_between(0.08, 0.3).all()


def test_sentinels_are_null_in_the_cache(fetch, lake: Lake) -> None:
    frame = pl.read_parquet(lake.uri(fetch().data_key)).filter(pl.col("fips") == "02013")
    assert frame["B19013_001E"].to_list() == [None]
    assert frame["B01003_001E"][0] > 0
    state = pl.read_parquet(lake.uri(fetch(geo="state").data_key)).filter(pl.col("fips") == "06")
    assert state["B19013_001E"].to_list() == [None] and "county" not in state.columns


def test_metadata_describes_the_entry_without_the_key(fetch, lake: Lake) -> None:
    result = fetch()
    raw = lake.read_bytes(f"{result.key}/metadata.json").decode()
    meta = json.loads(raw)
    assert VALID_KEY not in raw and "key=" not in raw
    assert meta["sha256"] == hashlib.sha256(lake.read_bytes(result.data_key)).hexdigest()
    assert meta["rows"] == result.rows and meta["source"] == "live"
    assert meta["survey_period"] == "2018-2022" and meta["year"] == meta["vintage"] == 2022
    assert meta["fetched_at"].startswith("2026-06-01T08:00")
    assert meta["requests"] == ["/2022/acs/acs5?get=NAME," + ",".join(v.DEFAULT_VARIABLES) + "&for=county:*&in=state:*"]


def test_cache_hit_makes_no_request(fetch, fake_census: FakeCensus) -> None:
    fetch()
    fake_census.seen.clear()
    fetch.clock.at = T0 + timedelta(days=29)
    result = fetch()
    assert result.source == "cache" and fake_census.seen == []


def test_hit_needs_no_key_nor_api(fetch, lake: Lake, lock: LockFactory) -> None:
    fetch()
    offline = Settings(census_api_key=None, census_base_url="http://127.0.0.1:9/data")
    result = cache.get_or_fetch(lake, 2022, "county", settings=offline, lock=lock, clock=fetch.clock)
    assert result.source == "cache"


def test_ttl_expiry_refetches(fetch, fake_census: FakeCensus) -> None:
    fetch()
    fetch.clock.at = T0 + timedelta(days=30, seconds=1)
    assert fetch().source == "live"
    assert len(fake_census.data_calls()) == 2
    fetch.clock.at += timedelta(days=1)
    assert fetch(ttl_days=0.5).source == "live"  # a shorter TTL counts from the last fetch


def test_refresh_forces_a_fetch(fetch, fake_census: FakeCensus) -> None:
    fetch()
    assert fetch(refresh=True).source == "live"
    assert len(fake_census.data_calls()) == 2


def test_variables_outside_the_entry_refetch_and_keep_earlier_extras(fetch, lake: Lake) -> None:
    fetch(variables=["B08303_001E"])
    result = fetch(variables=["B25001_001E"])
    assert result.source == "live"
    assert result.variables == [*v.DEFAULT_VARIABLES, "B25001_001E", "B08303_001E"]
    assert fetch(variables=["B08303_001E", "B01003_001E"]).source == "cache"
    assert fetch().source == "cache"
    frame = pl.read_parquet(lake.uri(result.data_key))
    assert frame.columns[-4:] == ["B25001_001E", "B08303_001E", "year", "_loaded_at"]


def test_vintages_before_2012_have_null_uninsured_columns(fetch, lake: Lake, fake_census: FakeCensus) -> None:
    result = fetch(year=2011)
    assert "B27010_001E" not in result.variables
    frame = pl.read_parquet(lake.uri(result.data_key))
    assert frame["B27010_001E"].null_count() == frame.height and frame["B01003_001E"].null_count() == 0
    assert "B27010" not in fake_census.data_calls()[0].params["get"]
    assert fetch(year=2011).source == "cache"


@pytest.mark.parametrize("failure", ["204", "503"])
def test_a_failed_fetch_leaves_no_entry(fetch, lake: Lake, fake_census: FakeCensus, failure: str) -> None:
    fake_census.fail_next(*[failure] * 5)
    with pytest.raises(CensusNoData if failure == "204" else CensusUnavailable):
        fetch()
    assert lake.list("reference") == []


def test_a_failed_refresh_keeps_the_previous_entry(fetch, lake: Lake, fake_census: FakeCensus) -> None:
    first = fetch()
    before = lake.read_bytes(first.data_key)
    fake_census.fail_next("503", "503", "503")
    with pytest.raises(CensusUnavailable):
        fetch(refresh=True)
    assert lake.read_bytes(first.data_key) == before
    assert fetch().source == "cache"


def test_data_that_does_not_match_its_metadata_is_refetched(fetch, lake: Lake, fake_census: FakeCensus) -> None:
    first = fetch()
    lake.put_bytes(first.data_key, b"half a parquet file")
    assert fetch().source == "live"
    assert len(fake_census.data_calls()) == 2
    assert pl.read_parquet(lake.uri(first.data_key)).height == first.rows


def test_concurrent_fetches_of_one_table_make_one_call(
    lake: Lake, settings: Settings, lock: LockFactory, fake_census: FakeCensus
) -> None:
    fake_census.delay_s = 0.3  # the first fetch is still running when the others ask
    results: list[cache.FetchResult] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            results.append(cache.get_or_fetch(lake, 2022, "county", settings=settings, lock=lock))
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(r.source for r in results) == ["cache", "cache", "cache", "live"]
    assert len(fake_census.data_calls()) == 1


def test_concurrent_refreshes_share_one_fetch(
    lake: Lake, settings: Settings, lock: LockFactory, fake_census: FakeCensus
) -> None:
    cache.get_or_fetch(lake, 2022, "state", settings=settings, lock=lock)
    fake_census.delay_s = 0.3
    threads = [
        threading.Thread(
            target=cache.get_or_fetch,
            args=(lake, 2022, "state"),
            kwargs={"settings": settings, "lock": lock, "refresh": True},
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(fake_census.data_calls()) == 2
