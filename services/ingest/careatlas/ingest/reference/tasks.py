"""Celery task for the reference loaders (registered by the ingest worker).

Task names are a message contract: rename only with an alias.
"""

from __future__ import annotations

from celery import shared_task

from careatlas.ingest.reference.common import SourceUnavailable
from careatlas.ingest.reference.load import load_reference as load
from careatlas.shared import logging as log_setup
from careatlas.shared.settings import get_settings
from careatlas.shared.storage import LakeUnavailable, open_lake


@shared_task(
    name="ingest.load_reference",
    acks_late=True,  # safe: the same source lands on the same key, overwritten whole
    autoretry_for=(SourceUnavailable, LakeUnavailable),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def load_reference(kind: str, source: str, lake: str | None = None, run_id: str | None = None) -> dict:
    """Land one reference source (path, s3:// URI or URL; '' for the official default)."""
    log_setup.bind(run_id=run_id, kind=kind)
    settings = get_settings()
    result = load(open_lake(lake, settings), kind, source or None, settings=settings)
    return {"key": result.key, "rows": result.rows, "sha256": result.sha256}
