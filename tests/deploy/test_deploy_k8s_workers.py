"""Invariants of the rendered workloads, per overlay: limits, non-root, probes, shutdown timing,
the single transform writer, the KEDA scaler on the ingest queue, and the weekly CronJob."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from k8s_render import (
    containers,
    duckdb_bytes,
    named,
    of_kind,
    pod_template,
    quantity,
    selector_matches,
    workloads,
)

from careatlas.shared.settings import Settings

WORKERS = {"ingest", "census", "transform"}


def _settings(docs) -> dict[str, str]:
    maps = of_kind(docs, "ConfigMap")
    assert len(maps) == 1 and maps[0]["metadata"]["name"].startswith("careatlas-settings-")
    return maps[0]["data"]


def _worker(docs, service: str) -> dict:
    return named(docs, "Deployment", f"careatlas-{service}")


def _argv(container: dict) -> list[str]:
    return container.get("command", []) + container.get("args", [])


def test_every_container_has_requests_and_limits(overlay) -> None:
    _, docs = overlay
    for workload in workloads(docs):
        for container in containers(workload):
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(kind, {})), (
                    f"{workload['metadata']['name']}/{container['name']}: {kind}")
            assert quantity(resources["requests"]["memory"]) <= quantity(resources["limits"]["memory"])


def test_every_pod_runs_as_non_root_with_a_locked_down_container(overlay) -> None:
    _, docs = overlay
    for workload in workloads(docs):
        pod = pod_template(workload)["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] > 0
        assert pod.get("automountServiceAccountToken") is False
        for container in containers(workload):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"]["drop"] == ["ALL"]


def test_worker_pods_run_as_the_image_user(overlay) -> None:
    _, docs = overlay
    for service in WORKERS:
        # the image's USER 10001 owns ~/.duckdb (the offline httpfs extension)
        assert pod_template(_worker(docs, service))["spec"]["securityContext"]["runAsUser"] == 10001


@pytest.mark.parametrize("service", sorted(WORKERS))
def test_worker_command_probes_and_shutdown(overlay, service: str) -> None:
    _, docs = overlay
    deployment = _worker(docs, service)
    pod = pod_template(deployment)["spec"]
    (container,) = pod["containers"]
    argv = _argv(container)
    assert argv[:4] == ["celery", "-A", f"careatlas.{service}.worker", "worker"]
    assert argv[argv.index("-Q") + 1] == service
    assert "--prefetch-multiplier=1" in argv
    for probe in ("livenessProbe", "readinessProbe"):
        command = " ".join(container[probe]["exec"]["command"])
        assert "inspect ping" in command and '"celery@$HOSTNAME"' in command
        assert container[probe]["timeoutSeconds"] > 10, "above the ping's own --timeout 10"
    settings = _settings(docs)
    soft = float(settings.get("CAREATLAS_WORKER_SOFT_SHUTDOWN_S",
                              Settings.model_fields["worker_soft_shutdown_s"].default))
    assert pod["terminationGracePeriodSeconds"] > soft
    assert settings["REMAP_SIGTERM"] == "SIGQUIT", "SIGTERM must start the soft shutdown"
    refs = [ref["configMapRef"]["name"] for ref in container["envFrom"] if "configMapRef" in ref]
    assert refs == [of_kind(docs, "ConfigMap")[0]["metadata"]["name"]]


def test_visibility_timeout_outlasts_the_longest_task(overlay) -> None:
    _, docs = overlay
    settings = _settings(docs)
    assert int(settings["CAREATLAS_VISIBILITY_TIMEOUT_S"]) > int(settings["CAREATLAS_TASK_TIME_LIMIT_S"])


@pytest.mark.parametrize("service", sorted(WORKERS))
def test_each_worker_has_a_disruption_budget_for_its_own_pods(overlay, service: str) -> None:
    _, docs = overlay
    labels = pod_template(_worker(docs, service))["metadata"]["labels"]
    budgets = [pdb for pdb in of_kind(docs, "PodDisruptionBudget")
               if selector_matches(pdb["spec"]["selector"], labels)]
    assert len(budgets) == 1
    others = [pod_template(w)["metadata"]["labels"] for w in workloads(docs) if w is not _worker(docs, service)]
    assert not any(selector_matches(budgets[0]["spec"]["selector"], other) for other in others)


def test_exactly_one_transform_writer(overlay) -> None:
    _, docs = overlay
    transform = _worker(docs, "transform")
    assert transform["spec"]["replicas"] == 1
    assert transform["spec"]["strategy"]["type"] == "Recreate"
    assert "--concurrency=1" in _argv(pod_template(transform)["spec"]["containers"][0])
    scaled = {so["spec"]["scaleTargetRef"]["name"] for so in of_kind(docs, "ScaledObject")}
    assert "careatlas-transform" not in scaled
    assert not of_kind(docs, "HorizontalPodAutoscaler")


def test_transform_keeps_duckdb_on_its_claim_and_within_its_limits(overlay) -> None:
    _, docs = overlay
    pod = pod_template(_worker(docs, "transform"))["spec"]
    (container,) = pod["containers"]
    settings = _settings(docs)
    warehouse_dir = str(PurePosixPath(settings["CAREATLAS_WAREHOUSE_PATH"]).parent)
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    claim = volumes[mounts[warehouse_dir]]["persistentVolumeClaim"]["claimName"]
    assert named(docs, "PersistentVolumeClaim", claim)["spec"]["accessModes"] == ["ReadWriteOnce"]
    limits = container["resources"]["limits"]
    # DuckDB's allocations outside its buffer manager, dbt and Python need headroom
    assert quantity(limits["memory"]) >= 1.25 * duckdb_bytes(settings["CAREATLAS_DUCKDB_MEMORY_LIMIT"])
    env = {item["name"]: item.get("value") for item in container.get("env", [])}
    assert int(env["CAREATLAS_DUCKDB_THREADS"]) <= quantity(limits["cpu"])
    # DuckDB spills beside the warehouse (profiles.yml: CAREATLAS_WAREHOUSE_PATH + ".tmp"), so its
    # spill cap must leave the claim room for the warehouse (~0.1 GB per million providers):
    # past the cap a build fails with DuckDB's clear error instead of filling the disk under it
    assert "CAREATLAS_DUCKDB_TEMP_DIRECTORY" not in settings
    storage = quantity(named(docs, "PersistentVolumeClaim", claim)["spec"]["resources"]["requests"]["storage"])
    assert duckdb_bytes(settings["CAREATLAS_DUCKDB_MAX_TEMP_SIZE"]) <= storage - quantity("8Gi")


def test_ingest_memory_limit_is_above_its_design_peak(overlay) -> None:
    _, docs = overlay
    (container,) = pod_template(_worker(docs, "ingest"))["spec"]["containers"]
    # the ingest design bounds a worker under 1 GiB (docs/deployment.md, sizing)
    assert quantity(container["resources"]["limits"]["memory"]) > quantity("1Gi")
    assert "--concurrency=1" in _argv(container)


def test_keda_scales_ingest_on_its_own_queue_list(overlay) -> None:
    name, docs = overlay
    (scaled,) = of_kind(docs, "ScaledObject")
    spec = scaled["spec"]
    ingest = _worker(docs, "ingest")
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                      "name": "careatlas-ingest"}
    assert "replicas" not in ingest["spec"], "KEDA owns the replica count"
    assert 0 <= spec["minReplicaCount"] < spec["maxReplicaCount"]
    assert spec["cooldownPeriod"] > 0
    (trigger,) = spec["triggers"]
    assert trigger["type"] == "redis"
    argv = _argv(pod_template(ingest)["spec"]["containers"][0])
    assert trigger["metadata"]["listName"] == argv[argv.index("-Q") + 1]
    assert trigger["metadata"]["databaseIndex"] == "0", "the broker database (create-secrets.sh)"
    host, port = trigger["metadata"]["address"].rsplit(":", 1)
    ns = ingest["metadata"].get("namespace")
    assert host == f"redis.{ns}.svc.cluster.local", f"{name}: KEDA resolves from its own namespace"
    service = named(docs, "Service", "redis")
    assert int(port) in {p["port"] for p in service["spec"]["ports"]}


def test_keda_reads_the_password_the_ingest_pods_have(overlay) -> None:
    _, docs = overlay
    (scaled,) = of_kind(docs, "ScaledObject")
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["metadata"]["passwordFromEnv"] == "REDIS_PASSWORD"
    assert "password" not in trigger["metadata"], "never inline"
    (container,) = pod_template(_worker(docs, "ingest"))["spec"]["containers"]
    secrets = {ref["secretRef"]["name"] for ref in container["envFrom"] if "secretRef" in ref}
    assert "careatlas-redis" in secrets  # holds REDIS_PASSWORD (test_deploy_k8s_secrets.py)


def test_weekly_update_cronjob(overlay) -> None:
    _, docs = overlay
    (cronjob,) = of_kind(docs, "CronJob")
    spec = cronjob["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert len(spec["schedule"].split()) == 5
    (container,) = pod_template(cronjob)["spec"]["containers"]
    # --catch-up: every missed weekly in order, each followed to its end (the Job fails with a run)
    assert _argv(container) == ["careatlas", "run", "--kind", "weekly", "--nppes", "$(NPPES_WEEKLY_URL)",
                                "--catch-up"]
    assert _settings(docs)["NPPES_WEEKLY_URL"].startswith("https://")
    assert pod_template(cronjob)["spec"]["restartPolicy"] == "Never"


def test_the_app_keeps_the_queue_length_honest() -> None:
    """KEDA's LLEN is the backlog only if a worker never holds more than the task it runs."""
    from careatlas.shared.celery_app import create_app

    conf = create_app(Settings(worker_soft_shutdown_s=60)).conf
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_soft_shutdown_timeout == 60
