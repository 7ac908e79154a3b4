"""Parsing and validation: typed rows out, every bad row quarantined with its reason."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from support import nppes_rows as rows
from support.nppes_rows import PRACTICE_COUNTRY, PRACTICE_STATE, PRACTICE_ZIP

from careatlas.ingest.parse import complete, parse_block
from careatlas.nppes import schema as nppes_schema


def _parse(*records: dict | str, newline: str = "\r\n"):
    text = newline.join(r if isinstance(r, str) else rows.line(r) for r in records) + newline
    return parse_block(text.encode(), nppes_schema.MAIN, chunk=7, first_row=11)


def test_valid_rows_are_typed_and_keep_text_codes() -> None:
    block = _parse(rows.provider(1, **{PRACTICE_ZIP: "02115"}), rows.deactivated(2))
    assert (block.rows_read, block.valid.height, block.quarantine.height) == (2, 2, 0)
    valid = complete(block.valid)
    first = valid.row(0, named=True)
    assert first["npi"] == int(rows.npi(1)) and valid.schema["npi"] == pl.Int64
    assert valid.schema["certification_date"] == pl.Date  # absent from the block, typed null
    assert first["last_update_date"] == dt.date(2025, 4, 7)
    assert first[PRACTICE_ZIP] == "02115"
    assert first["provider_first_name"] == "José" and first["provider_last_name_legal_name"] == "O'Name1"
    assert first["provider_middle_name"] is None  # "" -> null
    assert block.valid["_state"][0] == "MA" and first["_chunk"] == 7 and first["_chunk_row"] == 11
    gone = valid.row(1, named=True)
    assert gone["entity_type_code"] is None and gone["npi_deactivation_date"] == dt.date(2019, 5, 23)
    assert block.valid["_state"][1] == "NONE"


def test_values_are_trimmed_and_blank_values_null() -> None:
    """Only columns with edge whitespace are trimmed (parse._trimmed): the others must come out the same."""
    block = _parse(
        rows.provider(1, **{"provider_first_name": "  Ann\t", "provider_middle_name": "   ",
                            "provider_organization_name_legal_business_name": "A  B"}),
        rows.provider(2, **{"provider_first_name": "Bo", "provider_middle_name": "Lee"}),
    )
    assert block.valid.height == 2 and block.quarantine.height == 0
    assert block.valid["provider_first_name"].to_list() == ["Ann", "Bo"]
    assert block.valid["provider_middle_name"].to_list() == [None, "Lee"]
    assert block.valid["provider_organization_name_legal_business_name"][0] == "A  B"  # inner spaces kept
    assert block.valid["provider_last_name_legal_name"].to_list() == ["O'Name1", "O'Name2"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"npi": "1234567890"}, "npi: check digit fails: 1234567890"),
        ({"npi": "12345"}, "npi: not 10 digits: 12345"),
        ({"npi": ""}, "npi is empty"),
        ({"entity_type_code": "3"}, "entity_type_code: expected 1 or 2, got 3"),
        ({"entity_type_code": ""}, "entity_type_code is empty on an active NPI"),
        ({"last_update_date": "2025-04-07"}, "last_update_date: not a MM/DD/YYYY date: 2025-04-07"),
        ({"npi_reactivation_date": "02/30/2020"}, "npi_reactivation_date: not a MM/DD/YYYY date: 02/30/2020"),
        ({PRACTICE_STATE: "ZZ"}, f"{PRACTICE_STATE}: not a US state code: ZZ"),
        ({"replacement_npi": "1234567890"}, "replacement_npi: check digit fails"),
    ],
)
def test_invalid_values_are_quarantined_with_reason(overrides: dict, reason: str) -> None:
    block = _parse(rows.provider(1), rows.provider(2, **overrides))
    assert (block.rows_read, block.valid.height, block.quarantine.height) == (2, 1, 1)
    bad = block.quarantine.row(0, named=True)
    assert reason in bad["reason"]
    assert bad["_chunk"] == 7 and bad["_chunk_row"] == 12
    assert bad["raw_record"].startswith('"' + (overrides.get("npi", rows.npi(2))) + '"')


def test_clean_blocks_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from careatlas.ingest import parse

    def slow_path(*_args, **_kwargs):
        raise AssertionError("a clean block must be parsed by Polars, not record by record")

    monkeypatch.setattr(parse, "_read_record_by_record", slow_path)
    block = _parse(*rows.many(20), rows.provider(99, **{"provider_other_organization_name": "A,\nB"}))
    assert block.rows_read == 21 and block.quarantine.height == 0


def test_foreign_and_military_addresses_are_kept() -> None:
    block = _parse(
        rows.provider(1, **{PRACTICE_COUNTRY: "CA", PRACTICE_STATE: "ON"}),
        rows.provider(2, **{PRACTICE_STATE: "AE"}),
        rows.provider(3, **{PRACTICE_STATE: "pr"}),
    )
    assert block.quarantine.height == 0
    assert block.valid["_state"].to_list() == ["FOREIGN", "AE", "PR"]


def test_ragged_rows_are_quarantined() -> None:
    good = rows.line(rows.provider(1))
    too_many = rows.line(rows.provider(2)) + ',"surplus"'
    too_few = rows.line(rows.provider(3)).rsplit(",", 5)[0]
    block = _parse(good, too_many, too_few)
    assert block.valid.height == 1
    surplus, missing = block.quarantine["reason"].to_list()
    assert surplus in ("row has more than 330 fields", "row has 331 fields, expected 330")
    assert missing in ("row has fewer than 330 fields", "row has 325 fields, expected 330")


def test_broken_quoting_falls_back_without_losing_neighbours() -> None:
    broken = rows.line(rows.provider(2)).replace(f'"{rows.npi(2)}"', '"12345"67890"')
    truncated = rows.line(rows.provider(4))[:-40]
    block = _parse(rows.provider(1), broken, rows.provider(3), truncated)
    assert block.rows_read == 4
    assert block.valid["npi"].to_list() == [int(rows.npi(1)), int(rows.npi(3))]
    assert block.quarantine["_chunk_row"].to_list() == [12, 14]
    assert all("quoting" in r or "fields" in r or "npi" in r for r in block.quarantine["reason"])


def test_non_utf8_bytes_are_repaired_not_dropped() -> None:
    text = (rows.line(rows.provider(1)) + "\r\n").encode().replace("José".encode(), b"Jos\xe9")
    block = parse_block(text, nppes_schema.MAIN, chunk=0, first_row=1)
    assert block.encoding_repaired == 1 and block.valid.height == 1
    assert block.valid["provider_first_name"][0] == "José"


def test_legacy_files_land_in_the_current_shape() -> None:
    legacy_values = rows.provider(1)
    legacy_values.pop("certification_date")
    text = (",".join(f'"{legacy_values[c]}"' for c in nppes_schema.MAIN_LEGACY.columns) + "\n").encode()
    block = parse_block(text, nppes_schema.MAIN_LEGACY, chunk=0, first_row=1)
    valid = complete(block.valid)
    assert valid.columns[:330] == list(nppes_schema.MAIN.columns)
    assert valid["certification_date"][0] is None and valid["provider_sex_code"].dtype == pl.String
