"""Every object the kustomizations render validates against its schema, offline: Kubernetes
kinds against the API schemas of the oldest and a current supported version (strict: unknown
fields fail), the KEDA ScaledObject against its CRD. The validator itself is checked to reject
what a cluster would reject."""

from __future__ import annotations

import copy

import jsonschema
import kubernetes_validate
import pytest
from k8s_render import named, validate

# KEDA 2.16 supports Kubernetes 1.29 to 1.31; 1.33 catches removals in newer clusters
K8S_VERSIONS = ("1.29.0", "1.33.0")
EXPECTED_KINDS = {
    "base": {"ServiceAccount", "ConfigMap", "Service", "StatefulSet", "NetworkPolicy",
             "PersistentVolumeClaim", "Deployment", "PodDisruptionBudget", "ScaledObject",
             "CronJob"},
}
EXPECTED_KINDS["production"] = EXPECTED_KINDS["base"] | {"Namespace"}
EXPECTED_KINDS["local"] = EXPECTED_KINDS["production"] | {"Job"}


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("name", ["base", "local", "production"])
def test_every_rendered_object_validates(rendered, name: str, version: str) -> None:
    docs = rendered[name]
    assert {doc["kind"] for doc in docs} == EXPECTED_KINDS[name]
    failures = []
    for doc in docs:
        try:
            validate(doc, version)
        except (jsonschema.ValidationError, kubernetes_validate.ValidationError) as exc:
            failures.append(f"{doc['kind']}/{doc['metadata']['name']} {list(exc.path)}: {exc.message}")
    assert not failures, "\n".join(failures)


def test_a_typo_in_a_deployment_is_rejected(rendered) -> None:
    doc = copy.deepcopy(named(rendered["base"], "Deployment", "careatlas-ingest"))
    doc["spec"]["template"]["spec"]["containers"][0]["resource"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(doc, K8S_VERSIONS[0])


@pytest.mark.parametrize(("path", "value"), [
    (("spec", "minReplicaCount"), "0"),               # a string where the CRD wants an integer
    (("spec", "cooldownPeriodSeconds"), 300),         # not a field: a real cluster prunes/refuses it
    (("spec", "triggers", 0, "metadata", "listLength"), 4),  # trigger metadata are strings
])
def test_a_broken_scaled_object_is_rejected(rendered, path: tuple, value) -> None:
    doc = copy.deepcopy(named(rendered["base"], "ScaledObject", "careatlas-ingest"))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validate(doc, K8S_VERSIONS[0])


def test_an_unknown_custom_kind_is_not_waved_through(rendered) -> None:
    doc = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        validate(doc, K8S_VERSIONS[0])
