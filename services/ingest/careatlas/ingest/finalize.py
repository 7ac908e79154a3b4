"""Finalize a release: compact chunk outputs per state, reconcile counts, publish atomically.

Chunk files are sorted by state in small row groups, so compacting one state reads only the
row groups that hold it. Files are written under a new ``version=`` folder that no reader
knows about; the release's pointer is switched last, in one PUT. Then staging is removed and
versions older than the previous one are deleted.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import polars as pl
import structlog

from careatlas.ingest.models import ChunkResult, IngestPlan, Manifest
from careatlas.ingest.parse import QUARANTINE_SCHEMA, staging_schema
from careatlas.shared import catalog, layout
from careatlas.shared.storage import Lake, LakeKeyNotFound

log = structlog.get_logger(__name__)


class IngestError(Exception):
    """The release cannot be published; the message says which chunk or count is wrong."""


class ChunksMissing(IngestError):
    """Some chunks have no result yet: a chord fired early (a chunk delivered twice counts
    twice) or a chunk is still being redelivered. Finalize waits for them (tasks.py)."""


def finalize(lake: Lake, plan: IngestPlan, *, target_file_bytes: int,
             before_publish: Callable[[], None] | None = None) -> Manifest:
    """Compact, reconcile and publish ``plan``'s version. A version already published (a
    redelivered finalize) returns its manifest: a no-op, not a failure. ``before_publish`` runs
    right before the pointer switch and may raise to publish nothing (a cancelled run)."""
    published = _already_published(lake, plan)
    if published is not None:
        return published
    started = time.perf_counter()
    results = load_results(lake, plan)
    rows_read = sum(r.rows_read for r in results)
    rows_written = sum(r.rows_written for r in results)
    offsets = _row_offsets(results)
    lineage = _lineage(plan, loaded_at=datetime.now(UTC))  # one stamp per release
    quarantine_key = _compact_quarantine(lake, results, offsets, lineage, plan)
    if rows_written == 0:
        raise IngestError(
            f"{plan.source_file}: no valid rows: all {rows_read} rows were quarantined "
            f"(see {lake.uri(quarantine_key or '')}); nothing was published"
        )
    states = sorted({s for r in results for s in r.state_rows})
    # states are independent: compact them side by side (Polars releases the GIL while it works)
    with ThreadPoolExecutor(max_workers=max(1, min(len(states), os.cpu_count() or 1))) as pool:
        per_state = pool.map(
            lambda state: _compact_state(lake, plan, results, offsets, lineage, state, target_file_bytes), states
        )
        files = [key for keys in per_state for key in keys]
    _reconcile(lake, plan, results, files, quarantine_key)
    manifest = Manifest(
        plan=plan, chunks=results, rows_read=rows_read, rows_written=rows_written,
        rows_quarantined=sum(r.rows_quarantined for r in results),
        encoding_repaired=sum(r.encoding_repaired for r in results),
        files=files, quarantine_key=quarantine_key,
        seconds={"chunks": round(sum(r.seconds for r in results), 3),
                 "finalize": round(time.perf_counter() - started, 3)},
    )
    if before_publish is not None:
        before_publish()
    _publish(lake, plan, manifest)
    return manifest


def _already_published(lake: Lake, plan: IngestPlan) -> Manifest | None:
    pointer = catalog.read(lake, plan.dataset, plan.release)
    if pointer is None or pointer.version != plan.version:
        return None
    log.info("release already published by this version: nothing to do", version=plan.version)
    return lake.read_model(layout.nppes_manifest(plan.dataset, plan.release), Manifest)


def load_results(lake: Lake, plan: IngestPlan) -> list[ChunkResult]:
    results, missing = [], []
    for spec in plan.chunks:
        key = layout.nppes_chunk_result(plan.dataset, plan.release, plan.version, spec.chunk)
        try:
            results.append(lake.read_model(key, ChunkResult))
        except LakeKeyNotFound:
            missing.append(spec.chunk)
    if missing:
        raise ChunksMissing(f"{plan.source_file}: chunks {missing} have no result yet; rerun them before finalize")
    return results


def _row_offsets(results: list[ChunkResult]) -> dict[int, int]:
    offsets, total = {}, 0
    for result in sorted(results, key=lambda r: r.chunk):
        offsets[result.chunk] = total
        total += result.rows_read
    return offsets


def _lineage(plan: IngestPlan, *, loaded_at: datetime) -> list[pl.Expr]:
    return [
        pl.lit(date.fromisoformat(plan.release)).alias("_release"),
        pl.lit(plan.source_file).alias("_source_file"),
        pl.lit(loaded_at, pl.Datetime("us", "UTC")).alias("_loaded_at"),
    ]


def _scan(lake: Lake, key: str, offset: int, schema: pl.Schema) -> pl.LazyFrame:
    """One staging file with its rows' position in the source file. The offset is a literal per
    file: a lookup on ``_chunk`` (replace_strict) would stop the query from streaming."""
    scan = pl.scan_parquet(lake.uri(key), schema=schema, missing_columns="insert",
                           storage_options=lake.polars_storage_options())
    return scan.with_columns((pl.col("_chunk_row") + offset).alias("_source_row"))


def _file_groups(results: list[ChunkResult], state: str, target_bytes: int) -> list[list[ChunkResult]]:
    """Consecutive chunks holding ``state``, grouped so each output file is about ``target_bytes``."""
    groups: list[list[ChunkResult]] = [[]]
    size = 0.0
    for result in results:
        rows = result.state_rows.get(state, 0)
        if not rows:
            continue
        estimate = result.state_bytes.get(state, 0)
        if groups[-1] and size + estimate > target_bytes:
            groups.append([])
            size = 0.0
        groups[-1].append(result)
        size += estimate
    return [g for g in groups if g]


def _compact_state(lake, plan, results, offsets, lineage, state: str, target_bytes: int) -> list[str]:
    keys = []
    schema = staging_schema(plan.dataset)
    for n, group in enumerate(_file_groups(results, state, target_bytes)):
        key = layout.nppes_part_file(plan.dataset, plan.release, plan.version, state, n)
        frame = pl.concat([_scan(lake, r.outputs[state], offsets[r.chunk], schema) for r in group])
        with lake.staged_file(key, suffix=".parquet") as path:
            frame.with_columns(lineage).drop("_chunk_row").sink_parquet(path, compression="zstd", compression_level=1)
        keys.append(key)
    return keys


def _compact_quarantine(lake, results, offsets, lineage, plan) -> str | None:
    parts = [r for r in results if r.quarantine_key]
    if not parts:
        return None
    key = layout.quarantine(plan.dataset, plan.release, plan.version)
    frame = pl.concat([_scan(lake, r.quarantine_key, offsets[r.chunk], QUARANTINE_SCHEMA) for r in parts])
    with lake.staged_file(key, suffix=".parquet") as path:
        frame.with_columns(lineage).sink_parquet(path, compression="zstd")
    return key


def _count_rows(lake: Lake, keys: list[str]) -> int:
    if not keys:
        return 0
    scan = pl.scan_parquet([lake.uri(k) for k in keys], storage_options=lake.polars_storage_options())
    return scan.select(pl.len()).collect().item()


def _reconcile(lake, plan, results, files, quarantine_key) -> None:
    """Rows read == rows published + rows quarantined, counted from the files themselves."""
    read = sum(r.rows_read for r in results)
    published = _count_rows(lake, files)
    quarantined = _count_rows(lake, [quarantine_key] if quarantine_key else [])
    expected = sum(r.rows_written for r in results)
    if published != expected or published + quarantined != read:
        raise IngestError(
            f"{plan.source_file}: counts do not reconcile: read {read}, published {published} "
            f"(chunks wrote {expected}), quarantined {quarantined}; nothing was published"
        )


def _publish(lake: Lake, plan: IngestPlan, manifest: Manifest) -> None:
    previous = catalog.read(lake, plan.dataset, plan.release)
    lake.write_model(layout.nppes_manifest(plan.dataset, plan.release), manifest)
    catalog.publish(lake, catalog.PublishedRelease(
        dataset=plan.dataset, release=plan.release, kind=plan.kind, version=plan.version,
        files=manifest.files, rows=manifest.rows_written, rows_quarantined=manifest.rows_quarantined,
        source_file=plan.source_file, source_sha256=plan.raw_sha256, schema_legacy=plan.legacy_header,
    ))
    log.info("release published", dataset=plan.dataset, release=plan.release, version=plan.version,
             rows=manifest.rows_written, quarantined=manifest.rows_quarantined, files=len(manifest.files))
    keep = {plan.version, previous.version if previous else plan.version}
    _delete_other_versions(lake, plan, keep)
    lake.delete_prefix(layout.nppes_staging(plan.dataset, plan.release, plan.version))


def _delete_other_versions(lake: Lake, plan: IngestPlan, keep: set[str]) -> None:
    """Readers of the previous version may still be running: keep it; older ones go."""
    prefix = layout.nppes_release(plan.dataset, plan.release)
    stale = [k for k in lake.list(prefix) if (v := layout.segment_value(k, "version")) is not None and v not in keep]
    lake.delete(stale)
