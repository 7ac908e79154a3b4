"""The NPPES header contract: 330 columns, legacy 329, clear errors otherwise."""

from __future__ import annotations

import pytest

from careatlas.nppes import schema


def test_main_schema_has_330_unique_snake_case_columns() -> None:
    assert len(schema.MAIN_COLUMNS) == 330 and len(set(schema.MAIN.columns)) == 330
    assert schema.MAIN.columns[0] == "npi" and schema.MAIN.columns[41] == "provider_sex_code"
    assert schema.MAIN.columns[-1] == "certification_date"
    assert set(schema.MAIN.date_columns) == {
        "provider_enumeration_date", "last_update_date", "npi_deactivation_date",
        "npi_reactivation_date", "certification_date",
    }
    assert schema.MAIN.npi_columns == ["npi", "replacement_npi"]


def test_current_header_matches_the_real_one(reference_dir) -> None:
    real = (reference_dir / "nppes_columns.txt").read_text().splitlines()
    assert schema.match_header("npidata", real) is schema.MAIN
    for kind, name in [("pl", "nppes_pl_columns.txt"), ("othername", "nppes_othername_columns.txt"),
                       ("endpoint", "nppes_endpoint_columns.txt")]:
        header = (reference_dir / name).read_text().splitlines()
        assert list(schema.match_header(kind, header).source_columns) == header


def test_legacy_header_is_recognised_and_mapped() -> None:
    legacy = schema.match_header("npidata", list(schema.LEGACY_MAIN_COLUMNS))
    assert legacy.legacy and len(legacy.columns) == 329
    assert "provider_sex_code" in legacy.columns and "certification_date" not in legacy.columns


def test_the_2021_header_with_certification_date_and_gender_code_is_recognised(reference_dir) -> None:
    """330 columns, column 42 still 'Provider Gender Code': parsed exactly like today's file."""
    with open(reference_dir / "nppes_raw" / "npidata_pfile_sample_2021.csv", encoding="utf-8") as handle:
        header = [name.strip('"') for name in handle.readline().rstrip("\r\n").split(",")]
    matched = schema.match_header("npidata", header)
    assert header[41] == "Provider Gender Code" and header[-1] == "Certification Date"
    assert not matched.legacy and matched.columns == schema.MAIN.columns and matched.dtypes == schema.MAIN.dtypes


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            schema.MAIN_COLUMNS[:-2],
            "found 328 columns, expected 330; missing: 'Healthcare Provider Taxonomy Group_15'",
        ),
        ([*schema.MAIN_COLUMNS[:5], "Surprise", *schema.MAIN_COLUMNS[6:]], "unexpected: 'Surprise'"),
        (
            [schema.MAIN_COLUMNS[1], schema.MAIN_COLUMNS[0], *schema.MAIN_COLUMNS[2:]],
            "out of order at 1: 'Entity Type Code'",
        ),
    ],
)
def test_unknown_headers_name_the_differences(header, message) -> None:
    with pytest.raises(schema.HeaderMismatch, match="x.csv: not an NPPES npidata header") as error:
        schema.match_header("npidata", header, source="x.csv")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("npi", "valid"),
    [("1234567893", True), ("1234567890", False), ("123456789", False), ("12345678901", False), ("abcdefghij", False)],
)
def test_npi_check_digit(npi: str, valid: bool) -> None:
    assert schema.is_valid_npi(npi) is valid
