from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from careatlas.census import acs
from careatlas.census import variables as v
from careatlas.census.errors import CensusDataError

AT = datetime(2026, 5, 1, 12, tzinfo=UTC)


def county_table(*rows: list[str | None], names: tuple[str, ...] = ("B01003_001E",)) -> list:
    return [["NAME", *names, "state", "county"], *[list(r) for r in rows]]


@pytest.mark.parametrize(
    "sentinel",
    [
        "-111111111",
        "-222222222",
        "-333333333",
        "-555555555",
        "-666666666",
        "-888888888",
        "-999999999",
    ],
)
def test_sentinels_become_null(sentinel: str) -> None:
    frame = acs.table_to_frame(
        county_table(["A, X", sentinel, "01", "001"], ["B, X", "250001", "01", "003"]),
        year=2022,
        geo="county",
        loaded_at=AT,
    )
    assert frame["B01003_001E"].to_list() == [None, 250001.0]


def test_contract_columns_and_types() -> None:
    table = county_table(["Autauga County, Alabama", "58761", "7", "1", "1"], names=("B01003_001E", "B99999_001E"))
    frame = acs.table_to_frame(table, year=2022, geo="county", loaded_at=AT)
    assert frame.columns == [
        "NAME",
        "state",
        "county",
        "fips",
        *v.DEFAULT_VARIABLES,
        "B99999_001E",
        "year",
        "_loaded_at",
    ]
    assert frame.schema["NAME"] == frame.schema["fips"] == pl.String
    assert all(frame.schema[n] == pl.Float64 for n in [*v.DEFAULT_VARIABLES, "B99999_001E"])
    assert frame.schema["year"] == pl.Int32
    assert frame.schema["_loaded_at"] == pl.Datetime("us", "UTC")
    # absent default variables are all-null columns, not missing columns
    assert frame["B27010_001E"].null_count() == 1


@pytest.mark.parametrize(
    ("state", "county", "fips"),
    [("01", "001", "01001"), ("1", "1", "01001"), ("09", "110", "09110"), ("72", "153", "72153")],
)
def test_county_fips_is_state_plus_county_zero_padded(state: str, county: str, fips: str) -> None:
    frame = acs.table_to_frame(county_table(["X", "5", state, county]), year=2022, geo="county", loaded_at=AT)
    assert frame["fips"].to_list() == [fips]
    assert (frame["state"][0], frame["county"][0]) == (fips[:2], fips[2:])


def test_state_geography_has_no_county_column() -> None:
    frame = acs.table_to_frame(
        [["NAME", "B01003_001E", "state"], ["Alaska", "733391", "02"]],
        year=2022,
        geo="state",
        loaded_at=AT,
    )
    assert "county" not in frame.columns and frame["fips"].to_list() == ["02"]


def test_a_value_that_is_not_a_number_is_named() -> None:
    with pytest.raises(CensusDataError, match=r"B01003_001E .*'12a'.*row 2 \(B, X\)"):
        acs.table_to_frame(
            county_table(["A, X", "1", "01", "001"], ["B, X", "12a", "01", "003"]),
            year=2022,
            geo="county",
            loaded_at=AT,
        )


def test_a_bad_fips_code_is_named() -> None:
    with pytest.raises(CensusDataError, match=r"bad county code.*row 1: '0x1'"):
        acs.table_to_frame(county_table(["A, X", "1", "01", "0x1"]), year=2022, geo="county", loaded_at=AT)


def test_a_geography_twice_is_refused() -> None:
    with pytest.raises(CensusDataError, match="01001 appears more than once"):
        acs.table_to_frame(
            county_table(["A", "1", "01", "001"], ["A", "2", "1", "1"]),
            year=2022,
            geo="county",
            loaded_at=AT,
        )


def test_missing_geography_column_is_refused() -> None:
    with pytest.raises(CensusDataError, match="no county column"):
        acs.table_to_frame(
            [["NAME", "B01003_001E", "state"], ["A", "1", "01"]],
            year=2022,
            geo="county",
            loaded_at=AT,
        )


def test_batches_join_on_geography_whatever_the_row_order() -> None:
    first = county_table(["A", "1", "01", "001"], ["B", "2", "01", "003"])
    second = [
        ["NAME", "B19013_001E", "state", "county"],
        ["B", "20", "01", "003"],
        ["A", "10", "01", "001"],
    ]
    joined = acs.join_batches([first, second], "county")
    assert joined == [
        ["NAME", "B01003_001E", "state", "county", "B19013_001E"],
        ["A", "1", "01", "001", "10"],
        ["B", "2", "01", "003", "20"],
    ]


@pytest.mark.parametrize(
    "second",
    [
        [["NAME", "B19013_001E", "state", "county"], ["A", "10", "01", "001"]],
        [
            ["NAME", "B19013_001E", "state", "county"],
            ["A", "10", "01", "001"],
            ["C", "1", "01", "005"],
        ],
    ],
)
def test_batches_with_different_geographies_are_refused(second: list) -> None:
    first = county_table(["A", "1", "01", "001"], ["B", "2", "01", "003"])
    with pytest.raises(CensusDataError, match="batch 2"):
        acs.join_batches([first, second], "county")
