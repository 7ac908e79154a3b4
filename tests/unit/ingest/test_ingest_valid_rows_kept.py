"""Valid rows are never quarantined, and rows_read is what the file holds (issue 14 item 7,
review M6, L2, L3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import nppes_rows as rows

from careatlas.ingest.chunk import ingest_chunk
from careatlas.ingest.models import ChunkSpec
from careatlas.ingest.parse import parse_block
from careatlas.ingest.planner import iter_blocks, plan_ranges
from careatlas.nppes import schema as nppes_schema
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

ADDRESS = "provider_first_line_business_mailing_address"
OTHER_NAME = "provider_other_organization_name"
VALID_NPI = rows.npi(5)  # a 10-digit value with a good check digit: the nastiest look-alike


def _block(*records: dict | str) -> bytes:
    return ("\r\n".join(r if isinstance(r, str) else rows.line(r) for r in records) + "\r\n").encode()


def _unquoted(values: dict[str, str]) -> str:
    return ",".join(values[c] for c in nppes_schema.MAIN.columns)


@pytest.mark.parametrize(
    "value",
    [f"PO BOX 2341\n{VALID_NPI}, REAR", f'PO BOX 2341\n""{VALID_NPI}"",REAR', f"SUITE 2\r\n{VALID_NPI},"],
    ids=["digits-comma", "quoted-digits", "crlf-digits"],
)
def test_a_quoted_line_break_before_npi_digits_never_splits_a_record(value: str) -> None:
    tricky = rows.line(rows.provider(3)).replace('"José"', f'"{value}"', 1)
    data = _block(*rows.many(4), tricky, *rows.many(4, start=10))
    block = parse_block(data, nppes_schema.MAIN, chunk=0, first_row=1)
    assert (block.rows_read, block.valid.height, block.quarantine.height) == (9, 9, 0)
    assert value.replace('""', '"') in block.valid["provider_first_name"].to_list()
    # nor does planning cut there, however small the chunks and blocks
    ranges = plan_ranges(lambda a, b: data[a:b], len(data), 0, 1)
    assert tricky.encode() + b"\r\n" in [data[a:b] for a, b in ranges]
    assert len(list(iter_blocks(lambda a, b: data[a:b], 0, len(data), 1))) == 9


def test_one_broken_record_does_not_drag_valid_neighbours_into_quarantine() -> None:
    multi_line = rows.provider(1, **{ADDRESS: "100 MAIN ST 2ND\n2ND FLOOR"})
    broken = rows.line(rows.provider(6)).replace(f'"{rows.npi(6)}"', '"12345"67890"')
    unclosed = rows.line(rows.provider(8)).replace('"José"', '"Jos', 1)  # swallows the next record
    after_unclosed = rows.provider(9, **{OTHER_NAME: f"A\n{VALID_NPI}, B"})
    data = _block(multi_line, *rows.many(3, start=2), broken, rows.provider(7), unclosed, after_unclosed,
                  rows.provider(10))
    block = parse_block(data, nppes_schema.MAIN, chunk=0, first_row=1)
    assert block.rows_read == 9  # the file holds nine records, whatever the splitter thinks
    assert sorted(block.quarantine["npi"].to_list()) == sorted(['12345"6789', rows.npi(8)])
    kept = block.valid["npi"].to_list()
    assert {int(rows.npi(n)) for n in (1, 2, 3, 4, 7, 9, 10)} == set(kept)
    assert "100 MAIN ST 2ND\n2ND FLOOR" in block.valid[ADDRESS].to_list()


@pytest.mark.parametrize("with_quotes", [False, True], ids=["no-quotes", "some-quoted-fields"])
def test_unquoted_files_with_short_rows_are_caught(with_quotes: bool) -> None:
    good = [_unquoted(rows.provider(n)) for n in range(1, 5)]
    if with_quotes:
        good[1] = good[1].replace("José", '"José, Jr"')
    short = _unquoted(rows.provider(6)).rsplit(",", 290)[0]  # 40 of 330 fields, no quotes at all
    data = "\r\n".join([*good[:2], short, *good[2:]]).encode() + b"\r\n"
    block = parse_block(data, nppes_schema.MAIN, chunk=0, first_row=1)
    assert (block.rows_read, block.valid.height, block.quarantine.height) == (5, 4, 1)
    assert block.quarantine["reason"][0] == "row has 40 fields, expected 330"
    assert block.quarantine["_chunk_row"][0] == 3


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (b"M\xc3\xbcLLER \xe9", "MüLLER é"),  # valid UTF-8 kept, the one Latin-1 byte repaired
        (b"Jos\xe9", "José"),
        (b"SM\x00ITH", "SMITH"),  # NUL removed
        (b"SMI\x1aTH\x07", "SMITH"),  # other C0 controls removed
        (b"A\tB", "A\tB"),  # tab is text
    ],
    ids=["mixed", "latin1", "nul", "controls", "tab"],
)
def test_only_the_bad_bytes_of_a_record_are_repaired(raw: bytes, stored: str) -> None:
    record = rows.line(rows.provider(1)).encode().replace("José".encode(), raw)
    data = rows.line(rows.provider(2)).encode() + b"\r\n" + record + b"\r\n"
    block = parse_block(data, nppes_schema.MAIN, chunk=0, first_row=1)
    assert (block.valid.height, block.quarantine.height) == (2, 0)
    assert block.valid["provider_first_name"].to_list() == ["José", stored]
    assert block.encoding_repaired == (0 if raw == b"A\tB" else 1)


@pytest.mark.parametrize("block_bytes", [20_000, 10**7])
def test_no_real_nppes_row_is_quarantined(reference_dir: Path, tmp_path: Path, block_bytes: int) -> None:
    """998 real rows of a 2021 monthly file, cut into small chunks and blocks."""
    data = (reference_dir / "nppes_raw" / "npidata_pfile_sample_2021.csv").read_bytes()
    start = data.index(b"\n") + 1  # its header says "Provider Gender Code"; the columns are today's
    lake = Lake(str(tmp_path / "lake"), Settings())
    lake.put_bytes("raw.csv", data)
    total = quarantined = 0
    for n, (a, b) in enumerate(plan_ranges(lambda x, y: data[x:y], len(data), start, 300_000)):
        spec = ChunkSpec(dataset="npidata", release="2021-01-10", version="v1", chunk=n, source_key="raw.csv",
                         start=a, end=b)
        result = ingest_chunk(lake, spec, block_bytes=block_bytes)
        total, quarantined = total + result.rows_read, quarantined + result.rows_quarantined
    assert (total, quarantined) == (998, 0)
