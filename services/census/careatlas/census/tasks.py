"""Celery tasks of the census queue: thin wrappers over ``cache.get_or_fetch``.

Task names are a message contract: rename only with an alias.
"""

from __future__ import annotations

from celery import shared_task

from careatlas.census.cache import get_or_fetch
from careatlas.census.errors import CensusUnavailable
from careatlas.census.locks import choose_lock
from careatlas.shared import logging as log_setup
from careatlas.shared.settings import get_settings
from careatlas.shared.storage import LakeUnavailable, open_lake


@shared_task(
    name="census.fetch_acs5",
    acks_late=True,  # safe: a cache entry is written whole or not at all
    autoretry_for=(CensusUnavailable, LakeUnavailable),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def fetch_acs5(year: int, geo: str, refresh: bool = False, variables: list[str] | None = None,
               lake: str | None = None, run_id: str | None = None) -> dict:
    """One ACS 5-year table in the lake cache: served from it, or fetched once across workers."""
    log_setup.bind(run_id=run_id, year=year, geo=geo)
    # one retry layer: Celery's (autoretry above, with backoff, the worker free between tries);
    # the client's own retries (census_max_retries) serve in-process fetches (CLI, embedded)
    settings = get_settings().model_copy(update={"census_max_retries": 0})
    result = get_or_fetch(
        open_lake(lake, settings),
        year,
        geo,
        variables=variables,
        refresh=refresh,
        settings=settings,
        # workers on several hosts: only a Redis lock makes "one API call per table" hold
        lock=choose_lock(settings.redis_url, "redis"),
    )
    return result.as_dict()
