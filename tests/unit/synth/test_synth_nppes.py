from __future__ import annotations

import csv
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from careatlas.nppes.schema import MAIN_COLUMNS, TAXONOMY_SLOTS, is_valid_npi
from careatlas.synth.nppes import OptionError, generate_file, parse_size

_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
RELEASE = date(2025, 3, 2)  # as in conftest.small_file
ROWS = 4000


def _active(records):
    return [r for r in records if r["Entity Type Code"]]


def test_header_is_the_cms_header(small_file) -> None:
    with Path(small_file.path).open(newline="", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == MAIN_COLUMNS


def test_every_field_is_quoted_and_every_row_has_330_fields(small_file) -> None:
    lines = Path(small_file.path).read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == ROWS + 2  # header, rows, trailing newline
    for line in lines[:-1]:
        assert line.startswith('"') and line.endswith('"') and "\r" not in line
        # values never contain '"', so splitting on the separators is exact
        assert len(line[1:-1].split('","')) == 330
    with Path(small_file.path).open(newline="", encoding="utf-8") as handle:
        assert {len(row) for row in csv.reader(handle)} == {330}


def test_npis_are_valid_and_unique(records) -> None:
    npis = [r["NPI"] for r in records]
    assert len(npis) == ROWS == len(set(npis))
    assert all(is_valid_npi(npi) for npi in npis)


def test_entity_mix_and_deactivated_share(records, small_file) -> None:
    kinds = [r["Entity Type Code"] for r in records]
    assert 0.70 < kinds.count("1") / ROWS < 0.80
    assert 0.18 < kinds.count("2") / ROWS < 0.26
    assert 0.025 < kinds.count("") / ROWS < 0.045
    assert small_file.deactivated == kinds.count("")


def test_deactivated_rows_carry_only_npi_and_deactivation_date(records) -> None:
    gone = [r for r in records if not r["Entity Type Code"]]
    assert gone
    for row in gone:
        filled = {name for name, value in row.items() if value}
        assert filled == {"NPI", "NPI Deactivation Date"}
        assert _DATE.fullmatch(row["NPI Deactivation Date"])


def test_exactly_one_primary_taxonomy_and_not_always_slot_one(records) -> None:
    primary_slots = []
    for row in _active(records):
        switches = [row[f"Healthcare Provider Primary Taxonomy Switch_{n}"] for n in range(1, TAXONOMY_SLOTS + 1)]
        assert switches.count("Y") == 1
        slot = switches.index("Y") + 1
        assert row[f"Healthcare Provider Taxonomy Code_{slot}"]
        assert set(switches) <= {"Y", "N", "X", ""}
        primary_slots.append(slot)
    assert primary_slots.count(1) > 0.6 * len(primary_slots)
    assert set(primary_slots) > {1}
    filled = [sum(bool(r[f"Healthcare Provider Taxonomy Code_{n}"]) for n in range(1, 16)) for r in _active(records)]
    assert {1, 2, 3, 4} <= set(filled) and max(filled) == 4
    assert filled.count(1) > filled.count(2) > filled.count(3) > 0


def test_individuals_and_organisations_have_their_own_fields(records) -> None:
    for row in _active(records):
        if row["Entity Type Code"] == "1":
            assert row["Provider Last Name (Legal Name)"] and row["Provider First Name"]
            assert row["Provider Sex Code"] in {"M", "F"}
            assert not row["Provider Organization Name (Legal Business Name)"]
        else:
            assert row["Provider Organization Name (Legal Business Name)"]
            assert row["Employer Identification Number (EIN)"] == "<UNAVAIL>"
            assert row["Authorized Official Last Name"] and row["Authorized Official Title or Position"]
            assert not row["Provider Sex Code"] and not row["Provider Last Name (Legal Name)"]
    credentials = {r["Provider Credential Text"] for r in records if r["Entity Type Code"] == "1"}
    assert {"MD", "M.D."} <= credentials


def test_names_carry_apostrophes_commas_and_accents(records) -> None:
    text = " ".join(v for r in records for v in r.values())
    assert "'" in text and any(ord(ch) > 127 for ch in text)
    names = [r["Provider Organization Name (Legal Business Name)"] for r in records]
    assert any("," in name for name in names)


def test_dates_are_mm_dd_yyyy_and_ordered(records) -> None:
    newest = date.min
    for row in _active(records):
        enumerated = datetime.strptime(row["Provider Enumeration Date"], "%m/%d/%Y").date()
        updated = datetime.strptime(row["Last Update Date"], "%m/%d/%Y").date()
        assert date(2005, 5, 23) <= enumerated <= updated <= RELEASE
        newest = max(newest, updated)
    assert newest == RELEASE
    reactivated = [r for r in _active(records) if r["NPI Reactivation Date"]]
    for row in reactivated:
        off = datetime.strptime(row["NPI Deactivation Date"], "%m/%d/%Y")
        assert off < datetime.strptime(row["NPI Reactivation Date"], "%m/%d/%Y")


def test_postal_codes_are_text_with_leading_zeros(records) -> None:
    codes = [r["Provider Business Practice Location Address Postal Code"] for r in _active(records)
             if r["Provider Business Practice Location Address Country Code (If outside U.S.)"] == "US"]
    assert all(re.fullmatch(r"\d{5}|\d{9}", code) for code in codes)
    assert any(code.startswith("0") for code in codes)
    assert {len(code) for code in codes} == {5, 9}


def test_some_foreign_and_military_addresses() -> None:
    import numpy as np

    from careatlas.synth.npi import NpiSequence
    from careatlas.synth.rows import make_rows
    from careatlas.synth.vocab import load_vocab

    frame = make_rows(load_vocab(None), np.random.default_rng(3), NpiSequence(3).npis(0, 20000), RELEASE).frame
    countries = frame["Provider Business Practice Location Address Country Code (If outside U.S.)"]
    states = frame["Provider Business Practice Location Address State Name"]
    assert countries.drop_nulls().n_unique() > 3
    assert set(states.drop_nulls()) & {"AA", "AE", "AP"}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path) -> None:
    first = generate_file(tmp_path / "a.csv", rows=500, seed=4, release=RELEASE)
    again = generate_file(tmp_path / "b.csv", rows=500, seed=4, release=RELEASE)
    other = generate_file(tmp_path / "c.csv", rows=500, seed=5, release=RELEASE)
    assert first.path.read_bytes() == again.path.read_bytes()
    assert first.path.read_bytes() != other.path.read_bytes()


