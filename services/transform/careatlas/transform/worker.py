"""Entry point of the transform worker:
``celery -A careatlas.transform.worker worker -Q transform --concurrency=1``
(one dbt invocation at a time: one writer per DuckDB warehouse file)."""

from careatlas.shared.celery_app import app
from careatlas.transform import tasks  # noqa: F401  registers the transform.* tasks on the app

__all__ = ["app"]
