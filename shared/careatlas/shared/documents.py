"""Every JSON document in the lake has one model here, written and read through it
(``Lake.write_model`` / ``Lake.read_model``); ``layout.py`` says where each one lives.

==========================================  ======================================  ============
document                                    key (layout)                            model
==========================================  ======================================  ============
NPPES release pointer ``_published.json``   ``nppes_pointer``                       PublishedRelease
ingest plan ``plan.json`` (staging)         ``nppes_plan``                          IngestPlan
chunk result (staging)                      ``nppes_chunk_result``                  ChunkResult
ingest manifest                             ``nppes_manifest``                      Manifest
raw file checksum ``<file>.sha256.json``    ``raw_checksum``                        RawChecksum
ACS table ``metadata.json``                 ``census_acs5_metadata``                CensusMetadata
reference ``metadata.json``                 ``metadata_beside`` (a data file)       ReferenceMetadata
any ``metadata.json`` (what readers need)   ``metadata_beside``                     DataFileMetadata
run manifest                                ``run_manifest``                        RunManifest
run task record                             ``run_task``                            TaskRecord
``marts/latest.json``                       ``marts_latest``                        LatestPointer
validation summary                          ``validation_summary``                  ValidationSummary
==========================================  ======================================  ============

dbt's own ``run_results.json`` (``run_dbt_results``) is dbt's document, kept as dbt wrote it.

Documents already in lakes stay readable: models of documents whose shape grew take extra fields
(``extra="allow"``, kept when written back) and fields added later are optional.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    """A document whose writers add fields: unknown fields are kept (read, then written back)."""

    model_config = ConfigDict(extra="allow")

    def as_dict(self) -> dict[str, Any]:
        """The document as its file has it (fields the file lacks are not filled in); also how
        ``Lake.write_model`` writes it."""
        return self.model_dump(mode="json", exclude_unset=True)


# ---------------------------------------------------------------- NPPES: pointers and ingest
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
    companions: dict[str, dict[str, Any]] = Field(default_factory=dict)


class RawChecksum(BaseModel):
    """``<raw file>.sha256.json``: the bytes a landed file must have (written once, with it)."""

    sha256: str
    bytes: int | None = None
    source: str | None = None
    landed_at: str | None = None


# ---------------------------------------------------------------- reference data
class DataFileMetadata(_Open):
    """What readers need of any ``metadata.json`` beside a reference data file (ACS or not)."""

    key: str | None = None
    rows: int | None = None
    sha256: str | None = None


class ReferenceMetadata(DataFileMetadata):
    """``metadata.json`` of a loaded reference file (``careatlas reference load``): its source,
    checksum and shape; each kind adds its label under its own name (``version``, ``vintage``...)."""

    kind: str
    key: str
    rows: int
    columns: list[str]
    source: str | None = None
    source_file: str | None = None
    loaded_at: str | None = None
    label: str | None = None


class CensusMetadata(BaseModel):
    kind: str = "census_acs5"
    key: str
    year: int
    vintage: int  # the ACS 5-year vintage (= year); survey_period spells out its five years
    geo: str
    dataset: str = "acs/acs5"
    survey_period: str
    variables: list[str]  # present in the data; other default-set columns are all null
    requests: list[str]  # API paths, key omitted
    rows: int
    sha256: str  # of data.parquet
    source: Literal["live", "imported", "derived"]
    fetched_at: datetime
    source_file: str | None = None
    source_sha256: str | None = None


# ---------------------------------------------------------------- runs
TaskState = Literal["queued", "running", "retrying", "done", "failed", "skipped"]
RunStatus = Literal["planning", "running", "succeeded", "failed", "cancelled"]
FINAL: tuple[RunStatus, ...] = ("succeeded", "failed", "cancelled")


class TaskRecord(BaseModel):
    task_id: str
    name: str
    state: TaskState
    attempts: int = 0  # deliveries that started (a redelivery after a lost worker counts)
    worker: str | None = None
    chunk: int | None = None
    rows: int | None = None
    bytes: int | None = None
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    run_attempt: int = 0  # which start/retry of the run launched it


class RunManifest(BaseModel):
    run_id: str
    status: RunStatus = "planning"
    attempt: int = 0  # 1 when started, +1 per retry: older attempts' failures do not count
    attempt_root_id: str | None = None  # the current attempt's coordinator task (see attempt_of)
    launched_root_id: str | None = None  # set once that coordinator's canvas was sent (idempotency)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    release: str
    kind: Literal["full", "weekly"]
    dataset: str
    raw_key: str
    raw_sha256: str
    raw_bytes: int
    acs_year: int | None = None
    census_geos: list[str] = Field(default_factory=lambda: ["county", "state"])
    references: dict[str, str] = Field(default_factory=dict)  # kind -> source URI or lake key
    plan: dict[str, Any] | None = None  # the IngestPlan once planned
    companion_plans: list[dict[str, Any]] = Field(default_factory=list)  # a monthly zip's pl/othername/endpoint
    chunk_count: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None  # the transform's summary

    @property
    def is_final(self) -> bool:
        return self.status in FINAL


# ---------------------------------------------------------------- marts
class LatestPointer(_Open):
    """``marts/latest.json``: the run whose marts readers see, and what it was built from.

    Written by the transform (``export.latest_pointer``); the report rebuilds one for an older run
    from its files (``report.data.run_pointer``); the demo adds ``synthetic_nppes``."""

    run_id: str
    built_at: str | None = None
    marts: dict[str, str] = Field(default_factory=dict)  # mart -> lake key
    rows: dict[str, int] = Field(default_factory=dict)
    tests: dict[str, int] = Field(default_factory=dict)  # dbt test outcomes by status
    warnings: list[str] = Field(default_factory=list)
    dbt_run_results: str | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)  # the run inputs' summary
    synthetic_nppes: dict[str, Any] | None = None  # what a demo's generated NPPES file was drawn from


class ValidationSummary(_Open):
    """``marts/run=<id>/validation/<against>.json``: a run compared with a reference; the
    figures depend on the reference (``careatlas.validate``)."""

    run_id: str
    against: str
    reference: str | None = None
    reference_files: list[str] = Field(default_factory=list)
    nppes_release: str | None = None
