"""All settings in one place, read from the environment (prefix ``CAREATLAS_``), under the
values a CLI command's options chose (``override_settings``).

Secrets are ``SecretStr``: they print as ``**********`` and must be unwrapped on purpose.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MiB = 1024 * 1024
GiB = 1024 * MiB
# where URLs may be fetched from (landing and reference downloads), redirects included; a leading
# "." admits the subdomains too
OFFICIAL_HOSTS = (
    "download.cms.gov", "www.cms.gov",  # CMS: NPPES files, deactivation reports
    "www.nucc.org", "nucc.org",  # NUCC taxonomy
    "www.huduser.gov", "huduser.gov",  # HUD-USPS crosswalks
    "api.census.gov", "www2.census.gov", "www.census.gov",  # Census
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAREATLAS_", extra="ignore", env_file=None)

    # ---- lake: a local folder (embedded default) or s3://bucket[/prefix]
    lake: str = "lake"
    s3_endpoint_url: str | None = None  # MinIO / moto; unset means AWS
    s3_region: str = "us-east-1"
    s3_access_key_id: SecretStr | None = None  # unset: boto3's default chain (IRSA, profile)
    s3_secret_access_key: SecretStr | None = None

    # ---- Celery on Redis
    broker_url: str = "redis://127.0.0.1:6379/0"
    result_backend: str = "redis://127.0.0.1:6379/1"
    redis_url: str = "redis://127.0.0.1:6379/2"  # run state and locks
    visibility_timeout_s: int = 12 * 3600  # longer than the longest task (STACK.md)
    # how often workers look for messages whose worker died (after the visibility timeout)
    unacked_restore_interval_s: int = 60
    task_time_limit_s: int = 6 * 3600
    worker_soft_shutdown_s: float = 60.0
    # the release lock of a run: renewed by its tasks while they work, so a dead run's lock is
    # gone this long after its last task (docs/runbook.md "Locks")
    run_lock_ttl_s: int = Field(default=300, ge=3)
    # deliveries of one task message (a lost worker gives it back) before the run fails: an
    # input that kills every worker must not loop (docs/runbook.md "Poison input")
    max_task_deliveries: int = Field(default=3, ge=1)
    # `careatlas run` refuses a full release whose raw file is under this share of the last
    # full release's (same file type) unless --force: a weekly or a truncated file as baseline
    full_release_min_fraction: float = Field(default=0.5, ge=0, le=1)

    # ---- ingest
    chunk_bytes: int = Field(default=96 * MiB, ge=1024)  # worker peak RSS follows it (bench/RESULTS.md)
    parse_batch_bytes: int = Field(default=16 * MiB, ge=1024)
    compact_target_bytes: int = Field(default=256 * MiB, ge=1024)
    ingest_workers: int = Field(default=0, ge=0)  # embedded mode; 0 = all cores
    ingest_worker_threads: int = Field(default=0, ge=0)  # Polars threads per worker; 0 = cores / workers
    # each embedded worker in its own session: Linux's autogroup scheduler then weighs it as its
    # own group, as a worker pod's cgroup is, instead of sharing one session's CPU share with the
    # other workers (bench/RESULTS.md: on a machine other sessions load, 2 workers in one session
    # get the CPU of 1)
    ingest_worker_sessions: bool = False

    # ---- input bounds: past these a file fails with an error naming it and the byte offset,
    # instead of a worker holding it all in memory (docs/runbook.md "Poison input")
    max_record_bytes: int = Field(default=1 * MiB, ge=1024)  # NPPES records are ~1.5 KB
    max_decompressed_bytes: int = Field(default=64 * GiB, ge=MiB)  # the 2025 npidata CSV is ~11 GB
    max_compression_ratio: float = Field(default=200.0, gt=1)  # CMS zips ~9:1, bombs ~1000:1
    max_reference_bytes: int = Field(default=1 * GiB, ge=MiB)  # a reference file, or an xlsx unpacked

    # ---- fetching URLs (careatlas land/run/ingest and reference downloads)
    fetch_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = OFFICIAL_HOSTS  # comma-separated in the env
    fetch_allow_http: bool = False  # plain http (tests, a local mirror); https -> http redirects never
    fetch_max_bytes: int = Field(default=16 * GiB, ge=1024)  # the monthly NPPES zip is ~1 GB
    fetch_timeout_s: float = Field(default=3600.0, gt=0)  # the whole download, not one read
    fetch_read_timeout_s: float = Field(default=60.0, gt=0)

    # ---- census
    census_api_key: SecretStr | None = None  # required for live calls only
    census_base_url: str = "https://api.census.gov/data"
    census_timeout_s: float = 30.0
    census_max_retries: int = 5  # HTTP retries of in-process fetches (CLI, embedded); workers retry via Celery
    census_cache_ttl_days: int = 30

    # ---- transform
    warehouse_path: Path = Path(".careatlas/warehouse.duckdb")
    dbt_project_dir: Path | None = None  # default: the repo's dbt/ folder
    duckdb_memory_limit: str = "4GB"
    duckdb_threads: int = 0  # 0 = DuckDB's default (all cores)
    dbt_threads: int = 2  # dbt --threads (read by dbt/profiles.yml); one DuckDB database either way
    # dbt's own log file (<warehouse dir>/dbt-target/logs/dbt.log); debug adds every SQL statement
    # and costs a weekly build ~5%
    dbt_log_level_file: Literal["debug", "info", "warn", "error", "none"] = "info"
    # where providers are counted (docs/access.md): "primary" = the primary practice address;
    # "all_locations" = equal shares over the primary and the pl_pfile secondary locations
    location_allocation: Literal["primary", "all_locations"] = "primary"

    # ---- reference data for the demo and tests (../shared/reference when present)
    reference_dir: Path | None = None

    # ---- logging
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"

    @field_validator("lake")
    @classmethod
    def _lake_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("CAREATLAS_LAKE must be a folder path or s3://bucket[/prefix]")
        return value.strip().rstrip("/") or "/"

    @field_validator("fetch_allowed_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(h.strip().lower() for h in value.split(",") if h.strip())
        return value

    @property
    def lake_is_s3(self) -> bool:
        return self.lake.startswith("s3://")


# what override_settings chose: these win over the environment
_overrides: dict[str, Any] = {}


@lru_cache
def get_settings() -> Settings:
    """Settings read once per process; lazy so tests and the CLI can set the environment first."""
    return Settings(**_overrides)


def override_settings(**values: Any) -> Settings:
    """Make ``values`` (those not None) win over the environment in what ``get_settings()``
    returns in this process, replacing what an earlier call chose, and return those settings.
    The environment is left as it is; ``override_settings()`` goes back to it alone."""
    reset_settings()
    _overrides.update({name: value for name, value in values.items() if value is not None})
    return get_settings()


def reset_settings() -> None:
    """Forget the overrides and the cached settings: the next ``get_settings()`` reads the
    environment as it is then (tests change it between calls)."""
    _overrides.clear()
    get_settings.cache_clear()
