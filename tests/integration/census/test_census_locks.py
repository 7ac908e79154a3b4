"""Fetch locks: Redis across workers, a file lock when Redis is absent."""

from __future__ import annotations

import pytest

from careatlas.census.errors import CensusUnavailable
from careatlas.census.locks import LockFactory, choose_lock, file_lock, redis_lock

pytestmark = pytest.mark.integration
TABLE = "census:acs5:test:2022:county"


def take(lock: LockFactory, name: str = TABLE) -> None:
    with lock(name):
        pass


def test_a_held_redis_lock_makes_others_wait_then_give_up(redis_urls: dict[str, str]) -> None:
    holder, waiter = redis_lock(redis_urls["state"]), redis_lock(redis_urls["state"], wait_s=0.3)
    with holder(TABLE):
        with pytest.raises(CensusUnavailable, match=f"held the fetch lock {TABLE}"):
            take(waiter)
        take(waiter, "census:acs5:test:2022:state")  # another table is not blocked
    take(waiter)  # released


def test_distributed_mode_insists_on_redis() -> None:
    with pytest.raises(CensusUnavailable, match="cannot take the fetch lock in Redis"):
        take(choose_lock("redis://127.0.0.1:1/0", "redis"))


def test_auto_mode_falls_back_to_a_file_lock_without_redis() -> None:
    with choose_lock("redis://127.0.0.1:1/0", "auto")(TABLE), pytest.raises(CensusUnavailable, match="was held"):
        take(file_lock(wait_s=0.2))
