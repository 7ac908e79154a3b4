"""Celery entry point of the ingest worker: ``celery -A careatlas.ingest.worker worker -Q ingest``.

The ingest queue carries NPPES chunk work and the reference loaders (NUCC, HUD, deactivations).
"""

import careatlas.ingest.reference.tasks  # noqa: E402,F401  (registers the tasks)
import careatlas.ingest.tasks  # noqa: E402,F401
import careatlas.runs.tasks  # noqa: E402,F401  (the run coordinators: ingest.start_run, ...)
from careatlas.shared.celery_app import app

__all__ = ["app"]
