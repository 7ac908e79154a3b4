"""Celery entry point of the ingest worker: ``celery -A careatlas.ingest.worker worker -Q ingest``."""

import careatlas.ingest.tasks  # noqa: E402,F401  (registers the tasks)
from careatlas.shared.celery_app import app

try:  # reference loaders run on the ingest queue too
    import careatlas.ingest.reference.tasks  # noqa: F401
except ModuleNotFoundError:  # pragma: no cover - until the loaders land
    pass

__all__ = ["app"]
