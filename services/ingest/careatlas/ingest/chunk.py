"""Ingest one chunk: read its byte range, parse it in blocks, write one Parquet file per state.

Memory is bounded by the block and chunk sizes, not the file size: the range is read block by
block (``parse_batch_bytes``; Polars' eager CSV reader needs ~19x the text it parses), and only
the typed rows, far smaller than their text, are kept until the writes. Output keys
depend only on (release, version, chunk, state), so a retried chunk overwrites its own files.
"""

from __future__ import annotations

import resource
import time
from functools import partial

import polars as pl
import structlog

from careatlas.ingest import parse
from careatlas.ingest.models import ChunkResult, ChunkSpec
from careatlas.ingest.planner import iter_blocks
from careatlas.nppes import schema as nppes_schema
from careatlas.shared import layout
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)


def ingest_chunk(lake: Lake, spec: ChunkSpec, *, block_bytes: int, max_record_bytes: int | None = None) -> ChunkResult:
    started = time.perf_counter()
    schema = nppes_schema.schema_for(spec.dataset, legacy=spec.legacy_header)
    valid_parts, quarantine_parts, rows_read, repaired = [], [], 0, 0
    read = partial(lake.read_bytes, spec.source_key)
    quoted = read(spec.start, spec.start + 1) == b'"'  # chunks start on a record; CMS quotes every field
    blocks = iter_blocks(read, spec.start, spec.end, block_bytes, quoted=quoted,
                         max_record_bytes=max_record_bytes or lake.settings.max_record_bytes,
                         source=lake.uri(spec.source_key))
    for block in blocks:
        parsed = parse.parse_block(block, schema, chunk=spec.chunk, first_row=rows_read + 1, quoted=quoted)
        valid_parts.append(parsed.valid)
        quarantine_parts.append(parsed.quarantine)
        rows_read += parsed.rows_read
        repaired += parsed.encoding_repaired
    valid = pl.concat(valid_parts, how="diagonal_relaxed") if valid_parts else pl.DataFrame()
    del valid_parts
    quarantine = pl.concat(quarantine_parts) if quarantine_parts else pl.DataFrame()
    outputs, state_rows, state_bytes = _write_states(lake, spec, valid)
    result = ChunkResult(
        chunk=spec.chunk,
        rows_read=rows_read,
        rows_written=valid.height,
        rows_quarantined=quarantine.height,
        encoding_repaired=repaired,
        bytes_read=spec.end - spec.start,
        outputs=outputs,
        state_rows=state_rows,
        state_bytes=state_bytes,
        quarantine_key=_write_quarantine(lake, spec, quarantine),
        seconds=round(time.perf_counter() - started, 3),
        peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    )
    if result.rows_read != result.rows_written + result.rows_quarantined:
        raise AssertionError(f"chunk {spec.chunk}: rows do not reconcile: {result}")
    lake.write_model(layout.nppes_chunk_result(spec.dataset, spec.release, spec.version, spec.chunk), result)
    log.info("chunk ingested", chunk=spec.chunk, rows=rows_read, quarantined=result.rows_quarantined,
             seconds=result.seconds)
    return result


def _write_states(lake: Lake, spec: ChunkSpec, valid: pl.DataFrame):
    outputs: dict[str, str] = {}
    rows: dict[str, int] = {}
    sizes: dict[str, int] = {}
    if valid.height == 0:
        return outputs, rows, sizes
    for (state,), part in valid.partition_by(parse.STATE, as_dict=True, include_key=False).items():
        key = layout.nppes_chunk_output(spec.dataset, spec.release, spec.version, spec.chunk, state)
        filled = [c for c in part.columns if part[c].null_count() < part.height]  # 335 columns cost; ~100 hold data
        with lake.staged_file(key, suffix=".parquet") as path:
            part.select(filled).write_parquet(path, compression="zstd", compression_level=1, statistics=False)
            sizes[state] = path.stat().st_size
        outputs[state], rows[state] = key, part.height
    return outputs, rows, sizes


def _write_quarantine(lake: Lake, spec: ChunkSpec, quarantine: pl.DataFrame) -> str | None:
    if quarantine.height == 0:
        return None
    key = layout.nppes_chunk_quarantine(spec.dataset, spec.release, spec.version, spec.chunk)
    with lake.staged_file(key, suffix=".parquet") as path:
        quarantine.write_parquet(path, compression="zstd")
    return key
