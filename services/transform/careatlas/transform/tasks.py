"""Celery tasks of the transform queue: thin wrappers over ``build.build_marts``.

The transform worker runs with ``--concurrency=1``: one dbt writer per warehouse file.
Task names are a message contract: rename only with an alias.
"""

from __future__ import annotations

from celery import shared_task

from careatlas.runs import guard
from careatlas.shared import logging as log_setup
from careatlas.shared.storage import LakeUnavailable
from careatlas.transform.build import build_marts as _build_marts
from careatlas.transform.dbt_runner import WarehouseBusy


@shared_task(
    name="transform.build_marts",
    acks_late=True,  # safe: a run writes its own prefix and switches `latest` last
    # another worker on the same warehouse file, or the lake unreachable: try again later
    autoretry_for=(LakeUnavailable, WarehouseBusy),
    retry_backoff=True,
    max_retries=3,
)
def build_marts(
    run_id: str, lake: str | None = None, acs_year: int | None = None, full_refresh: bool = False
) -> dict:
    """Build and export the marts; raises BuildFailed naming the failing dbt tests."""
    log_setup.bind(run_id=run_id)
    # a cancel that came during the build stops it before `latest` switches
    return _build_marts(lake, run_id, acs_year=acs_year, full_refresh=full_refresh, before_publish=guard.still_live)
