"""Chunk planning: every record in exactly one range, whatever the line endings and sizes."""

from __future__ import annotations

import pytest
from support import nppes_rows

from careatlas.ingest.planner import (
    PlanError,
    iter_blocks,
    next_record_start,
    plan_ranges,
    read_header,
    record_texts,
)


def _file(rows: int, newline: str = "\r\n", final_newline: bool = True, embedded: bool = False) -> bytes:
    lines = [nppes_rows.header()]
    for n in range(rows):
        values = nppes_rows.provider(n)
        if embedded and n % 3 == 0:  # a quoted value with line breaks and commas inside
            values["provider_other_organization_name"] = 'Suite 1,\n"1234567890",\nfloor'.replace('"', "'")
        lines.append(nppes_rows.line(values))
    return (newline.join(lines) + (newline if final_newline else "")).encode()


def _records_in(data: bytes, ranges: list[tuple[int, int]]) -> list[bytes]:
    return [r.rstrip(b"\r\n") for a, b in ranges for r in record_texts(data[a:b])]


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("final_newline", [True, False])
@pytest.mark.parametrize("embedded", [False, True])
@pytest.mark.parametrize("chunk_bytes", [1, 700, 5_000, 10**9])
def test_ranges_cover_every_record_once(newline, final_newline, embedded, chunk_bytes) -> None:
    data = _file(40, newline, final_newline, embedded)
    fields, start = read_header(lambda a, b: data[a:b], len(data), source="t.csv")
    ranges = plan_ranges(lambda a, b: data[a:b], len(data), start, chunk_bytes)
    assert len(fields) == 330
    assert ranges[0][0] == start and ranges[-1][1] == len(data)
    assert all(a < b for a, b in ranges) and all(x[1] == y[0] for x, y in zip(ranges, ranges[1:], strict=False))
    expected = [r.rstrip(b"\r\n") for r in record_texts(data[start:])]
    assert len(expected) == 40
    assert _records_in(data, ranges) == expected


def test_chunk_boundaries_start_on_records() -> None:
    data = _file(30, embedded=True)
    _fields, start = read_header(lambda a, b: data[a:b], len(data), source="t.csv")
    for a, _b in plan_ranges(lambda a, b: data[a:b], len(data), start, 2_000):
        assert data[a : a + 1] == b'"' and data[a + 1 : a + 11].isdigit()


def test_boundary_search_crosses_windows() -> None:
    record = b'"1234567893","' + b"x" * 200_000 + b'"\n'
    data = record * 3
    assert next_record_start(lambda a, b: data[a:b], 10, len(data)) == len(record)
    assert next_record_start(lambda a, b: data[a:b], len(record) * 2 + 5, len(data)) == len(data)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\xff\xfe" * 50_000, "no line break"), (b"\xff\xfeA,B\n", "not UTF-8")],
)
def test_unreadable_headers_fail_clearly(content: bytes, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        read_header(lambda a, b: content[a:b], len(content), source="bad.csv")


@pytest.mark.parametrize(
    ("block_bytes", "blocks_expected"), [(1, "one per record"), (2_500, "several"), (10**9, "one")]
)
def test_blocks_are_record_aligned_and_cover_the_range(block_bytes: int, blocks_expected: str) -> None:
    data = _file(50)
    _fields, start = read_header(lambda a, b: data[a:b], len(data), source="t.csv")
    end = plan_ranges(lambda a, b: data[a:b], len(data), start, 6_000)[0][1]  # the first chunk
    blocks = list(iter_blocks(lambda a, b: data[a:b], start, end, block_bytes))
    assert b"".join(blocks) == data[start:end]
    assert all(block[:1] == b'"' and block.endswith(b"\r\n") for block in blocks)
    records = len(record_texts(data[start:end]))
    count = {"one per record": records, "one": 1}.get(blocks_expected)
    assert len(blocks) == count if count else 1 < len(blocks) < records
