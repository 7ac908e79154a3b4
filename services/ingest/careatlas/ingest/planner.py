"""Split an NPPES CSV into line-aligned byte ranges, one per chunk task.

Ranges are cut at record boundaries (careatlas.nppes.records: a newline, then the next record's
NPI with a valid check digit, quoted in all-quoted files), so boundaries are exact for NPPES
files with CRLF or LF endings, with or without a final newline. A search never goes further
than ``max_record_bytes`` past where it starts: a chunk or block with no boundary in that
window fails with an error naming the file and the byte offset, instead of growing to the rest
of the file. Pure: reads through a callable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from careatlas.nppes import records
from careatlas.nppes.file import NppesFileError, read_header

ReadRange = Callable[[int, int], bytes]  # (start, end) -> bytes[start:end]
SEARCH_WINDOW = 1 << 16
PlanError = NppesFileError  # the planner's errors are the file's: they name it and the offset
__all__ = ["PlanError", "iter_blocks", "next_record_start", "plan_ranges", "read_header", "record_texts"]


def next_record_start(read: ReadRange, position: int, size: int, *, quoted: bool = True,
                      max_record_bytes: int | None = None, source: str = "file") -> int:
    """The first record boundary at or after ``position`` (``size`` when there is none before
    the end); ``PlanError`` when none lies within ``max_record_bytes`` and the end is further."""
    if position <= 0:
        return 0
    start = position - 1  # a boundary exactly at ``position`` has its newline at position - 1
    limit = size if max_record_bytes is None else min(size, position + max_record_bytes)
    while start < limit:
        end = min(limit, start + SEARCH_WINDOW)
        window = read(start, min(size, end + records.LOOKAHEAD))
        cut = records.first_boundary(window, quoted=quoted, end=end - start)
        if cut is not None:
            return start + cut
        start = end
    if limit < size:
        raise PlanError(
            f"{source}: no record boundary in the {max_record_bytes:,} bytes after byte {position:,}: a record is "
            "longer than CAREATLAS_MAX_RECORD_BYTES, or the file's line breaks or quoting are broken")
    return size


def plan_ranges(read: ReadRange, size: int, data_start: int, chunk_bytes: int, *, quoted: bool = True,
                max_record_bytes: int | None = None, source: str = "file") -> list[tuple[int, int]]:
    """Byte ranges ``[start, end)`` covering every record once, each about ``chunk_bytes`` long
    (at most ``chunk_bytes + max_record_bytes``)."""
    if data_start >= size:
        return []
    cuts = [data_start]
    target = data_start + chunk_bytes
    while target < size:
        cut = next_record_start(read, target, size, quoted=quoted, max_record_bytes=max_record_bytes, source=source)
        if cut >= size:
            break
        cuts.append(cut)
        target = cut + chunk_bytes
    cuts.append(size)
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def iter_blocks(read: ReadRange, start: int, end: int, block_bytes: int, *, quoted: bool = True,
                max_record_bytes: int | None = None, source: str = "file") -> Iterator[bytes]:
    """Record-aligned blocks of ``[start, end)`` of about ``block_bytes`` (at most
    ``block_bytes + max_record_bytes``), read one at a time, so only one block of a chunk is in
    memory (a ranged GET each on S3)."""
    position = start
    while position < end:
        cut = end if end - position <= block_bytes else next_record_start(
            read, position + block_bytes, end, quoted=quoted, max_record_bytes=max_record_bytes, source=source)
        yield read(position, cut)
        position = cut


def record_texts(data: bytes, *, quoted: bool = True) -> list[bytes]:
    """Every record of a block on its own, cut at boundaries."""
    return [r for r in records.split_records(data, quoted=quoted) if r.strip()]
