"""Who can reach what in the rendered manifests: no secret values anywhere, Secrets referenced
only by the names k8s/create-secrets.sh creates, Redis reachable only by the workers (and the
KEDA operator), images pinned, and each overlay wired to its lake."""

from __future__ import annotations

import re

import pytest
import yaml
from k8s_render import containers, named, of_kind, pod_template, selector_matches, workloads

SECRET_NAMES = {"careatlas-redis", "careatlas-census", "careatlas-s3"}
# settings whose values are credentials (the Redis URLs carry the password)
SECRET_KEY = re.compile(r"PASSWORD|SECRET|API_KEY|ACCESS_KEY|TOKEN|AUTH|BROKER_URL|RESULT_BACKEND|REDIS_URL")
REDIS_CLIENTS = {"careatlas-ingest", "careatlas-census", "careatlas-transform",
                 "careatlas-weekly-update"}


def _secret_refs(container: dict) -> dict[str, bool]:
    """Secret name -> optional, for every Secret a container reads."""
    refs = {ref["secretRef"]["name"]: ref["secretRef"].get("optional", False)
            for ref in container.get("envFrom", []) if "secretRef" in ref}
    for item in container.get("env", []):
        if key_ref := item.get("valueFrom", {}).get("secretKeyRef"):
            refs[key_ref["name"]] = key_ref.get("optional", False)
    return refs


def test_no_secret_values_in_any_manifest(overlay) -> None:
    _, docs = overlay
    assert not of_kind(docs, "Secret"), "Secrets are created outside the tree"
    text = yaml.safe_dump_all(docs)
    assert not re.search(r"redis://:[^@\s]*@", text), "a password inside a URL"
    assert not re.search(r"AKIA[0-9A-Z]{16}", text), "an AWS access key id"
    (configmap,) = of_kind(docs, "ConfigMap")
    assert not [key for key in configmap["data"] if SECRET_KEY.search(key)]
    for workload in workloads(docs):
        for container in containers(workload):
            for item in container.get("env", []):
                if SECRET_KEY.search(item["name"]):
                    assert "valueFrom" in item, f"{item['name']} inlined in {workload['metadata']['name']}"


def test_secret_references_use_the_documented_names(overlay) -> None:
    _, docs = overlay
    for workload in workloads(docs):
        for container in containers(workload):
            assert set(_secret_refs(container)) <= SECRET_NAMES


def test_census_key_reaches_the_census_worker_only(overlay) -> None:
    _, docs = overlay
    readers = {workload["metadata"]["name"] for workload in workloads(docs)
               for container in containers(workload) if "careatlas-census" in _secret_refs(container)}
    assert readers == {"careatlas-census"}


def test_s3_keys_are_optional_for_careatlas_pods(overlay) -> None:
    """With workload identity there is no careatlas-s3 Secret: the pods must still start."""
    _, docs = overlay
    for workload in workloads(docs):
        if workload["metadata"]["name"].startswith("careatlas-"):
            for container in containers(workload):
                assert _secret_refs(container).get("careatlas-s3", True) is True


