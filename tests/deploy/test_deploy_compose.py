"""compose.yaml and compose.override.yaml, checked without a Docker engine: interpolated as
compose would, validated against the compose specification's JSON schema (the copy vendored
by check-jsonschema), and held to the deployment's invariants."""

from __future__ import annotations

import json
import re
import shlex
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from compose_env import (
    MissingVariable,
    commented_variables,
    load_compose,
    read_env_file,
    referenced_variables,
)

from careatlas.shared.settings import Settings

REQUIRED = {"REDIS_PASSWORD", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "CENSUS_API_KEY",
            "FLOWER_BASIC_AUTH"}
WORKERS = ("ingest", "census", "transform")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|API_KEY|ACCESS_KEY|BASIC_AUTH|REDISCLI_AUTH")
FILES = ("compose.yaml", "compose.override.yaml")


@pytest.fixture(scope="module")
def env(repo: Path) -> dict[str, str]:
    """.env.example with its placeholders swapped for distinct test values."""
    values = read_env_file(repo / ".env.example")
    return {key: f"test{key.lower().replace('_', '')}" if "change-me" in value else value
            for key, value in values.items()}


@pytest.fixture(scope="module")
def compose(repo: Path, env: dict[str, str]) -> dict[str, Any]:
    return load_compose(repo / "compose.yaml", env)


@pytest.fixture(scope="module")
def compose_schema() -> jsonschema.protocols.Validator:
    schema = json.loads(
        files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
    )
    return jsonschema.validators.validator_for(schema)(schema)


