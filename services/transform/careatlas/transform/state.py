"""What the warehouse was built from, read before a build to choose weekly or re-baseline.

``intermediate.int_releases_applied`` (a dbt model) logs the NPPES releases merged since the
baseline; ``build_log.builds_completed`` logs the builds whose models and tests all passed,
with the reference fingerprint and ACS vintage they used. ``record_completed`` writes it from
Python once dbt reports success, under the warehouse lock (a model cannot know that every test
after it passed). A run whose NPPES changes were merged but never completed, or a change of
reference data, makes the next build a re-baseline (docs/decisions/incremental-build.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class AppliedState:
    """What the warehouse holds (intermediate.int_releases_applied, build_log.builds_completed)."""

    full_release: str
    full_version: str
    weekly: frozenset[tuple[str, str]] = frozenset()  # (release, version)
    complete: bool = True  # every NPPES change merged so far belongs to a completed build
    fingerprint: str | None = None  # of the last completed build
    acs_year: int | None = None  # of the last completed build
    # the run building now already wrote NPIs here: its task was delivered again (acks_late) or
    # re-driven after it built. A second incremental build would take every NPI stamped with the
    # run id as changed by it and rebuild them from the weekly deltas alone.
    reexecuted: bool = False


def read_applied(warehouse: Path, run_id: str | None = None) -> AppliedState | None:
    """What the warehouse was built from; None for a new or unreadable warehouse. With
    ``run_id`` (the run about to build), whether that run already wrote NPIs here."""
    import duckdb

    if not warehouse.is_file():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {f"{schema}.{name}" for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()}
        if not _TABLES.issubset(tables):
            return None
        releases = con.execute(
            "select release_kind, strftime(release_date, '%Y-%m-%d'), release_version "
            "from intermediate.int_releases_applied"
        ).fetchall()
        unfinished = con.execute(_UNFINISHED).fetchone()
        last = con.execute(_LAST_COMPLETED).fetchone()
        reexecuted = run_id is not None and bool(con.execute(_WRITTEN_BY, [run_id]).fetchone()[0])
    full = [(release, version) for kind, release, version in releases if kind == "full"]
    if len(full) != 1:
        return None
    weekly = frozenset((release, version) for kind, release, version in releases if kind == "weekly")
    fingerprint, year = last if last else (None, None)
    return AppliedState(full[0][0], full[0][1], weekly, bool(unfinished) and not unfinished[0], fingerprint, year,
                        reexecuted)


def record_completed(warehouse: Path, build: dict[str, Any]) -> None:
    """Log build ``build`` (a run_inputs.build row) as completed; a run logged already (a
    redelivered task) is logged once. Hold the warehouse lock, with dbt's connection closed."""
    with small_write(warehouse) as con:
        con.execute("begin")
        con.execute(f"create schema if not exists {LOG_SCHEMA}")
        con.execute(f"create table if not exists {COMPLETED} ({_COMPLETED_COLUMNS})")
        con.execute(
            f"insert into {COMPLETED} select ?, ?, ?, ?, ?, current_timestamp "
            f"where not exists (select 1 from {COMPLETED} where run_id = ?)",
            [build["run_id"], build["reference_fingerprint"], build["demographics_product"], build["acs_year"],
             build["is_rebaseline"], build["run_id"]],
        )
        con.execute("commit")


@contextlib.contextmanager
def small_write(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection for a few small rows (the run's inputs, the completed-build log)
    that leaves them in the write-ahead log instead of checkpointing on close: a checkpoint
    rewrites the catalog of the whole warehouse (0.25-0.9 s at national size, two per build),
    the commit is already durable, and the next read-write open (dbt's) replays the WAL and
    checkpoints it with its own changes. A read-only open reads the WAL too."""
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        yield con
        con.execute("pragma disable_checkpoint_on_shutdown")


LOG_SCHEMA = "build_log"
COMPLETED = f"{LOG_SCHEMA}.builds_completed"
_COMPLETED_COLUMNS = (
    "run_id varchar not null, reference_fingerprint varchar not null, demographics_product varchar not null, "
    "acs_year integer, is_rebaseline boolean not null, completed_at timestamp not null"
)
_TABLES = {"intermediate.int_releases_applied", COMPLETED, "intermediate.int_providers_merged"}
# NPIs written by a run that never completed: its changes may not have reached every model
_UNFINISHED = (
    "select count(*) from intermediate.int_providers_merged "
    f"where applied_run_id not in (select run_id from {COMPLETED})"
)
_WRITTEN_BY = "select count(*) > 0 from intermediate.int_providers_merged where applied_run_id = ?"
_LAST_COMPLETED = f"select reference_fingerprint, acs_year from {COMPLETED} order by completed_at desc limit 1"
