"""Plan the chunks of a landed NPPES file.

Plain CSV is read in place with byte ranges. A ``.csv.gz`` or a CMS zip cannot be split by
range, so its npidata member is streamed once (never unpacked whole, to disk or memory) and
cut at record boundaries into chunk-sized pieces in staging, deleted after finalize. Pieces
are at most ``chunk_bytes + max_record_bytes`` long; if planning fails, the pieces already
staged are deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from uuid import uuid4

import structlog

from careatlas.ingest.models import ChunkSpec, IngestPlan
from careatlas.ingest.planner import PlanError, plan_ranges, read_header
from careatlas.nppes import file as nppes_file
from careatlas.nppes import records
from careatlas.nppes import schema as nppes_schema
from careatlas.nppes.landing import LandingError, companion_dataset, companion_member, npidata_member
from careatlas.shared import layout
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)

STREAM_PIECE = 8 * 1024 * 1024


def new_version() -> str:
    return datetime.now(UTC).strftime("v%Y%m%dT%H%M%S") + f"-{uuid4().hex[:6]}"


def file_dataset(name: str, kind: str) -> str:
    """The dataset a landed file (or its zip's member) publishes: a companion file's own kind,
    else npidata (full) or npidata_weekly."""
    return companion_dataset(name) or ("npidata" if kind == "full" else "npidata_weekly")


def _member_of(dataset: str, uri: str):
    if dataset in nppes_schema.COMPANION_DATASETS:
        def member(archive):
            found = companion_member(archive, dataset, source=uri)
            if found is None:
                raise LandingError(f"{uri}: no {dataset}_pfile_*.csv member")
            return found
        return member
    return lambda archive: npidata_member(archive, source=uri)


@contextmanager
def open_records(opener: Callable[[], IO[bytes]], name: str, uri: str, limits: nppes_file.Limits | None = None,
                 *, dataset: str = "npidata") -> Iterator[tuple[IO[bytes], str]]:
    """The CSV stream of ``dataset`` inside a file and its member name (plain, .gz or zip): the
    npidata member, or a companion's (``pl``, ``othername``, ``endpoint``)."""
    from careatlas.shared.settings import get_settings

    limits = limits or nppes_file.Limits.from_settings(get_settings())
    with nppes_file.open_member(opener, name, uri, limits, _member_of(dataset, uri)) as opened:
        yield opened


def _kind(dataset: str) -> str:
    return dataset if dataset in nppes_schema.COMPANION_DATASETS else "npidata"


def check_header(opener: Callable[[], IO[bytes]], name: str, uri: str, *,
                 dataset: str = "npidata") -> nppes_schema.FileSchema:
    """Read only the header, so a file of the wrong kind fails fast (landing checks the rest)."""
    with open_records(opener, name, uri, dataset=dataset) as (stream, member):
        probe = stream.read(1 << 16)
        source = uri if member == name else f"{uri}!{member}"
        header, start = read_header(lambda a, b: probe[a:b], len(probe), source=source)
        schema = nppes_schema.match_header(_kind(dataset), header, source=source)
        if not probe[start:].strip() and len(probe) < 1 << 16:
            raise PlanError(f"{source}: the file has a header but no records")
        return schema


def build_plan(lake: Lake, raw_key: str, sha: str, size: int, *, release: str, kind: str,
               version: str, chunk_bytes: int, dataset: str | None = None) -> IngestPlan:
    """Chunks of ``dataset`` in the landed file: by default what the file itself is (npidata,
    npidata_weekly, or a companion file landed on its own); a companion of a zip by name."""
    dataset = dataset or file_dataset(Path(raw_key).name, kind)
    limits = nppes_file.Limits.from_settings(lake.settings)
    try:
        header, ranges, member = _ranges(lake, raw_key, size, dataset, release, version, chunk_bytes, limits)
    except BaseException:
        # a split that failed half-way leaves pieces nobody will read
        lake.delete_prefix(f"{layout.nppes_staging(dataset, release, version)}/source")
        raise
    source = lake.uri(raw_key) + (f"!{member}" if member != Path(raw_key).name else "")
    schema = nppes_schema.match_header(_kind(dataset), header, source=source)
    if not ranges:
        raise PlanError(f"{source}: the file has a header but no records")
    chunks = [ChunkSpec(dataset=dataset, release=release, version=version, chunk=n, source_key=key,
                        start=a, end=b, legacy_header=schema.legacy) for n, (key, a, b) in enumerate(ranges)]
    plan = IngestPlan(dataset=dataset, kind=kind, release=release, version=version, source_file=member,
                      raw_key=raw_key, raw_sha256=sha, raw_bytes=size, legacy_header=schema.legacy, chunks=chunks)
    lake.write_model(layout.nppes_plan(dataset, release, version), plan)
    log.info("ingest planned", dataset=dataset, release=release, chunks=len(chunks), legacy=schema.legacy)
    return plan


def _ranges(lake, raw_key, size, dataset, release, version, chunk_bytes, limits):
    with open_records(lambda: lake.open(raw_key), Path(raw_key).name, lake.uri(raw_key), limits,
                      dataset=dataset) as (stream, member):
        source = lake.uri(raw_key) + (f"!{member}" if member != Path(raw_key).name else "")
        if nppes_file.is_compressed(raw_key):
            splitter = _Splitter(lake, (dataset, release, version), chunk_bytes, limits.max_record_bytes, source)
            header, pieces = splitter.split(stream)
            return header, pieces, member
        read = lambda a, b: lake.read_bytes(raw_key, a, b)  # noqa: E731
        header, data_start = read_header(read, size, source=source)
        quoted = records.quoted_header(read(0, data_start))
        ranges = plan_ranges(read, size, data_start, chunk_bytes, quoted=quoted,
                             max_record_bytes=limits.max_record_bytes, source=source)
        return header, [(raw_key, a, b) for a, b in ranges], member


class _Splitter:
    """Cut a decompressed stream into record-aligned pieces in staging. Each byte is searched for
    a boundary once (linear), and the buffer never exceeds a piece plus one read."""

    def __init__(self, lake: Lake, staging: tuple[str, str, str], chunk_bytes: int, max_record: int, source: str):
        self.lake, self.staging, self.chunk_bytes, self.max_record, self.source = (
            lake, staging, chunk_bytes, max_record, source)
        self.pieces: list[tuple[str, int, int]] = []
        self.offset = 0  # decompressed offset of buffer[0]

    def split(self, stream: IO[bytes]) -> tuple[list[str], list[tuple[str, int, int]]]:
        buffer = bytearray(nppes_file.read_head(stream))
        header, start = read_header(lambda a, b: bytes(buffer[a:b]), len(buffer), source=self.source)
        quoted = records.quoted_header(bytes(buffer[:start]))
        del buffer[:start]
        self.offset, scanned = start, 0
        for block in iter(lambda: stream.read(STREAM_PIECE), b""):
            buffer += block
            scanned = self._cut(buffer, scanned, quoted)
        if buffer.strip():
            self._stage(buffer)
        return header, self.pieces

    def _cut(self, buffer: bytearray, scanned: int, quoted: bool) -> int:
        """Stage every whole piece in ``buffer``; returns where the next search starts."""
        position = 0
        while len(buffer) - position > self.chunk_bytes:
            search_from = max(position + self.chunk_bytes, scanned)
            limit = position + self.chunk_bytes + self.max_record  # the piece's last record must end by here
            end = min(len(buffer) - records.LOOKAHEAD, limit)
            cut = records.first_boundary(buffer, quoted=quoted, start=max(0, search_from - 1), end=max(0, end))
            if cut is None:
                if end >= limit:
                    raise PlanError(
                        f"{self.source}: no record boundary in the {self.max_record:,} bytes after decompressed "
                        f"byte {self.offset + position + self.chunk_bytes:,}: a record is longer than "
                        "CAREATLAS_MAX_RECORD_BYTES, or the file's line breaks or quoting are broken")
                scanned = max(search_from, end)
                break
            self._stage(memoryview(buffer)[position:cut])
            position, scanned = cut, 0
        del buffer[:position]
        self.offset += position
        return max(0, scanned - position)

    def _stage(self, data) -> None:
        key = layout.nppes_chunk_source(*self.staging, len(self.pieces))
        self.lake.put_bytes(key, bytes(data))
        self.pieces.append((key, 0, len(data)))