@pytest.mark.parametrize("name", FILES)
def test_compose_file_validates_against_the_specification(repo, env, compose_schema, name) -> None:
    errors = sorted(compose_schema.iter_errors(load_compose(repo / name, env)), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_required_variables_are_exactly_the_secrets(repo: Path) -> None:
    referenced = referenced_variables(load_compose(repo / "compose.yaml"))
    assert {name for name, required in referenced.items() if required} == REQUIRED


@pytest.mark.parametrize("missing", sorted(REQUIRED))
@pytest.mark.parametrize("blank", [False, True], ids=["unset", "empty"])
def test_a_missing_required_variable_fails_fast(repo, env, missing: str, blank: bool) -> None:
    broken = {key: value for key, value in env.items() if key != missing}
    if blank:
        broken[missing] = ""
    with pytest.raises(MissingVariable) as excinfo:
        load_compose(repo / "compose.yaml", broken)
    assert excinfo.value.name == missing
    assert ".env" in str(excinfo.value), "the message tells the user where to set it"


def test_env_example_lists_every_variable_compose_reads(repo: Path, compose) -> None:
    example = repo / ".env.example"
    documented = set(read_env_file(example)) | commented_variables(example)
    interpolated = set()
    for name in FILES:
        interpolated |= set(referenced_variables(load_compose(repo / name)))
    passed_through = {key for service in compose["services"].values()
                      for key, value in (service.get("environment") or {}).items() if value is None}
    assert interpolated | passed_through <= documented
    assert documented <= interpolated | passed_through, "stale entries in .env.example"


def test_pass_through_settings_exist_in_settings(compose) -> None:
    known = {f"CAREATLAS_{name.upper()}" for name in Settings.model_fields}
    for name, service in compose["services"].items():
        for key in service.get("environment") or {}:
            if key.startswith("CAREATLAS_"):
                assert key in known, f"{name}: {key} is not a setting in settings.py"


def test_secrets_are_never_inlined(repo: Path) -> None:
    raw = load_compose(repo / "compose.yaml")
    for name, service in raw["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key) or "redis://" in str(value):
                assert "${" in str(value), f"{name}.{key} holds a literal value"
    assert not re.search(r"redis://:[^$@]+@", (repo / "compose.yaml").read_text())


def test_only_the_census_worker_gets_the_census_key(compose) -> None:
    holders = {name for name, service in compose["services"].items()
               if "CAREATLAS_CENSUS_API_KEY" in (service.get("environment") or {})}
    assert holders == {"census"}


def test_redis_has_a_password_persistence_and_a_healthcheck(compose, env) -> None:
    redis = compose["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--requirepass") + 1] == env["REDIS_PASSWORD"]
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    assert "redis-data:/data" in redis["volumes"]
    assert "PONG" in " ".join(redis["healthcheck"]["test"])


def test_minio_is_healthy_before_the_bucket_is_created(compose) -> None:
    services = compose["services"]
    assert "healthcheck" in services["minio"]
    init = services["minio-init"]
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    assert "mc mb --ignore-existing" in init["command"][0]


@pytest.mark.parametrize("worker", WORKERS)
def test_workers_wait_for_redis_and_the_bucket(compose, worker: str) -> None:
    depends = compose["services"][worker]["depends_on"]
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["minio-init"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("worker", WORKERS)
def test_worker_command_queue_and_limits(compose, worker: str) -> None:
    service = compose["services"][worker]
    command = service["command"]
    assert command[:4] == ["celery", "-A", f"careatlas.{worker}.worker", "worker"]
    assert command[command.index("-Q") + 1] == worker
    assert "--prefetch-multiplier=1" in command
    assert service["build"]["args"]["SERVICE"] == worker
    assert "memory" in service["deploy"]["resources"]["limits"]


@pytest.mark.parametrize("worker", WORKERS)
def test_stop_grace_period_outlasts_the_soft_shutdown(compose, worker: str) -> None:
    service = compose["services"][worker]
    environment = service["environment"]
    soft = float(environment.get("CAREATLAS_WORKER_SOFT_SHUTDOWN_S")
                 or Settings.model_fields["worker_soft_shutdown_s"].default)
    grace = re.fullmatch(r"(\d+)s", service["stop_grace_period"])
    assert grace and int(grace.group(1)) > soft
    assert environment["REMAP_SIGTERM"] == "SIGQUIT"


def test_exactly_one_transform_with_its_warehouse_volume(compose) -> None:
    transform = compose["services"]["transform"]
    # a fixed container_name makes `--scale transform=2` an error
    assert transform["container_name"]
    assert transform.get("deploy", {}).get("replicas", 1) == 1
    assert "--concurrency=1" in transform["command"]
    warehouse = Path(transform["environment"]["CAREATLAS_WAREHOUSE_PATH"])
    assert f"warehouse:{warehouse.parent}" in transform["volumes"]
    assert {"warehouse", "redis-data"} <= set(compose["volumes"])


def test_ingest_scales_freely(compose) -> None:
    ingest = compose["services"]["ingest"]
    assert "container_name" not in ingest and "ports" not in ingest
    assert "--concurrency=1" in ingest["command"]


def test_cli_is_a_run_only_service(compose) -> None:
    cli = compose["services"]["cli"]
    assert cli["profiles"] == ["cli"], "`up` must not start it; `run --rm cli` still can"
    assert cli["build"]["args"]["SERVICE"] == "cli"


def test_flower_runs_with_a_login(compose, env) -> None:
    flower = compose["services"]["flower"]
    assert shlex.join(flower["command"]).startswith("celery -A careatlas.shared.celery_app flower")
    assert flower["environment"]["FLOWER_BASIC_AUTH"] == env["FLOWER_BASIC_AUTH"]
    assert "CAREATLAS_S3_SECRET_ACCESS_KEY" not in flower["environment"], "least privilege"


def test_ports_are_published_only_by_the_override_and_only_on_loopback(repo, env) -> None:
    base = load_compose(repo / "compose.yaml", env)
    assert not any("ports" in service for service in base["services"].values())
    override = load_compose(repo / "compose.override.yaml", env)
    ports = [port for service in override["services"].values() for port in service.get("ports", [])]
    assert ports and all(port.startswith("127.0.0.1:") for port in ports)
    assert set(override["services"]) <= set(base["services"])
