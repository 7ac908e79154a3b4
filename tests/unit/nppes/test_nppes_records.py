"""The record-boundary rule every reader shares (careatlas.nppes.records)."""

from __future__ import annotations

import random

import polars as pl
import pytest

from careatlas.nppes import records
from careatlas.nppes import schema as nppes_schema


def test_the_fast_check_digit_agrees_with_the_schemas() -> None:
    rng = random.Random(14)
    values = [f"{rng.randrange(10**10):010d}" for _ in range(3000)]
    values += [nine + str(nppes_schema.npi_check_digit(nine)) for nine in (v[:9] for v in values[:1000])]
    assert all(records.npi_digits_valid(v) == nppes_schema.is_valid_npi(v) for v in values)
    assert all(records.npi_digits_valid(v.encode()) == nppes_schema.is_valid_npi(v) for v in values)
    held = pl.select(records.npi_check_digit_holds(pl.Series([int(v) for v in values]))).to_series()
    assert held.to_list() == [nppes_schema.is_valid_npi(v) for v in values]


def _candidate(rng: random.Random) -> str:
    """Text that is, or nearly is, a record start: valid and failing check digits, quoted or not."""
    nine = f"{rng.randrange(10**9):09d}"
    last = str(nppes_schema.npi_check_digit(nine)) if rng.random() < 0.7 else str(rng.randrange(10))
    quote = '"' if rng.random() < 0.8 else ""
    return ("\n" if rng.random() < 0.9 else " ") + quote + nine + last + quote + rng.choice([",", ",", "x", ""])


@pytest.mark.parametrize("quoted", [True, False], ids=["quoted", "unquoted"])
def test_counting_records_agrees_with_their_boundaries(quoted: bool) -> None:
    rng = random.Random(17)
    for _ in range(500):
        data = ("x" + "".join(_candidate(rng) for _ in range(rng.randrange(8)))).encode()
        assert records.count_records(data, quoted=quoted) == len(list(records.boundaries(data, quoted=quoted))) + 1
    assert records.count_records(b" \r\n", quoted=quoted) == 0


@pytest.mark.parametrize(
    ("data", "quoted", "expected"),
    [
        (b'"1234567893","a"\n"1000000087","b"\n', True, [17]),
        (b'"1234567893","a"\n"1234567890","b"\n', True, []),  # the check digit fails: not a record start
        (b'"1234567893","PO BOX\n1000000087, REAR"\n', True, []),  # unquoted digits inside a quoted value
        (b'"1234567893","x\n""1000000087"",y"\n', True, []),  # an escaped quote is doubled
        (b"1234567893,a\r\n1000000087,b\r\n", False, [14]),
        (b'"1234567893","a"\r\n"1000000087","b"', True, [18]),  # the look-ahead reaches the last bytes
    ],
    ids=["quoted", "bad-check-digit", "digits-in-value", "escaped-quote", "unquoted", "crlf-at-end"],
)
def test_boundaries(data: bytes, quoted: bool, expected: list[int]) -> None:
    assert list(records.boundaries(data, quoted=quoted)) == expected


@pytest.mark.parametrize(("line", "quoted"), [(b'\xef\xbb\xbf"NPI","x"', True), (b'"NPI"', True), (b"NPI,x", False)])
def test_quoting_comes_from_the_header_line(line: bytes, quoted: bool) -> None:
    assert records.quoted_header(line) is quoted
