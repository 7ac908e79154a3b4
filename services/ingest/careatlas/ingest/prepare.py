"""Land an NPPES file in the lake and plan its chunks.

Plain CSV is read in place with byte ranges. A ``.csv.gz`` or a CMS zip cannot be split by
range, so its npidata member is streamed once (never unpacked whole, to disk or memory) and
cut at record boundaries into chunk-sized pieces in staging, deleted after finalize.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from uuid import uuid4

import structlog

from careatlas.ingest.models import ChunkSpec, IngestPlan
from careatlas.ingest.planner import RECORD_START, PlanError, plan_ranges, read_header
from careatlas.shared import layout, nppes_schema
from careatlas.shared.landing import npidata_member
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)

STREAM_PIECE = 8 * 1024 * 1024


def new_version() -> str:
    return datetime.now(UTC).strftime("v%Y%m%dT%H%M%S") + f"-{uuid4().hex[:6]}"


@contextmanager
def open_records(lake: Lake, raw_key: str) -> Iterator[tuple[IO[bytes], str]]:
    """The npidata CSV stream inside a raw file and its member name (plain, .gz or zip)."""
    name = Path(raw_key).name
    with lake.open(raw_key) as handle:
        if name.lower().endswith(".zip"):
            try:
                archive = zipfile.ZipFile(handle)
            except zipfile.BadZipFile:
                raise PlanError(f"{lake.uri(raw_key)}: not a readable zip archive") from None
            with archive, archive.open(npidata_member(archive, source=lake.uri(raw_key))) as member:
                yield member, member.name
        elif name.lower().endswith(".gz"):
            with gzip.open(handle) as stream:
                yield stream, name[:-3]
        else:
            yield handle, name


def build_plan(lake: Lake, raw_key: str, sha: str, size: int, *, release: str, kind: str,
               version: str, chunk_bytes: int) -> IngestPlan:
    dataset = "npidata" if kind == "full" else "npidata_weekly"
    compressed = raw_key.lower().endswith((".zip", ".gz"))
    with open_records(lake, raw_key) as (stream, member):
        source = f"{lake.uri(raw_key)}" + (f"!{member}" if member != Path(raw_key).name else "")
        if compressed:
            header, ranges = _split_stream(lake, stream, dataset, release, version, chunk_bytes, source)
        else:
            header, data_start = read_header(lambda a, b: lake.read_bytes(raw_key, a, b), size, source=source)
            ranges = [(raw_key, a, b) for a, b in plan_ranges(
                lambda a, b: lake.read_bytes(raw_key, a, b), size, data_start, chunk_bytes)]
    schema = nppes_schema.match_header("npidata", header, source=source)
    if not ranges:
        raise PlanError(f"{source}: the file has a header but no records")
    chunks = [ChunkSpec(dataset=dataset, release=release, version=version, chunk=n, source_key=key,
                        start=a, end=b, legacy_header=schema.legacy) for n, (key, a, b) in enumerate(ranges)]
    plan = IngestPlan(dataset=dataset, kind=kind, release=release, version=version, source_file=member,
                      raw_key=raw_key, raw_sha256=sha, raw_bytes=size, legacy_header=schema.legacy, chunks=chunks)
    lake.write_json(layout.nppes_plan(dataset, release, version), plan.model_dump(mode="json"))
    log.info("ingest planned", dataset=dataset, release=release, chunks=len(chunks), legacy=schema.legacy)
    return plan


def _split_stream(lake, stream, dataset, release, version, chunk_bytes, source):
    """Cut a decompressed stream into record-aligned pieces in staging (memory: one chunk)."""
    buffer, header, pieces = bytearray(), None, []
    for block in iter(lambda: stream.read(STREAM_PIECE), b""):
        buffer += block
        if header is None:
            if b"\n" not in buffer and len(buffer) < 1 << 16:
                continue
            header, start = read_header(lambda a, b: bytes(buffer[a:b]), len(buffer), source=source)
            del buffer[:start]
        while len(buffer) > chunk_bytes and (cut := _last_boundary(buffer, chunk_bytes)):
            pieces.append(_stage_piece(lake, dataset, release, version, len(pieces), buffer[:cut]))
            del buffer[:cut]
    if header is None:
        header, start = read_header(lambda a, b: bytes(buffer[a:b]), len(buffer), source=source)
        del buffer[:start]
    if buffer.strip():
        pieces.append(_stage_piece(lake, dataset, release, version, len(pieces), buffer))
    return header, pieces


def _last_boundary(buffer: bytearray, at_least: int) -> int | None:
    match = RECORD_START.search(buffer, at_least)
    return match.start() + 1 if match else None


def _stage_piece(lake, dataset, release, version, n, data) -> tuple[str, int, int]:
    key = layout.nppes_chunk_source(dataset, release, version, n)
    lake.put_bytes(key, bytes(data))
    return key, 0, len(data)