def test_only_workers_and_keda_reach_redis(overlay) -> None:
    _, docs = overlay
    redis = named(docs, "StatefulSet", "redis")
    policies = [p for p in of_kind(docs, "NetworkPolicy")
                if selector_matches(p["spec"]["podSelector"], pod_template(redis)["metadata"]["labels"])]
    assert len(policies) == 1
    spec = policies[0]["spec"]
    assert spec["policyTypes"] == ["Ingress"]
    (rule,) = spec["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 6379}]
    same_namespace = [peer for peer in rule["from"] if "namespaceSelector" not in peer]
    admitted = {workload["metadata"]["name"] for workload in workloads(docs)
                if any(selector_matches(peer["podSelector"], pod_template(workload)["metadata"]["labels"])
                       for peer in same_namespace)}
    assert admitted == REDIS_CLIENTS
    (keda,) = [peer for peer in rule["from"] if "namespaceSelector" in peer]
    assert keda["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "keda"}
    assert keda["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "keda-operator"}
    assert all(peer.get("podSelector", {}).get("matchLabels") for peer in rule["from"]), "no wildcards"


def test_every_workload_selector_matches_its_own_pods(overlay) -> None:
    _, docs = overlay
    for workload in of_kind(docs, "Deployment") + of_kind(docs, "StatefulSet"):
        assert selector_matches(workload["spec"]["selector"], pod_template(workload)["metadata"]["labels"])


def test_overlay_labels_every_object_but_no_selector(overlay) -> None:
    name, docs = overlay
    for doc in docs:
        labels = doc["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/part-of") == "careatlas", doc["metadata"]["name"]
        assert labels.get("app.kubernetes.io/instance") == f"careatlas-{name}"
    for workload in of_kind(docs, "Deployment") + of_kind(docs, "StatefulSet"):
        assert "app.kubernetes.io/instance" not in workload["spec"]["selector"]["matchLabels"]
        assert pod_template(workload)["metadata"]["labels"]["app.kubernetes.io/part-of"] == "careatlas"


def test_every_object_lives_in_the_overlay_namespace(overlay) -> None:
    _, docs = overlay
    (namespace,) = of_kind(docs, "Namespace")
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == namespace["metadata"]["name"]


def test_images_are_tagged_and_production_images_come_from_a_registry(overlay) -> None:
    name, docs = overlay
    for workload in workloads(docs):
        for container in containers(workload):
            image = container["image"]
            repository, _, tag = image.rpartition(":")
            assert repository and tag and tag != "latest", image
            if name == "production" and "careatlas-" in image:
                assert "." in image.split("/")[0], f"{image}: no registry host"


def test_pods_use_the_worker_service_account(overlay) -> None:
    _, docs = overlay
    account = named(docs, "ServiceAccount", "careatlas-worker")
    assert account["automountServiceAccountToken"] is False
    for workload in workloads(docs):
        if workload["metadata"]["name"].startswith("careatlas-"):
            assert pod_template(workload)["spec"]["serviceAccountName"] == "careatlas-worker"


def test_local_overlay_points_the_lake_at_its_minio(rendered) -> None:
    docs = rendered["local"]
    (configmap,) = of_kind(docs, "ConfigMap")
    settings = configmap["data"]
    endpoint = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", settings["CAREATLAS_S3_ENDPOINT_URL"])
    assert endpoint, settings["CAREATLAS_S3_ENDPOINT_URL"]
    service = named(docs, "Service", endpoint.group(1))
    assert int(endpoint.group(2)) in {port["port"] for port in service["spec"]["ports"]}
    bucket = re.fullmatch(r"s3://([^/]+)(/.*)?", settings["CAREATLAS_LAKE"]).group(1)
    (job,) = of_kind(docs, "Job")
    assert f"lake/{bucket}" in " ".join(containers(job)[0]["command"])
    minio = named(docs, "Deployment", "minio")
    assert _secret_refs(containers(minio)[0]) == {"careatlas-s3": False}


def test_production_uses_workload_identity_and_real_s3(rendered) -> None:
    docs = rendered["production"]
    account = named(docs, "ServiceAccount", "careatlas-worker")
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws:iam::")
    (configmap,) = of_kind(docs, "ConfigMap")
    assert "CAREATLAS_S3_ENDPOINT_URL" not in configmap["data"], "unset means AWS S3"
    assert configmap["data"]["CAREATLAS_LAKE"].startswith("s3://")
    assert not [d for d in docs if d["metadata"]["name"].startswith("minio")]


@pytest.mark.parametrize("name", ["local", "production"])
def test_settings_overlay_merges_into_the_base_config(rendered, name: str) -> None:
    (base,) = of_kind(rendered["base"], "ConfigMap")
    (merged,) = of_kind(rendered[name], "ConfigMap")
    assert set(base["data"]) <= set(merged["data"])
    assert merged["metadata"]["name"] != base["metadata"]["name"], "new hash: pods roll on change"
