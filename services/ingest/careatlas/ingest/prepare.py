"""Land an NPPES file in the lake and plan its chunks.

Plain CSV is read in place with byte ranges. A ``.csv.gz`` or a CMS zip cannot be split by
range, so its npidata member is streamed once (never unpacked whole, to disk or memory) and
cut at record boundaries into chunk-sized pieces in staging, deleted after finalize.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Callable, Iterator
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
def open_records(opener: Callable[[], IO[bytes]], name: str, uri: str) -> Iterator[tuple[IO[bytes], str]]:
    """The npidata CSV stream inside a file and its member name (plain, .gz or zip)."""
    with opener() as handle:
        if name.lower().endswith(".zip"):
            try:
                archive = zipfile.ZipFile(handle)
            except zipfile.BadZipFile:
                raise PlanError(f"{uri}: not a readable zip archive") from None
            with archive, archive.open(npidata_member(archive, source=uri)) as member:
                yield member, member.name
        elif name.lower().endswith(".gz"):
            with gzip.open(handle) as stream:
                yield stream, name[:-3]
        else:
            yield handle, name


def check_header(opener: Callable[[], IO[bytes]], name: str, uri: str) -> nppes_schema.FileSchema:
    """Read only the header, so a file of the wrong kind fails before anything is landed."""
    with open_records(opener, name, uri) as (stream, member):
        try:
            probe = stream.read(1 << 16)
        except (OSError, EOFError, zipfile.BadZipFile) as error:
            raise PlanError(f"{uri}: cannot be decompressed: {error}") from None
        source = uri if member == name else f"{uri}!{member}"
        header, start = read_header(lambda a, b: probe[a:b], len(probe), source=source)
        schema = nppes_schema.match_header("npidata", header, source=source)
        if not probe[start:].strip() and len(probe) < 1 << 16:
            raise PlanError(f"{source}: the file has a header but no records")
        return schema


def build_plan(lake: Lake, raw_key: str, sha: str, size: int, *, release: str, kind: str,
               version: str, chunk_bytes: int) -> IngestPlan:
    dataset = "npidata" if kind == "full" else "npidata_weekly"
    compressed = raw_key.lower().endswith((".zip", ".gz"))
    with open_records(lambda: lake.open(raw_key), Path(raw_key).name, lake.uri(raw_key)) as (stream, member):
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
            header, start = _header_of(buffer, source)
            del buffer[:start]
        while len(buffer) > chunk_bytes and (cut := _last_boundary(buffer, chunk_bytes)):
            pieces.append(_stage_piece(lake, dataset, release, version, len(pieces), buffer[:cut]))
            del buffer[:cut]
    if header is None:
        header, start = _header_of(buffer, source)
        del buffer[:start]
    if buffer.strip():
        pieces.append(_stage_piece(lake, dataset, release, version, len(pieces), buffer))
    return header, pieces


def _header_of(buffer: bytearray, source: str) -> tuple[list[str], int]:
    return read_header(lambda a, b: bytes(buffer[a:b]), len(buffer), source=source)


def _last_boundary(buffer: bytearray, at_least: int) -> int | None:
    match = RECORD_START.search(buffer, at_least)
    return match.start() + 1 if match else None


def _stage_piece(lake, dataset, release, version, n, data) -> tuple[str, int, int]:
    key = layout.nppes_chunk_source(dataset, release, version, n)
    lake.put_bytes(key, bytes(data))
    return key, 0, len(data)
