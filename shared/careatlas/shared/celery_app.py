"""The Celery app every worker and the CLI share: one queue per service, settings from STACK.md."""

from __future__ import annotations

from celery import Celery, signals
from kombu import Queue

from careatlas.shared import logging as log_setup
from careatlas.shared.settings import Settings, get_settings

QUEUES = ("ingest", "census", "transform")


def create_app(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    app = Celery("careatlas", broker=settings.broker_url, backend=settings.result_backend)
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
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    return app


app = create_app()


@signals.setup_logging.connect
def _setup_logging(**_kwargs) -> None:
    # connected so Celery leaves logging alone; structlog renders every line. Every worker
    # registers its secrets here, before its first log line (the CLI does so in bootstrap)
    settings = get_settings()
    log_setup.register_settings(settings)
    log_setup.configure_logging(settings.log_level, settings.log_format)


@signals.task_prerun.connect
def _bind_task_context(task_id=None, task=None, **_kwargs) -> None:
    import structlog

    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task_id=task_id, task_name=getattr(task, "name", None))


# ---------------------------------------------------------------------- run state from signals
def _record(task, task_id: str, state: str, **fields) -> None:
    """Record a run task's progress in Redis and the lake. Never fails the task itself."""
    request = getattr(task, "request", None)
    kwargs = (getattr(request, "kwargs", None) or {}) if request else {}
    run_id = kwargs.get("run_id")
    if not run_id:
        return
    import time

    import structlog

    from careatlas.shared import runs
    from careatlas.shared.storage import open_lake

    try:
        store = runs.RunStore.from_url(get_settings().redis_url)
        lake = open_lake(kwargs.get("lake"))
        record = store.get_task(run_id, task_id)
        if record is None:  # a step not recorded at launch (the chord's body), or one Redis lost
            record = runs.TaskRecord(task_id=task_id, name=task.name, state="queued", run_attempt=runs.attempt_of(
                runs.load_manifest(lake, run_id), getattr(request, "root_id", None)))
        spec = kwargs.get("spec") or {}
        record.chunk = spec.get("chunk", record.chunk)
        record.state = state
        if state == "running":
            record.attempts += 1
            record.started_at = time.time()
            record.worker = getattr(request, "hostname", None)
        if state in ("done", "failed"):
            record.finished_at = time.time()
        for name, value in fields.items():
            setattr(record, name, value)
        store.put_task(run_id, record)
        if state in ("done", "failed"):
            runs.save_task(lake, run_id, record)
        if state == "failed":  # retries are exhausted: the run cannot finish without `retry`
            runs.mark_failed(lake, store, run_id, failed_attempt=record.run_attempt)
    except Exception as error:  # state is for people watching; the work itself goes on
        structlog.get_logger(__name__).warning("run state not recorded", run_id=run_id, error=str(error))


@signals.task_prerun.connect
def _on_start(task_id=None, task=None, **_kwargs) -> None:
    _record(task, task_id, "running", error=None)


@signals.task_success.connect
def _on_success(sender=None, result=None, **_kwargs) -> None:
    result = result if isinstance(result, dict) else {}
    _record(sender, sender.request.id, "done", rows=result.get("rows_read"), bytes=result.get("bytes_read"))


@signals.task_retry.connect
def _on_retry(sender=None, reason=None, **_kwargs) -> None:
    _record(sender, sender.request.id, "retrying", error=log_setup.redact(str(reason))[:500])


@signals.task_failure.connect
def _on_failure(sender=None, task_id=None, exception=None, **_kwargs) -> None:
    # redacted before it is stored: the record goes to Redis, the lake and the run manifest
    _record(sender, task_id, "failed", error=log_setup.redact(f"{type(exception).__name__}: {exception}")[:2000])
