"""Entry point of the census worker: ``celery -A careatlas.census.worker worker -Q census``."""

from careatlas.census import tasks  # noqa: F401  registers the census.* tasks on the app
from careatlas.shared.celery_app import app

__all__ = ["app"]
