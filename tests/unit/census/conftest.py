from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fakes.census_api import VALID_KEY, FakeCensus

from careatlas.census.client import CensusClient
from careatlas.census.locks import LockFactory, file_lock
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake


@pytest.fixture
def fake_census() -> Iterator[FakeCensus]:
    with FakeCensus() as server:
        yield server


@pytest.fixture
def settings(fake_census: FakeCensus) -> Settings:
    return Settings(
        census_api_key=VALID_KEY,
        census_base_url=fake_census.url,
        census_max_retries=2,
        redis_url="redis://127.0.0.1:1/0",  # unit tests lock with files
    )


@pytest.fixture
def census(fake_census: FakeCensus) -> Iterator[CensusClient]:
    with httpx.Client(base_url=fake_census.url, timeout=10) as http:
        yield CensusClient(http, VALID_KEY, max_retries=2, backoff_s=0.001, backoff_max_s=0.01)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"), Settings())


@pytest.fixture
def lock(tmp_path: Path) -> LockFactory:
    return file_lock(tmp_path / "locks")
