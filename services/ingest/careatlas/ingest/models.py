"""Messages between the ingest steps: the plan, one chunk's work, one chunk's result.

They travel as JSON (Celery arguments and lake files), so they are plain pydantic models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ChunkSpec(BaseModel):
    dataset: str
    release: str
    version: str
    chunk: int
    source_key: str  # the raw file (plain CSV) or a decompressed piece in staging
    start: int
    end: int
    legacy_header: bool = False


class ChunkResult(BaseModel):
    chunk: int
    rows_read: int
    rows_written: int
    rows_quarantined: int
    encoding_repaired: int
    bytes_read: int
    outputs: dict[str, str]  # partition (state) -> staging key of this chunk's rows of it
    state_rows: dict[str, int]
    state_bytes: dict[str, int]  # Parquet bytes per partition, to size the compacted files
    quarantine_key: str | None
    seconds: float
    peak_rss_bytes: int


class IngestPlan(BaseModel):
    dataset: str  # npidata | npidata_weekly
    kind: Literal["full", "weekly"]
    release: str
    version: str
    source_file: str  # the file name as CMS published it
    raw_key: str  # the landed file in raw/
    raw_sha256: str
    raw_bytes: int
    legacy_header: bool
    chunks: list[ChunkSpec] = Field(default_factory=list)


class Manifest(BaseModel):
    """What a published release is made of, and proof that the counts reconcile."""

    plan: IngestPlan
    chunks: list[ChunkResult]
    rows_read: int
    rows_written: int
    rows_quarantined: int
    encoding_repaired: int
    files: list[str]
    quarantine_key: str | None
    seconds: dict[str, float]
    # companions published with a monthly zip's release: dataset -> counts (companions.summary)
    companions: dict[str, dict] = Field(default_factory=dict)
