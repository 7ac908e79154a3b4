"""dbt in-process (``dbtRunner``), one invocation at a time.

dbt-core "doesn't support safe parallel execution for multiple invocations in the same
process", and DuckDB allows one writer per database file: a process lock serialises
invocations and an advisory file lock beside the warehouse keeps a second process out.
The profile (dbt/profiles.yml) reads everything from the environment, set here per call.

A process parses the project once per parse key (``parse_key``: the project's files, the
profile environment but the warehouse's folder, dbt's version) and hands each later invocation
a copy of that manifest (``dbtRunner(manifest=...)``): dbt's partial parse costs a long-lived
worker 0.4 s a build and a new warehouse folder a full parse (its partial-parse state is keyed
on the profile, path included), while a copy costs 0.1 s. A copy, because compiling mutates
nodes (dbt marks ephemeral CTEs injected and would not inject them again). dbt fires its events
through ``dbt_events.LevelFilteredEventManager``: events no logger writes cost nothing.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from careatlas.shared import host
from careatlas.shared.settings import Settings

log = structlog.get_logger(__name__)

_PROCESS_LOCK = threading.Lock()
DEFAULT_PROJECT_DIR = Path(__file__).resolve().parents[4] / "dbt"


class WarehouseBusy(RuntimeError):
    """Another process is running dbt on the same warehouse file."""


@dataclass(frozen=True)
class DbtConfig:
    project_dir: Path
    warehouse_path: Path
    target: str  # embedded | s3 (dbt/profiles.yml)
    target_path: Path
    env: dict[str, str] = field(repr=False)  # credentials included: never log it

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        lake_is_s3: bool,
        warehouse_path: Path | None = None,
        project_dir: Path | None = None,
        target_path: Path | None = None,
    ) -> DbtConfig:
        project = Path(project_dir or settings.dbt_project_dir or DEFAULT_PROJECT_DIR).resolve()
        warehouse = Path(warehouse_path or settings.warehouse_path).resolve()
        return cls(
            project_dir=project,
            warehouse_path=warehouse,
            target="s3" if lake_is_s3 else "embedded",
            # beside the warehouse: partial parsing state survives, the repo stays clean
            target_path=Path(target_path or warehouse.parent / "dbt-target").resolve(),
            env=profile_env(settings, warehouse, "s3" if lake_is_s3 else "embedded"),
        )


def profile_env(settings: Settings, warehouse: Path, target: str) -> dict[str, str]:
    """The environment dbt/profiles.yml reads."""
    env = {
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "CAREATLAS_DBT_TARGET": target,
        "CAREATLAS_WAREHOUSE_PATH": str(warehouse),
        "CAREATLAS_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
        "CAREATLAS_DBT_THREADS": str(settings.dbt_threads),
        "DBT_LOG_LEVEL_FILE": settings.dbt_log_level_file,
        "CAREATLAS_DBT_DUCKDB_THREADS": str(settings.duckdb_threads or os.cpu_count() or 1),
        "CAREATLAS_S3_REGION": settings.s3_region,
        # read when models compile (macro location_allocation_mode): a primary build plans no
        # secondary-location branch; the plan writes the same value into run_inputs.build
        "CAREATLAS_DBT_LOCATION_ALLOCATION": settings.location_allocation,
    }
    if target == "s3":
        if settings.s3_endpoint_url:
            env["CAREATLAS_S3_ENDPOINT_URL"] = settings.s3_endpoint_url.rstrip("/")
        static = settings.s3_access_key_id and settings.s3_secret_access_key
        # no static key pair: workload identity (IRSA) through DuckDB's credential chain
        env["CAREATLAS_S3_PROVIDER"] = "config" if static else "credential_chain"
        if static:
            env["CAREATLAS_S3_ACCESS_KEY_ID"] = settings.s3_access_key_id.get_secret_value()
            env["CAREATLAS_S3_SECRET_ACCESS_KEY"] = settings.s3_secret_access_key.get_secret_value()
    return env


@dataclass(frozen=True)
class NodeResult:
    unique_id: str
    resource_type: str
    status: str  # success | error | fail | warn | pass | skipped
    failures: int | None
    message: str | None
    execution_time_s: float

    @property
    def name(self) -> str:
        """``test.careatlas.<name>.<hash>`` -> name; unit tests keep ``<model>.<test>``."""
        parts = self.unique_id.split(".")
        return ".".join(parts[2:4]) if self.resource_type == "unit_test" else parts[2]


@dataclass(frozen=True)
class DbtResult:
    success: bool
    nodes: list[NodeResult]
    elapsed_s: float
    run_results: dict[str, Any] | None  # dbt's run_results.json, as written
    error: str | None = None

    def with_status(self, *statuses: str) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in statuses]

    def test_summary(self) -> dict[str, int]:
        summary: dict[str, int] = {}
        for node in self.nodes:
            if node.resource_type in ("test", "unit_test"):
                summary[node.status] = summary.get(node.status, 0) + 1
        return summary


class ExtensionUnavailable(RuntimeError):
    """A DuckDB extension the profile needs is neither installed nor shipped as a wheel."""


def ensure_httpfs(*, credential_chain: bool = False) -> None:
    """Install DuckDB's httpfs (and, for workload identity, aws) from their duckdb-extension-*
    wheels (offline), once per machine."""
    import duckdb

    needed = ["httpfs", "aws"] if credential_chain else ["httpfs"]
    with duckdb.connect() as con:
        for name in needed:
            installed = con.execute(
                "select installed from duckdb_extensions() where extension_name = ?", [name]).fetchone()
            if installed and installed[0]:
                continue
            from duckdb_extensions import import_extension

            try:
                import_extension(name, con=con)
            except (ImportError, OSError, duckdb.Error) as error:
                raise ExtensionUnavailable(
                    f"DuckDB's {name} extension is not installed and its wheel (duckdb-extension-{name}) "
                    f"cannot be imported ({error}); without static S3 keys the transform reads S3 through "
                    "the credential chain, which needs it: install the wheel or set CAREATLAS_S3_ACCESS_KEY_ID"
                ) from None
            log.info("duckdb extension installed from wheel", extension=name)


_RESULT_COMMANDS = ("build", "run", "test", "seed")  # the commands that write run_results.json
_MANIFEST_COMMANDS = (*_RESULT_COMMANDS, "compile", "docs")  # the ones a parsed manifest serves
_MANIFESTS: dict[str, Any] = {}  # parse_key -> the manifest dbt parsed; read and written under _PROCESS_LOCK
_MANIFESTS_KEPT = 4  # a worker has one; a test process a few projects and settings
_NOT_PARSED = frozenset({"CAREATLAS_WAREHOUSE_PATH"})  # its file name is: dbt-duckdb names the database after it
_NOT_PROJECT_FILES = frozenset({"target", "logs", "dbt_packages"})


def invoke(config: DbtConfig, args: list[str], *, setup: Callable[[], None] | None = None,
           on_success: Callable[[], None] | None = None) -> DbtResult:
    """Run one dbt command (``["build", ...]``) against the configured project and warehouse.
    ``setup`` runs first under the same locks (writing the run's inputs into the warehouse);
    ``on_success`` runs after a successful command, still under them, with dbt's database closed
    (recording the build as completed)."""
    from dbt.cli.main import dbtRunner

    from careatlas.transform import dbt_events

    dbt_events.install()
    if config.target == "s3":
        ensure_httpfs(credential_chain=config.env.get("CAREATLAS_S3_PROVIDER") == "credential_chain")
    config.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    common = [
        "--project-dir", str(config.project_dir),
        "--profiles-dir", str(config.project_dir),
        "--target", config.target,
        "--target-path", str(config.target_path),
        "--log-path", str(config.target_path / "logs"),
    ]
    results_file = config.target_path / "run_results.json"
    with _PROCESS_LOCK, _warehouse_lock(config.warehouse_path), host.environment(config.env):
        # the environment under _PROCESS_LOCK: dbt reads os.environ while it renders the profile
        # a failed invocation may write none: never report the previous run's results
        results_file.unlink(missing_ok=True)
        if setup is not None:
            setup()
        started = time.monotonic()
        try:
            manifest = _parsed_manifest(config, common) if args[:1] and args[0] in _MANIFEST_COMMANDS else None
            outcome = dbtRunner(manifest=manifest).invoke([*args, *common])
        finally:
            release_database()
        elapsed = time.monotonic() - started
        if outcome.success and on_success is not None:
            on_success()
    command = args[0] if args else "dbt"
    if command in _RESULT_COMMANDS and not results_file.is_file() and hasattr(outcome.result, "write"):
        outcome.result.write(str(results_file))  # dbt writes none under --no-write-json
    nodes = _node_results(outcome.result)
    error = None if outcome.exception is None else f"{type(outcome.exception).__name__}: {outcome.exception}"
    log.info("dbt finished", command=command, success=outcome.success, seconds=round(elapsed, 2),
             nodes=len(nodes))
    return DbtResult(outcome.success, nodes, elapsed, _read_run_results(results_file, command), error)


def parse_key(config: DbtConfig) -> str:
    """What dbt's parse of the project depends on: every file of the project, the profile's
    environment (the warehouse by its file name only), the target and dbt's version."""
    from dbt.version import __version__ as dbt_version

    digest = hashlib.sha256(
        f"{dbt_version}\0{config.project_dir}\0{config.target}\0{config.warehouse_path.name}".encode())
    for name, value in sorted(config.env.items()):
        if name not in _NOT_PARSED:
            digest.update(f"\0{name}={value}".encode())
    for path in sorted(config.project_dir.rglob("*")):
        relative = path.relative_to(config.project_dir)
        if path.is_file() and relative.parts[0] not in _NOT_PROJECT_FILES:
            digest.update(f"\0{relative}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _parsed_manifest(config: DbtConfig, common_args: list[str]) -> Any | None:
    """A copy of the project's parsed manifest: parsed once per parse key in this process
    (``dbt parse``, partial parsing as ever); None if the parse fails (the command then parses
    again and reports the error). Call under _PROCESS_LOCK, in the profile's environment."""
    from dbt.cli.main import dbtRunner

    key = parse_key(config)
    if key not in _MANIFESTS:
        parsed = dbtRunner().invoke(["parse", "--quiet", "--no-write-json", *common_args])
        if not parsed.success or parsed.result is None:
            return None
        while len(_MANIFESTS) >= _MANIFESTS_KEPT:
            _MANIFESTS.pop(next(iter(_MANIFESTS)))
        _MANIFESTS[key] = parsed.result
    return _copy_manifest(_MANIFESTS[key])


def _copy_manifest(manifest: Any) -> Any:
    """A deep copy of the manifest's content; its lookups, macro caches and lock are new (built
    lazily). Not ``copy.deepcopy``: dbt-core 1.11's ``Manifest.__reduce_ex__`` passes its fields
    positionally without ``fixtures``, so every lookup after it lands in the wrong field."""
    from dbt.contracts.graph.manifest import Manifest

    return Manifest(**{item.name: copy.deepcopy(getattr(manifest, item.name))
                       for item in dataclasses.fields(Manifest) if item.init and not item.name.startswith("_")})


class DbtDuckdbChanged(RuntimeError):
    """dbt-duckdb no longer has the internals ``release_database`` relies on."""


def release_database() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after an invocation,
    so the warehouse can be opened again (read-only for export, or by another process).

    The one use of dbt-duckdb's private internals (its process-wide environment, which holds
    the database open, and the lock guarding it: dbt-duckdb 1.11 has no public close).
    tests/unit/transform/test_transform_dbt_runner.py fails loudly when an upgrade changes them."""
    from dbt.adapters.duckdb import __version__ as dbt_duckdb
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    if not (hasattr(DuckDBConnectionManager, "_LOCK") and hasattr(DuckDBConnectionManager, "_ENV")):
        raise DbtDuckdbChanged(f"dbt-duckdb {dbt_duckdb.version}: DuckDBConnectionManager has no _LOCK/_ENV; "
                               "dbt_runner.release_database must be adapted to this version")
    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
        DuckDBConnectionManager.close_all_connections()


def _node_results(result: Any) -> list[NodeResult]:
    nodes = []
    for item in getattr(result, "results", None) or []:
        node = getattr(item, "node", None)
        if node is None:
            continue
        nodes.append(NodeResult(
            unique_id=node.unique_id,
            resource_type=str(node.resource_type),
            status=str(item.status),
            failures=getattr(item, "failures", None),
            message=getattr(item, "message", None),
            execution_time_s=float(getattr(item, "execution_time", 0.0) or 0.0),
        ))
    return nodes


def _read_run_results(path: Path, command: str) -> dict[str, Any] | None:
    if command not in _RESULT_COMMANDS or not path.is_file():
        return None
    return json.loads(path.read_text())


@contextlib.contextmanager
def _warehouse_lock(warehouse: Path) -> Iterator[None]:
    busy = WarehouseBusy(f"another process is running dbt on {warehouse}")
    with host.file_lock(warehouse.with_name(warehouse.name + ".lock"), busy=lambda: busy):
        yield
