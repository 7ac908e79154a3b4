"""An NPPES npidata file as a stream of records: its archive, member, header and boundaries.

Shared by landing (the whole file is checked before it may land, so the CLI needs it without
worker code) and by the planner (which reads the same stream again to cut chunks). Every way a
file can be unreadable ends in ``NppesFileError`` naming the file and, where it matters, the
byte offset: a truncated .gz, a bad CRC, an encrypted or Deflate64 zip member, an archive that
decompresses past the caps, a record longer than ``max_record_bytes``.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import IO, Protocol

from careatlas.nppes import records
from careatlas.nppes import schema as nppes_schema
from careatlas.shared.readers import ReadStream
from careatlas.shared.settings import Settings

HEADER_PROBE_BYTES = 1 << 16
READ_PIECE = 8 * 1024 * 1024
# the compression-ratio cap applies past this many decompressed bytes: small files of mostly empty
# quoted fields (test and demo data) compress 100:1 and more, and are harmless at that size
RATIO_FLOOR_BYTES = 256 * 1024 * 1024
_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "Deflate", zipfile.ZIP_BZIP2: "bzip2",
                zipfile.ZIP_LZMA: "LZMA"}
_ARCHIVE_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)


class NppesFileError(ValueError):
    """The file cannot be read as an NPPES CSV: the message names the file and what is wrong."""


@dataclass(frozen=True)
class Limits:
    max_record_bytes: int
    max_decompressed_bytes: int
    max_compression_ratio: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.max_record_bytes, settings.max_decompressed_bytes, settings.max_compression_ratio)

    def decompressed_cap(self, compressed_bytes: int | None) -> int:
        if not compressed_bytes:
            return self.max_decompressed_bytes
        by_ratio = max(RATIO_FLOOR_BYTES, int(compressed_bytes * self.max_compression_ratio))
        return min(self.max_decompressed_bytes, by_ratio)


class BinaryReader(Protocol):
    """What is read here: a binary file (``IO[bytes]``), a decompressing or hashing reader."""

    def read(self, size: int = -1, /) -> bytes: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...

    def tell(self) -> int: ...


def is_compressed(name: str) -> bool:
    return name.lower().endswith((".zip", ".gz"))


@contextmanager
def open_member(opener: Callable[[], AbstractContextManager[BinaryReader]], name: str, uri: str, limits: Limits,
                member_of: Callable[[zipfile.ZipFile], str], *,
                size: int | None = None) -> Iterator[tuple[BinaryReader, str]]:
    """The npidata CSV stream inside a file (plain, .gz or zip) and its member name. Reads raise
    ``NppesFileError`` for corrupt archives and stop at the decompression caps. ``size``: the
    file's bytes, for a handle that cannot seek to tell them (the .gz ratio cap needs them)."""
    with opener() as handle:
        if name.lower().endswith(".zip"):
            try:
                archive = zipfile.ZipFile(handle)
            except (zipfile.BadZipFile, EOFError, OSError):
                raise NppesFileError(f"{uri}: not a readable zip archive") from None
            with archive:
                info = archive.getinfo(member_of(archive))
                source = f"{uri}!{info.filename}"
                cap = _check_zip_member(info, source, limits)
                with _open_zip_member(archive, info, source) as member:
                    yield _Checked(member, source, cap), info.filename
        elif name.lower().endswith(".gz"):
            cap = limits.decompressed_cap(size if size is not None else size_of(handle))
            with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
                yield _Checked(stream, f"{uri} (gzip)", cap), name[:-3]
        else:
            yield handle, name


def _check_zip_member(info: zipfile.ZipInfo, source: str, limits: Limits) -> int:
    if info.flag_bits & 0x1:
        raise NppesFileError(f"{source} is encrypted: CMS files are not; download the file again from CMS")
    if info.compress_type == 9:
        raise NppesFileError(
            f"{source} is compressed with Deflate64 (zip method 9), which Python cannot read: "
            "re-compress it with plain Deflate (unzip, then zip) or land the extracted CSV")
    if info.compress_type not in _ZIP_METHODS:
        raise NppesFileError(f"{source} uses zip compression method {info.compress_type}, which is not supported")
    cap = limits.decompressed_cap(info.compress_size)
    if info.file_size > cap:
        raise NppesFileError(
            f"{source} declares {info.file_size:,} bytes uncompressed from {info.compress_size:,}: more than the "
            f"{cap:,}-byte cap (CAREATLAS_MAX_DECOMPRESSED_BYTES, CAREATLAS_MAX_COMPRESSION_RATIO)")
    return cap


@contextmanager
def _open_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> Iterator[IO[bytes]]:
    try:
        member = archive.open(info)
    except (NotImplementedError, RuntimeError, zipfile.BadZipFile, EOFError) as error:
        raise NppesFileError(f"{source} cannot be opened: {error}") from None
    with member:
        yield member


def size_of(handle: BinaryReader) -> int | None:
    try:
        position = handle.tell()
        size = handle.seek(0, io.SEEK_END)
        handle.seek(position)
        return size
    except (OSError, AttributeError, ValueError):
        return None


