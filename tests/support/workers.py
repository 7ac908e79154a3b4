"""Real Celery worker processes for integration tests (no eager mode)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from celery import Celery

from careatlas.shared.celery_app import create_app
from careatlas.shared.settings import Settings

TESTS = Path(__file__).resolve().parents[1]


def worker_env(redis_urls: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        "CAREATLAS_BROKER_URL": redis_urls["broker"],
        "CAREATLAS_RESULT_BACKEND": redis_urls["backend"],
        "CAREATLAS_REDIS_URL": redis_urls["state"],
        "CAREATLAS_LOG_FORMAT": "json",
        "DO_NOT_TRACK": "1",
    }
    env.update(extra or {})
    return env


def client_app(env: dict[str, str]) -> Celery:
    return create_app(Settings(broker_url=env["CAREATLAS_BROKER_URL"], result_backend=env["CAREATLAS_RESULT_BACKEND"]))


class Worker:
    def __init__(self, process: subprocess.Popen, name: str, log: Path) -> None:
        self.process, self.name, self.log = process, name, log

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children): a crash, not a shutdown."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def workers(module: str, queue: str, env: dict[str, str], log_dir: Path, count: int = 1,
            concurrency: int = 1, faults: Path | None = None) -> Iterator[list[Worker]]:
    """Start ``count`` worker processes of ``careatlas.<module>.worker`` and wait until they answer.
    With ``faults``, the workers run the same tasks under ``support.fault_worker``, which kills
    the faults armed in that folder (``support.faults.arm``)."""
    started: list[Worker] = []
    full_env = {**os.environ, **env}
    entry = f"careatlas.{module}.worker"
    if faults is not None:
        entry = "support.fault_worker"
        full_env.update(CAREATLAS_TEST_WORKER_MODULE=module, CAREATLAS_TEST_FAULTS_DIR=str(faults),
                        PYTHONPATH=os.pathsep.join(filter(None, [str(TESTS), full_env.get("PYTHONPATH")])))
    celery = str(Path(sys.executable).with_name("celery"))
    try:
        for n in range(count):
            name = f"{queue}{n}-{os.getpid()}-{time.monotonic_ns()}@test"
            log = log_dir / f"{name}.log"
            with open(log, "wb") as output:  # the child keeps its own copy of the descriptor
                process = subprocess.Popen(
                    [celery, "-A", entry, "worker", "-Q", queue, "-n", name,
                     f"--concurrency={concurrency}", "--prefetch-multiplier=1", "--without-gossip",
                     "--without-mingle", "--loglevel=INFO"],
                    env=full_env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                )
            started.append(Worker(process, name, log))
        _wait_ready(client_app(env), [w.name for w in started], started)
        yield started
    finally:
        for worker in started:
            worker.stop()


def _wait_ready(app: Celery, names: list[str], started: list[Worker], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in started:
            if worker.process.poll() is not None:
                raise RuntimeError(f"worker {worker.name} exited: {worker.log.read_text()[-3000:]}")
        replies = app.control.ping(destination=names, timeout=1.0) or []
        if {name for reply in replies for name in reply} >= set(names):
            return
    raise RuntimeError(f"workers {names} did not answer within {timeout}s")