def test_crlf_newlines(tmp_path) -> None:
    data = generate_file(tmp_path / "crlf.csv", rows=50, seed=1, release=RELEASE, newline="\r\n").path.read_bytes()
    assert data.count(b"\r\n") == 51 and data.count(b"\n") == 51


def test_size_target_is_approximate(tmp_path) -> None:
    summary = generate_file(tmp_path / "sized.csv", size_bytes=3_000_000, seed=2, release=RELEASE)
    assert summary.bytes == summary.path.stat().st_size
    assert 2_700_000 < summary.bytes < 3_300_000


def test_folder_output_gets_the_cms_name(tmp_path) -> None:
    summary = generate_file(tmp_path, rows=10, seed=1, release=RELEASE)
    assert summary.path.name == "npidata_pfile_20050523-20250302.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10GB", 10**10), ("512MiB", 512 * 2**20), ("1.5gb", 1_500_000_000), ("2048", 2048), ("3 KB", 3000)],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["ten", "10 parsecs", "", "-1GB"])
def test_parse_size_rejects_nonsense(text: str) -> None:
    with pytest.raises(OptionError, match="size"):
        parse_size(text)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rows": 10, "size_bytes": 10}, "exactly one"),
        ({}, "exactly one"),
        ({"rows": 0}, "rows"),
        ({"rows": 10, "release": date(2006, 1, 1)}, "release"),
        ({"rows": 10, "newline": "\r"}, "newline"),
    ],
)
def test_bad_options_are_named(tmp_path, options, message) -> None:
    with pytest.raises(OptionError, match=message):
        generate_file(tmp_path / "x.csv", **options)
