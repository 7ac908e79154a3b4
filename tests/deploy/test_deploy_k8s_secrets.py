"""k8s/create-secrets.sh, run for real (kubectl's client-side dry run needs no cluster): the
Secrets it prints validate, hold exactly the keys the manifests read, and agree with the
Service and KEDA trigger; bad input is refused without echoing a secret."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from k8s_render import containers, named, of_kind, pod_template, tool, validate, workloads

pytestmark = pytest.mark.skipif(os.name != "posix", reason="a POSIX shell script")

GOOD = {
    "REDIS_PASSWORD": "s3cretRedis42",
    "S3_ACCESS_KEY_ID": "lakeuser",
    "S3_SECRET_ACCESS_KEY": "lake-secret-value",
    "CENSUS_API_KEY": "census-key-value",
    "FLOWER_BASIC_AUTH": "admin:flower-pass",
}


def _run(repo: Path, tmp_path: Path, values: dict[str, str]) -> subprocess.CompletedProcess:
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
    path = f"{Path(tool('kubectl')).parent}:/usr/bin:/bin"
    return subprocess.run(["sh", str(repo / "k8s" / "create-secrets.sh"), str(env_file), "careatlas"],
                          capture_output=True, text=True, env={"PATH": path}, timeout=60, check=False)


def _secrets(stdout: str) -> dict[str, dict[str, str]]:
    docs = [doc for doc in yaml.safe_load_all(stdout) if doc]
    for doc in docs:
        validate(doc, "1.29.0")
    return {doc["metadata"]["name"]: {k: base64.b64decode(v).decode() for k, v in doc["data"].items()}
            for doc in docs}


@pytest.fixture(scope="module")
def secrets(repo: Path, tmp_path_factory) -> dict[str, dict[str, str]]:
    result = _run(repo, tmp_path_factory.mktemp("secrets"), GOOD)
    assert result.returncode == 0, result.stderr
    return _secrets(result.stdout)


def test_creates_the_three_secrets_in_the_namespace(repo, tmp_path) -> None:
    result = _run(repo, tmp_path, GOOD)
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    assert {doc["metadata"]["namespace"] for doc in docs} == {"careatlas"}
    assert {doc["metadata"]["name"] for doc in docs} == {"careatlas-redis", "careatlas-census",
                                                        "careatlas-s3"}


def test_redis_urls_point_at_the_redis_service_and_the_keda_database(secrets, rendered) -> None:
    redis = secrets["careatlas-redis"]
    assert redis["REDIS_PASSWORD"] == GOOD["REDIS_PASSWORD"]
    databases = {}
    for key in ("CAREATLAS_BROKER_URL", "CAREATLAS_RESULT_BACKEND", "CAREATLAS_REDIS_URL"):
        url = urlsplit(redis[key])
        assert (url.scheme, url.hostname, url.password) == ("redis", "redis", GOOD["REDIS_PASSWORD"])
        named(rendered["production"], "Service", url.hostname)
        databases[key] = url.path.lstrip("/")
    assert len(set(databases.values())) == 3, "broker, results and run state apart"
    (scaled,) = of_kind(rendered["production"], "ScaledObject")
    assert scaled["spec"]["triggers"][0]["metadata"]["databaseIndex"] == databases["CAREATLAS_BROKER_URL"]


def test_every_key_a_manifest_reads_is_in_its_secret(secrets, rendered) -> None:
    for docs in (rendered["local"], rendered["production"]):
        for workload in workloads(docs):
            for container in containers(workload):
                for item in container.get("env", []):
                    if ref := item.get("valueFrom", {}).get("secretKeyRef"):
                        assert ref["key"] in secrets[ref["name"]], f"{ref['name']}/{ref['key']}"


def test_settings_from_secrets_are_real_settings(secrets) -> None:
    from careatlas.shared.settings import Settings

    known = {f"CAREATLAS_{name.upper()}" for name in Settings.model_fields}
    for name in ("careatlas-redis", "careatlas-census", "careatlas-s3"):
        for key in secrets[name]:
            assert key in known or key == "REDIS_PASSWORD", f"{name}: {key}"


def test_keda_password_variable_comes_from_the_redis_secret(secrets, rendered) -> None:
    (scaled,) = of_kind(rendered["production"], "ScaledObject")
    variable = scaled["spec"]["triggers"][0]["metadata"]["passwordFromEnv"]
    assert variable in secrets["careatlas-redis"]
    ingest = named(rendered["production"], "Deployment", "careatlas-ingest")
    refs = [ref["secretRef"]["name"] for ref in pod_template(ingest)["spec"]["containers"][0]["envFrom"]
            if "secretRef" in ref]
    assert "careatlas-redis" in refs


def test_workload_identity_skips_the_s3_secret(repo, tmp_path) -> None:
    result = _run(repo, tmp_path, {**GOOD, "S3_ACCESS_KEY_ID": "", "S3_SECRET_ACCESS_KEY": ""})
    assert result.returncode == 0, result.stderr
    assert set(_secrets(result.stdout)) == {"careatlas-redis", "careatlas-census"}


@pytest.mark.parametrize(("change", "named_variable"), [
    ({"REDIS_PASSWORD": ""}, "REDIS_PASSWORD"),
    ({"REDIS_PASSWORD": "has@sign:and/slash"}, "REDIS_PASSWORD"),
    ({"CENSUS_API_KEY": "change-me"}, "CENSUS_API_KEY"),
    ({"S3_SECRET_ACCESS_KEY": ""}, "S3_SECRET_ACCESS_KEY"),
])
def test_bad_input_is_refused_naming_the_variable(repo, tmp_path, change, named_variable) -> None:
    result = _run(repo, tmp_path, {**GOOD, **change})
    assert result.returncode != 0
    assert named_variable in result.stderr
    assert result.stdout == "", "nothing half-written to pipe into kubectl apply"
    for value in (*GOOD.values(), *change.values()):
        if value and value != "change-me":
            assert value not in result.stderr, "a secret value in an error message"


def test_the_example_env_file_is_refused(repo) -> None:
    path = f"{Path(tool('kubectl')).parent}:/usr/bin:/bin"
    result = subprocess.run(["sh", str(repo / "k8s" / "create-secrets.sh"), str(repo / ".env.example")],
                            capture_output=True, text=True, env={"PATH": path}, timeout=60, check=False)
    assert result.returncode != 0 and "example value" in result.stderr
