"""Published NPPES releases: the pointer files that make a release visible, atomically.

Ingest writes a release's compacted Parquet under ``.../version=<v>/`` and then switches the
release's ``_published.json`` pointer to it in one PUT. Readers (transform, report) follow the
pointers and read exactly the files listed there, so they never see a half-written release.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from careatlas.shared import layout
from careatlas.shared.storage import Lake, LakeKeyNotFound


class PublishedRelease(BaseModel):
    dataset: str  # npidata | npidata_weekly | othername | pl | endpoint
    release: str  # YYYY-MM-DD
    kind: Literal["full", "weekly"]
    version: str  # the ingest run that wrote it
    files: list[str]  # lake keys of the Parquet files, all of them and nothing else
    rows: int  # rows written (valid rows)
    rows_quarantined: int
    source_file: str
    source_sha256: str
    published_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    schema_legacy: bool = False


def publish(lake: Lake, release: PublishedRelease) -> None:
    lake.write_json(layout.nppes_pointer(release.dataset, release.release), release.model_dump(mode="json"))


def read(lake: Lake, dataset: str, release: str) -> PublishedRelease | None:
    try:
        return PublishedRelease.model_validate(lake.read_json(layout.nppes_pointer(dataset, release)))
    except LakeKeyNotFound:
        return None


def list_published(lake: Lake, dataset: str) -> list[PublishedRelease]:
    """Every published release of a dataset, oldest first."""
    pointers = [k for k in lake.list(layout.nppes_dataset(dataset)) if layout.is_nppes_pointer(k)]
    releases = [PublishedRelease.model_validate(lake.read_json(k)) for k in pointers]
    return sorted(releases, key=lambda r: r.release)
