"""Split an NPPES CSV into line-aligned byte ranges, one per chunk task.

A record boundary is a newline followed by the next record's NPI field (10 digits, quoted in
CMS files). Every NPPES record starts with its NPI, and a newline inside a quoted value is
never followed by ``"<10 digits>",``, so boundaries found this way are exact for NPPES files
with CRLF or LF endings, with or without a final newline. Pure: reads through a callable.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

ReadRange = Callable[[int, int], bytes]  # (start, end) -> bytes[start:end]

RECORD_START = re.compile(rb'\n(?="?\d{10}"?,)')
# looser, for isolating records in a block that failed to parse: the NPI itself may be bad
RECORD_START_LOOSE = re.compile(rb'\n(?="|\d)')
HEADER_PROBE_BYTES = 1 << 16
SEARCH_WINDOW = 1 << 16


class PlanError(ValueError):
    """The file cannot be split: the message names the file and what is wrong with it."""


def read_header(read: ReadRange, size: int, *, source: str) -> tuple[list[str], int]:
    """The header's field names and the byte offset where the first record starts."""
    if size == 0:
        raise PlanError(f"{source}: the file is empty")
    probe = read(0, min(size, HEADER_PROBE_BYTES))
    newline = probe.find(b"\n")
    if newline < 0 and size > len(probe):
        raise PlanError(f"{source}: no line break in the first {len(probe)} bytes: not a CSV file")
    line = probe if newline < 0 else probe[:newline]
    try:
        text = line.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as error:
        raise PlanError(f"{source}: the header is not UTF-8 text (byte {error.start}): not an NPPES CSV") from None
    if "\x00" in text:
        raise PlanError(f"{source}: the header contains NUL bytes: not a CSV file")
    fields = next(csv.reader(io.StringIO(text)), [])
    return fields, (size if newline < 0 else newline + 1)


def next_record_start(read: ReadRange, position: int, size: int) -> int:
    """The first record boundary at or after ``position`` (``size`` when there is none)."""
    if position <= 0:
        return 0
    start = position - 1  # a boundary exactly at ``position`` has its newline at position - 1
    while start < size:
        end = min(size, start + SEARCH_WINDOW)
        # read a little past ``end``: the look-ahead needs the next record's NPI field
        match = RECORD_START.search(read(start, min(size, end + 16)))
        if match and start + match.start() < end:
            return start + match.start() + 1
        start = end
    return size


def plan_ranges(read: ReadRange, size: int, data_start: int, chunk_bytes: int) -> list[tuple[int, int]]:
    """Byte ranges ``[start, end)`` covering every record once, each about ``chunk_bytes`` long."""
    if data_start >= size:
        return []
    cuts = [data_start]
    target = data_start + chunk_bytes
    while target < size:
        cut = next_record_start(read, target, size)
        if cut >= size:
            break
        cuts.append(cut)
        target = cut + chunk_bytes
    cuts.append(size)
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def iter_blocks(read: ReadRange, start: int, end: int, block_bytes: int):
    """Record-aligned blocks of ``[start, end)`` of about ``block_bytes``, read one at a time, so
    only one block of a chunk is in memory (a ranged GET each on S3)."""
    position = start
    while position < end:
        cut = end if end - position <= block_bytes else next_record_start(read, position + block_bytes, end)
        yield read(position, cut)
        position = cut


def count_records(data: bytes) -> int:
    """Records in a block, counted from boundaries alone (to cross-check a CSV parser)."""
    return len(RECORD_START.findall(data)) + 1 if data.strip() else 0


def record_texts(data: bytes, *, loose: bool = False) -> list[bytes]:
    """Every record of a block on its own (the slow path for blocks Polars refuses)."""
    pattern = RECORD_START_LOOSE if loose else RECORD_START
    cuts = [0, *(m.start() + 1 for m in pattern.finditer(data)), len(data)]
    return [data[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if data[a:b].strip()]
