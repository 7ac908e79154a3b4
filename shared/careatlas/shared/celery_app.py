"""The Celery app every worker and the CLI share: one queue per service, settings from STACK.md."""

from __future__ import annotations

from typing import Any

from celery import Celery, signals
from kombu.entity import Queue

from careatlas.shared import logging as log_setup
from careatlas.shared.settings import Settings, get_settings

QUEUES = ("ingest", "census", "transform")


def create_app(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    # every task is a RunTask: delivery cap, cancellation, lock renewal and the explicit fail
    # step for tasks of a run, redacted errors for all (careatlas.runs.guard)
    app = Celery("careatlas", broker=settings.broker_url, backend=settings.result_backend,
                 task_cls="careatlas.runs.guard:RunTask")
    app.conf.update(
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue="ingest",
        task_routes={f"{name}.*": {"queue": name} for name in QUEUES},
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # a task is acknowledged after it finishes; a worker killed mid-task gives it back
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # long tasks: prefetch would hide backlog from the autoscaler and from other workers
        worker_prefetch_multiplier=1,
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout_s,
            # a killed worker's unacked message comes back after the visibility timeout, found
            # by this sweep; the default (10 s x throttle 10) would add ~100 s to recovery
            "unacked_restore_interval": settings.unacked_restore_interval_s,
            "unacked_restore_throttle": 1,
            # without timeouts a publish waits forever on a Redis that vanished mid-connection
            "socket_timeout": 30,
            "socket_connect_timeout": 5,
            "health_check_interval": 10,
        },
        result_backend_transport_options={"visibility_timeout": settings.visibility_timeout_s},
        result_expires=7 * 24 * 3600,
        result_extended=True,
        task_track_started=True,
        task_time_limit=settings.task_time_limit_s,
        worker_hijack_root_logger=False,
        worker_soft_shutdown_timeout=settings.worker_soft_shutdown_s,
        worker_enable_soft_shutdown_on_idle=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        # on a broker connection loss kombu gives every unacked message back to the queue: a
        # running task must stop, or its copy runs beside it on another worker (review M2)
        worker_cancel_long_running_tasks_on_connection_loss=True,
    )
    return app


app = create_app()


@signals.setup_logging.connect
def _setup_logging(**_kwargs: Any) -> None:
    # connected so Celery leaves logging alone; structlog renders every line. Every worker
    # registers its secrets here, before its first log line (the CLI does so in bootstrap)
    settings = get_settings()
    log_setup.register_settings(settings)
    log_setup.configure_logging(settings.log_level, settings.log_format)


@signals.task_prerun.connect
def _bind_task_context(task_id: str | None = None, task: Any = None, **_kwargs: Any) -> None:
    import structlog

    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task_id=task_id, task_name=getattr(task, "name", None))


# run tasks' progress is recorded by worker signals (careatlas.runs.recorder)
from careatlas.runs import recorder  # noqa: E402,F401