class _Checked(ReadStream):
    """A decompressing reader that names the file in archive errors and stops at ``cap`` bytes."""

    def __init__(self, stream: BinaryReader, source: str, cap: int) -> None:
        self._stream, self._source, self._cap, self.read_bytes = stream, source, cap, 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._stream.read(size)
        except _ARCHIVE_ERRORS as error:
            raise NppesFileError(
                f"{self._source}: corrupt or truncated after {self.read_bytes:,} decompressed bytes: {error}"
            ) from None
        self.read_bytes += len(data)
        if self.read_bytes > self._cap:
            raise NppesFileError(
                f"{self._source} decompresses to more than {self._cap:,} bytes, the cap "
                "(CAREATLAS_MAX_DECOMPRESSED_BYTES, CAREATLAS_MAX_COMPRESSION_RATIO): not a CMS file, or a zip bomb")
        return data


def read_header(read: Callable[[int, int], bytes], size: int, *, source: str) -> tuple[list[str], int]:
    """The header's field names and the byte offset where the first record starts."""
    if size == 0:
        raise NppesFileError(f"{source}: the file is empty")
    probe = read(0, min(size, HEADER_PROBE_BYTES))
    newline = probe.find(b"\n")
    if newline < 0 and size > len(probe):
        raise NppesFileError(f"{source}: no line break in the first {len(probe)} bytes: not a CSV file")
    line = probe if newline < 0 else probe[:newline]
    try:
        text = line.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as error:
        raise NppesFileError(f"{source}: the header is not UTF-8 text (byte {error.start}): not an NPPES CSV") from None
    if "\x00" in text:
        raise NppesFileError(f"{source}: the header contains NUL bytes: not a CSV file")
    fields = next(csv.reader(io.StringIO(text)), [])
    return fields, (size if newline < 0 else newline + 1)


@dataclass(frozen=True)
class FileCheck:
    member: str  # the CSV's name (a zip member, or the file without .gz)
    schema: nppes_schema.FileSchema
    quoted: bool
    records: int  # record boundaries found + 1
    data_bytes: int  # decompressed bytes of the CSV


def check_file(opener: Callable[[], AbstractContextManager[BinaryReader]], name: str, uri: str, limits: Limits,
               member_of: Callable[[zipfile.ZipFile], str], *, kind: str = "npidata",
               size: int | None = None) -> FileCheck:
    """Read the whole file once: archive integrity (CRCs, truncation, caps), the member, the
    header, and the record-boundary sanity scan of ``check_stream``."""
    with open_member(opener, name, uri, limits, member_of, size=size) as (stream, member):
        source = uri if member == name else f"{uri}!{member}"
        return FileCheck(member, *check_stream(stream, source, limits, kind=kind))


def check_stream(stream: BinaryReader, source: str, limits: Limits,
                 *, kind: str = "npidata") -> tuple[nppes_schema.FileSchema, bool, int, int]:
    """A known NPPES header, at least one record, and no record longer than ``max_record_bytes``
    (the gap between two boundaries); returns (schema, quoted, records, bytes). Memory: one piece."""
    head = read_head(stream)
    header, start = read_header(lambda a, b: head[a:b], len(head), source=source)
    schema = nppes_schema.match_header(kind, header, source=source)
    quoted = records.quoted_header(head[:start])
    buffer, offset, last, count = bytearray(head[start:]), start, start, 0
    has_data, eof = bool(buffer.strip()), False
    while True:
        scan_end = len(buffer) if eof else max(0, len(buffer) - records.LOOKAHEAD)
        for cut in records.boundaries(buffer, quoted=quoted, end=scan_end):
            if offset + cut - last > limits.max_record_bytes:
                raise _too_long(source, last, limits)
            last, count = offset + cut, count + 1
        if eof:
            break
        del buffer[:scan_end]  # keep the tail: a boundary's look-ahead may straddle two reads
        offset += scan_end
        if offset - last > limits.max_record_bytes:
            raise _too_long(source, last, limits)
        piece = stream.read(READ_PIECE)
        eof, has_data = not piece, has_data or bool(piece.strip())
        buffer += piece
    end = offset + len(buffer)
    if not has_data:
        raise NppesFileError(f"{source}: the file has a header but no records")
    if end - last > limits.max_record_bytes:
        raise _too_long(source, last, limits)
    return schema, quoted, count + 1, end


def read_head(stream: BinaryReader) -> bytes:
    head = bytearray()
    while len(head) < HEADER_PROBE_BYTES and b"\n" not in head:
        piece = stream.read(HEADER_PROBE_BYTES)
        if not piece:
            break
        head += piece
    return bytes(head)


def _too_long(source: str, start: int, limits: Limits) -> NppesFileError:
    return NppesFileError(
        f"{source}: no record boundary in the {limits.max_record_bytes:,} bytes after byte {start:,}: a record is "
        "longer than CAREATLAS_MAX_RECORD_BYTES, or the file's line breaks or quoting are broken")
