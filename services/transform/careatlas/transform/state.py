"""What the warehouse was built from, read before a build to choose weekly or re-baseline.

``intermediate.int_releases_applied`` logs the NPPES releases merged since the baseline;
``intermediate.int_builds_completed`` logs builds whose models and tests all passed, with the
reference fingerprint and ACS vintage they used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AppliedState:
    """What the warehouse holds (intermediate.int_releases_applied, int_builds_completed)."""

    full_release: str
    full_version: str
    weekly: frozenset[tuple[str, str]] = frozenset()  # (release, version)
    complete: bool = True  # every NPPES change merged so far belongs to a completed build
    fingerprint: str | None = None  # of the last completed build
    acs_year: int | None = None  # of the last completed build


def read_applied(warehouse: Path) -> AppliedState | None:
    """What the warehouse was built from; None for a new or unreadable warehouse."""
    import duckdb

    if not warehouse.is_file():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'intermediate'"
        ).fetchall()}
        if not _TABLES.issubset(tables):
            return None
        releases = con.execute(
            "select release_kind, strftime(release_date, '%Y-%m-%d'), release_version "
            "from intermediate.int_releases_applied"
        ).fetchall()
        unfinished = con.execute(_UNFINISHED).fetchone()
        last = con.execute(_LAST_COMPLETED).fetchone()
    full = [(release, version) for kind, release, version in releases if kind == "full"]
    if len(full) != 1:
        return None
    weekly = frozenset((release, version) for kind, release, version in releases if kind == "weekly")
    fingerprint, year = last if last else (None, None)
    return AppliedState(full[0][0], full[0][1], weekly, bool(unfinished) and not unfinished[0], fingerprint, year)


_TABLES = {"int_releases_applied", "int_builds_completed", "int_providers_merged"}
# NPIs written by a run that never completed: its changes may not have reached every model
_UNFINISHED = (
    "select count(*) from intermediate.int_providers_merged "
    "where applied_run_id not in (select run_id from intermediate.int_builds_completed)"
)
_LAST_COMPLETED = (
    "select reference_fingerprint, acs_year from intermediate.int_builds_completed "
    "order by completed_at desc limit 1"
)
