"""The demo's headline tables: columns the marts really have (state included), headings with
units, "no provider" instead of None, and every line within a 100-column terminal."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
import yaml
from rich.console import Console

from careatlas.cli.headlines import HEADLINES, WIDTH, HeadlineError, format_value, headline_tables, rows_of
from careatlas.shared import layout
from careatlas.shared.reference_folder import REPO
from careatlas.shared.storage import open_lake

RUN = "run-20261202T010000-00001"


def _model_sql(mart: str) -> str:
    [sql] = (REPO / "dbt" / "models" / "marts").rglob(f"{mart}.sql")
    return sql.read_text()


@pytest.mark.parametrize("headline", HEADLINES[:2], ids=lambda h: h.mart)
def test_the_state_column_is_the_one_the_mart_has(headline) -> None:
    """The marts call it state_code (a state_abbreviation column was asked for and silently dropped);
    the end-to-end demo test renders the built marts, where any missing column raises."""
    assert "state_code" in [c.name for c in headline.columns]
    assert re.search(r"\bstate_code\b", _model_sql(headline.mart))


def _contract_columns(mart: str) -> list[str]:
    """The mart's columns as its enforced dbt contract lists them (the build fails on any other)."""
    [path] = (REPO / "dbt" / "models" / "marts").rglob(f"{mart}.yml")
    [model] = yaml.safe_load(path.read_text())["models"]
    assert model["config"]["contract"]["enforced"] is True
    return [column["name"] for column in model["columns"]]


@pytest.mark.parametrize("headline", HEADLINES, ids=lambda h: h.mart)
def test_headline_columns_are_in_the_marts_contract(headline) -> None:
    """Every column a headline shows, sorts or filters by is one its mart's contract names."""
    names = {c.name for c in headline.columns} | {headline.order}
    names |= {"geography_level", "geography_code"} if headline.levels else set()
    assert names <= set(_contract_columns(headline.mart)), names - set(_contract_columns(headline.mart))


def _marts() -> dict[str, pl.DataFrame]:
    counties = pl.DataFrame({
        "underserved_rank": [2, 1, 3], "county_name": ["Garfield County", "Loving County", "Petroleum County"],
        "state_code": ["MT", "TX", "MT"], "total_population": [1_173, 64, 496],
        "people_per_primary_care_provider": [1_173.0, None, None], "shortage_screens_met": [2, 3, 3],
        "underserved_score": [91.25, 99.5, 97.0],
    })
    states = pl.DataFrame({
        "state_code": ["MT", "WY"], "state_name": ["Montana", "Wyoming"], "total_population": [1_137_233, 587_618],
        "individual_providers": [21_000, 9_800], "individual_providers_per_100k": [1_846.6, 1_667.8],
        "primary_care_providers_per_100k": [78.1, 70.2], "people_per_primary_care_provider": [1_280.4, 1_424.5],
    })
    gaps = pl.DataFrame({
        "geography_level": ["region", "region", "division"], "geography_name": ["West", "Midwest", "Mountain"],
        "specialty_name": ["Nurse Practitioner", "core_mental_health", "Psychiatry"],
        "providers": [490.0, 614.5, 20.0], "expected_providers": [552.7, 628.8, 40.0],
        "provider_gap": [62.7, 14.3, 20.0], "rate_ratio_to_national": [0.887, 0.977, 0.5],
    }).with_columns(geography_code=pl.col("geography_name"))
    return {"fct_underserved_counties": counties, "fct_state_provider_density": states, "fct_specialty_gaps": gaps}


@pytest.fixture
def lake(tmp_path: Path) -> str:
    root = str(tmp_path / "lake")
    the_lake = open_lake(root)
    folder = Path(root) / layout.marts_run(RUN)
    folder.mkdir(parents=True)
    for name, frame in _marts().items():
        frame.write_parquet(folder / f"{name}.parquet")
    the_lake.write_json(layout.marts_latest(), {"run_id": RUN})
    return root


def _printed(lake: str) -> str:
    console = Console(width=WIDTH, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    for table in headline_tables(lake, caption="Synthetic providers"):
        console.print(table)
    return console.export_text()


def test_tables_fit_100_columns_with_units_state_and_no_none(lake: str) -> None:
    text = _printed(lake)
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    flat = " ".join(text.split())
    for words in ("People per primary-care physician", "Providers per 100k people", "Score (0-100)",
                  "Shortage screens met (of 3)", "Rate / national rate (x)", "Gap, providers"):
        assert all(word in flat for word in words.split()), words
    assert "None" not in text and "no provider" in text
    assert "│ MT" in text and "│ TX" in text  # the state column is kept
    assert "1,137,233" in text and "1,846.6" in text and "0.89" in text
    assert "Core mental health (group)" in flat


def test_underserved_order_and_the_region_level(lake: str) -> None:
    marts = _marts()
    ranked = rows_of(HEADLINES[0], marts["fct_underserved_counties"], 10)
    assert [row[1] for row in ranked] == ["Loving County", "Garfield County", "Petroleum County"]
    gaps = rows_of(HEADLINES[2], marts["fct_specialty_gaps"], 10)
    assert [row[0] for row in gaps] == ["West", "Midwest"]  # two regions: regions, not divisions


def test_one_region_shows_its_divisions() -> None:
    gaps = pl.DataFrame({
        "geography_level": ["region", "division", "division"], "geography_code": ["2", "4", "3"],
        "geography_name": ["Midwest", "West North Central", "East North Central"],
        "specialty_name": ["Psychiatry"] * 3, "providers": [1.0] * 3, "expected_providers": [2.0] * 3,
        "provider_gap": [1.0, 3.0, 2.0], "rate_ratio_to_national": [0.5] * 3,
    })
    assert [row[0] for row in rows_of(HEADLINES[2], gaps, 10)] == ["West North Central", "East North Central"]


def test_a_missing_column_is_an_error_not_a_narrower_table() -> None:
    counties = _marts()["fct_underserved_counties"].drop("state_code")
    with pytest.raises(HeadlineError, match="fct_underserved_counties has no column state_code"):
        rows_of(HEADLINES[0], counties, 10)


@pytest.mark.parametrize(("value", "kind", "text"), [
    (None, "people_per", "no provider"), (None, "rate", "n/a"), (12345, "count", "12,345"),
    (1234.56, "rate", "1,234.6"), (0.8766, "ratio", "0.88"), ("primary_care", "label", "Primary care (group)"),
    ("Nurse Practitioner", "label", "Nurse Practitioner"),
])
def test_values_are_formatted_for_people(value, kind: str, text: str) -> None:
    assert format_value(value, kind) == text
