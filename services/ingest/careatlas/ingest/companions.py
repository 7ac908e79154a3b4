"""The companion datasets of a release: ``pl_pfile`` (secondary practice locations),
``othername_pfile`` (other organisation names) and ``endpoint_pfile`` (FHIR/Direct endpoints).

They are planned, chunked, quarantined and published exactly like the main file (same steps,
each dataset with its own schema, under ``nppes/<dataset>/release=<date>/``), in the same
version as the main file they came with. A monthly zip's companions are ingested with its
npidata member; a companion file landed on its own (``pl_pfile_20050523-20250407.csv``) is
its own ingest. Weekly zips' companions are not ingested: a build reads the companions of
its baseline monthly release (docs/access.md).
"""

from __future__ import annotations

import zipfile

import structlog

from careatlas.ingest import prepare
from careatlas.ingest.models import IngestPlan, Manifest
from careatlas.nppes.landing import companion_member
from careatlas.nppes.schema import COMPANION_DATASETS
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)


def datasets_in(lake: Lake, raw_key: str) -> list[str]:
    """The companion datasets a landed zip holds, in COMPANION_DATASETS order (none for a CSV)."""
    if not raw_key.lower().endswith(".zip"):
        return []
    with lake.open(raw_key) as handle, zipfile.ZipFile(handle) as archive:
        return [d for d in COMPANION_DATASETS if companion_member(archive, d, source=lake.uri(raw_key))]


def plan_all(lake: Lake, plan: IngestPlan, *, chunk_bytes: int) -> list[IngestPlan]:
    """Plans of the companions of the main file's release: same raw zip, release and version."""
    if plan.dataset != "npidata":
        if plan.kind == "weekly" and datasets_in(lake, plan.raw_key):
            log.info("weekly companions not ingested", release=plan.release, raw_key=plan.raw_key)
        return []
    return [
        prepare.build_plan(lake, plan.raw_key, plan.raw_sha256, plan.raw_bytes, release=plan.release,
                           kind=plan.kind, version=plan.version, chunk_bytes=chunk_bytes, dataset=dataset)
        for dataset in datasets_in(lake, plan.raw_key)
    ]


def summary(manifest: Manifest) -> dict:
    """What the release's manifest and the task results record of one companion."""
    return {"source_file": manifest.plan.source_file, "version": manifest.plan.version,
            "chunks": len(manifest.plan.chunks), "rows_read": manifest.rows_read,
            "rows_written": manifest.rows_written, "rows_quarantined": manifest.rows_quarantined,
            "files": len(manifest.files), "quarantine_key": manifest.quarantine_key}
