"""ACS tables cached in the lake, so no run pays for the same table twice.

An entry is ``reference/census/acs5/year=Y/geo=G/`` with ``data.parquet`` and ``metadata.json``.
It serves a request when it covers the requested variables and is younger than the TTL
(imported snapshots do not age: they are how offline runs work). Misses are fetched under a
per-table lock and re-checked once the lock is held, so concurrent requests make one set of
API calls. The data file is written before the metadata that vouches for it (by sha256), and
nothing is written unless the whole fetch succeeded, so a failure never leaves a bad entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import polars as pl
import structlog
from pydantic import ValidationError

from careatlas.census import acs
from careatlas.census import variables as acs_vars
from careatlas.census.client import CensusClient, open_client
from careatlas.census.locks import LockFactory, choose_lock
from careatlas.shared import layout
from careatlas.shared.documents import CensusMetadata
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake, LakeKeyNotFound

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]


CacheMetadata = CensusMetadata  # the model of an ACS table's metadata.json lives with the lake contract


@dataclass(frozen=True)
class FetchResult:
    key: str
    data_key: str
    rows: int
    source: Literal["cache", "live", "imported", "derived"]
    variables: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def data_key(year: int, geo: str) -> str:
    return layout.census_acs5_data(year, geo)


def metadata_key(year: int, geo: str) -> str:
    return layout.census_acs5_metadata(year, geo)


def now_utc() -> datetime:
    return datetime.now(UTC)


def get_or_fetch(
    lake: Lake,
    year: int,
    geo: str,
    *,
    variables: list[str] | None = None,
    refresh: bool = False,
    ttl_days: float | None = None,
    settings: Settings | None = None,
    lock: LockFactory | None = None,
    census: CensusClient | None = None,
    clock: Clock = now_utc,
) -> FetchResult:
    """The cached table when it serves the request, else one fetch (under the table's lock)."""
    settings = settings or get_settings()
    year, geo = acs_vars.check_year(year), acs_vars.check_geo(geo)
    wanted = acs_vars.wanted(year, variables)
    ttl = timedelta(days=settings.census_cache_ttl_days if ttl_days is None else ttl_days)
    asked_at = clock()
    entry = None if refresh else read_entry(lake, year, geo)
    if entry and serves(entry, wanted, ttl, asked_at):
        return _hit(entry)
    with (lock or choose_lock(settings.redis_url))(lock_name(lake, year, geo)):
        entry = read_entry(lake, year, geo)
        # someone else fetched while we waited for the lock: a refresh is satisfied by it too
        if entry and serves(entry, wanted, ttl, clock()) and (not refresh or entry.fetched_at > asked_at):
            return _hit(entry)
        # a fetch always has the default set, and keeps extras an earlier fetch had
        carried = entry.variables if entry and entry.source == "live" else []
        names = [*acs_vars.defaults(year), *wanted, *carried]
        with _client(census, settings) as client:
            return _fetch_and_store(lake, client, year, geo, names, clock)


def serves(entry: CacheMetadata, wanted: list[str], ttl: timedelta, at: datetime) -> bool:
    covers = set(wanted) <= set(entry.variables)
    return covers and (entry.source in ("imported", "derived") or at - entry.fetched_at < ttl)


def read_entry(lake: Lake, year: int, geo: str) -> CacheMetadata | None:
    """The entry's metadata if its data file is the one it vouches for; None otherwise."""
    try:
        entry = lake.read_model(metadata_key(year, geo), CacheMetadata)
        data = lake.read_bytes(data_key(year, geo))
    except LakeKeyNotFound:
        return None
    except (ValidationError, ValueError) as error:
        log.warning(
            "census cache metadata unreadable, refetching",
            year=year,
            geo=geo,
            error=str(error)[:200],
        )
        return None
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        log.warning("census cache data does not match its metadata, refetching", year=year, geo=geo)
        return None
    return entry


def store(lake: Lake, frame: pl.DataFrame, entry: CacheMetadata) -> CacheMetadata:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    data = buffer.getvalue()
    entry = entry.model_copy(update={"sha256": hashlib.sha256(data).hexdigest(), "rows": frame.height})
    lake.put_bytes(data_key(entry.year, entry.geo), data)
    lake.write_model(metadata_key(entry.year, entry.geo), entry)
    return entry


def lock_name(lake: Lake, year: int, geo: str) -> str:
    lake_id = hashlib.sha256(lake.uri().encode()).hexdigest()[:12]
    return f"census:acs5:{lake_id}:{year}:{geo}"


def _fetch_and_store(
    lake: Lake, client: CensusClient, year: int, geo: str, names: list[str], clock: Clock
) -> FetchResult:
    names = list(dict.fromkeys(names))
    calls_before = len(client.requests)
    table = client.get_table(year=year, geo=geo, variables=names)
    fetched_at = clock()
    frame = acs.table_to_frame(table, year=year, geo=geo, loaded_at=fetched_at)
    entry = store(lake, frame, new_metadata(year, geo, names, client.requests[calls_before:], fetched_at))
    log.info("census table cached", key=entry.key, rows=entry.rows, calls=len(entry.requests))
    return FetchResult(entry.key, data_key(year, geo), entry.rows, "live", entry.variables)


def new_metadata(year: int, geo: str, names: list[str], requests: list[str], at: datetime, **extra) -> CacheMetadata:
    return CacheMetadata(
        key=layout.census_acs5(year, geo),
        year=year,
        vintage=year,
        geo=geo,
        survey_period=acs_vars.survey_period(year),
        variables=names,
        requests=requests,
        rows=0,
        sha256="",
        source=extra.pop("source", "live"),
        fetched_at=at,
        **extra,
    )


def _hit(entry: CacheMetadata) -> FetchResult:
    log.info(
        "census cache hit",
        key=entry.key,
        source=entry.source,
        fetched_at=entry.fetched_at.isoformat(),
    )
    return FetchResult(entry.key, data_key(entry.year, entry.geo), entry.rows, "cache", entry.variables)


@contextlib.contextmanager
def _client(census: CensusClient | None, settings: Settings) -> Iterator[CensusClient]:
    if census is not None:
        yield census
        return
    with open_client(settings) as client:
        yield client
