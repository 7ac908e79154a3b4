"""Ingest one chunk: read its byte range, parse in blocks, write one sorted Parquet file.

Memory is bounded by the chunk size, not the file size: the range is read once, parsed in
blocks of ``parse_batch_bytes`` (Polars' eager CSV reader needs ~19x the text it parses), and
only the typed rows, far smaller than their text, are kept until the write. The output key
depends only on (release, version, chunk), so a retried chunk overwrites its own output.
"""

from __future__ import annotations

import resource
import time

import polars as pl
import structlog
from careatlas.ingest import parse
from careatlas.ingest.models import ChunkResult, ChunkSpec
from careatlas.ingest.planner import split_records_at
from careatlas.shared import layout, nppes_schema
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)
ROW_GROUP_ROWS = 16_384  # small row groups sorted by state let compaction skip most of a file


def ingest_chunk(lake: Lake, spec: ChunkSpec, *, block_bytes: int) -> ChunkResult:
    started = time.perf_counter()
    schema = nppes_schema.MAIN_LEGACY if spec.legacy_header else nppes_schema.MAIN
    data = lake.read_bytes(spec.source_key, spec.start, spec.end)
    valid_parts, quarantine_parts, rows_read, repaired = [], [], 0, 0
    for block in split_records_at(data, block_bytes):
        parsed = parse.parse_block(bytes(block), schema, chunk=spec.chunk, first_row=rows_read + 1)
        valid_parts.append(parsed.valid)
        quarantine_parts.append(parsed.quarantine)
        rows_read += parsed.rows_read
        repaired += parsed.encoding_repaired
    del data
    valid = pl.concat(valid_parts) if valid_parts else pl.DataFrame()
    quarantine = pl.concat(quarantine_parts) if quarantine_parts else pl.DataFrame()
    output_key, output_bytes = _write_valid(lake, spec, valid)
    quarantine_key = _write_quarantine(lake, spec, quarantine)
    result = ChunkResult(
        chunk=spec.chunk,
        rows_read=rows_read,
        rows_written=valid.height,
        rows_quarantined=quarantine.height,
        encoding_repaired=repaired,
        bytes_read=spec.end - spec.start,
        output_key=output_key,
        quarantine_key=quarantine_key,
        state_rows=dict(valid.group_by(parse.STATE).len().iter_rows()) if valid.height else {},
        output_bytes=output_bytes,
        seconds=round(time.perf_counter() - started, 3),
        peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    )
    if result.rows_read != result.rows_written + result.rows_quarantined:
        raise AssertionError(f"chunk {spec.chunk}: rows do not reconcile: {result}")
    lake.write_json(layout.nppes_chunk_result(spec.dataset, spec.release, spec.version, spec.chunk),
                    result.model_dump(mode="json"))
    log.info("chunk ingested", chunk=spec.chunk, rows=rows_read, quarantined=result.rows_quarantined,
             seconds=result.seconds)
    return result


def _write_valid(lake: Lake, spec: ChunkSpec, valid: pl.DataFrame) -> tuple[str | None, int]:
    if valid.height == 0:
        return None, 0
    key = layout.nppes_chunk_output(spec.dataset, spec.release, spec.version, spec.chunk)
    with lake.staged_file(key, suffix=".parquet") as path:
        valid.sort(parse.STATE).write_parquet(
            path, compression="zstd", compression_level=1, row_group_size=ROW_GROUP_ROWS, statistics=True
        )
        size = path.stat().st_size
    return key, size


def _write_quarantine(lake: Lake, spec: ChunkSpec, quarantine: pl.DataFrame) -> str | None:
    if quarantine.height == 0:
        return None
    key = layout.nppes_chunk_quarantine(spec.dataset, spec.release, spec.version, spec.chunk)
    with lake.staged_file(key, suffix=".parquet") as path:
        quarantine.write_parquet(path, compression="zstd")
    return key
