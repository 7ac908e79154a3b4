"""The Kubernetes worker command and its probe, run for real against Redis: the exact argv of
the rendered ingest Deployment starts a worker, the exact probe command finds it by the pod's
hostname (and fails for another), and SIGTERM with the manifests' REMAP_SIGTERM ends it after
the soft-shutdown window, inside the margin terminationGracePeriodSeconds leaves."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from k8s_render import named, of_kind, pod_template

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(os.name != "posix", reason="POSIX signals and sh")]

SOFT_SHUTDOWN_S = 3


def _container(rendered) -> dict:
    return pod_template(named(rendered["production"], "Deployment", "careatlas-ingest"))["spec"]["containers"][0]


def _env(redis_urls: dict[str, str]) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "CAREATLAS_BROKER_URL": redis_urls["broker"], "CAREATLAS_RESULT_BACKEND": redis_urls["backend"],
            "CAREATLAS_REDIS_URL": redis_urls["state"], "CAREATLAS_LOG_FORMAT": "json",
            "CAREATLAS_WORKER_SOFT_SHUTDOWN_S": str(SOFT_SHUTDOWN_S), "REMAP_SIGTERM": "SIGQUIT"}


def _probe(container: dict, env: dict[str, str], hostname: str, timeout_s: int = 10) -> int:
    command = [part.replace("--timeout 10", f"--timeout {timeout_s}")
               for part in container["livenessProbe"]["exec"]["command"]]
    return subprocess.run(command, env={**env, "HOSTNAME": hostname}, capture_output=True,
                          timeout=60, check=False).returncode


@pytest.fixture
def ingest_worker(rendered, redis_urls, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, dict]]:
    container, env = _container(rendered), _env(redis_urls)
    with open(tmp_path / "worker.log", "wb") as log:
        process = subprocess.Popen(container["command"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while _probe(container, env, socket.gethostname(), timeout_s=2) != 0:
            assert process.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "worker never answered its probe"
        yield process, env
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def test_probe_finds_the_worker_by_its_hostname_only(rendered, ingest_worker) -> None:
    _, env = ingest_worker
    container = _container(rendered)
    assert _probe(container, env, socket.gethostname()) == 0
    assert _probe(container, env, "some-other-pod", timeout_s=2) != 0


def test_sigterm_stops_the_worker_within_the_grace_period(rendered, ingest_worker) -> None:
    process, _ = ingest_worker
    docs = rendered["production"]
    grace = pod_template(named(docs, "Deployment", "careatlas-ingest"))["spec"]["terminationGracePeriodSeconds"]
    soft = float(of_kind(docs, "ConfigMap")[0]["data"]["CAREATLAS_WORKER_SOFT_SHUTDOWN_S"])
    # the kubelet signals the container's main process only (celery is PID 1 there)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    # after its soft-shutdown window the worker needs a few seconds to stop its pool and close
    # the broker connection: the margin the manifests leave (grace - soft) must cover that
    try:
        process.wait(timeout=SOFT_SHUTDOWN_S + (grace - soft))
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {time.monotonic() - started:.1f} s after SIGTERM")
    assert process.returncode == 0
