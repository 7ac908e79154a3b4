from __future__ import annotations

import json
from pathlib import Path

import pytest

from careatlas.census import variables as v


def test_default_set_is_the_contract() -> None:
    assert [
        "B01003_001E",
        *[f"B01001_{n:03d}E" for n in range(3, 7)],  # under 18: men, then women
        *[f"B01001_{n:03d}E" for n in range(27, 31)],
        *[f"B01001_{n:03d}E" for n in range(20, 26)],
        *[f"B01001_{n:03d}E" for n in range(44, 50)],
        "B19013_001E",
        "B17001_001E",
        "B17001_002E",
        "B27010_001E",
        "B27010_017E",
        "B27010_033E",
        "B27010_050E",
        "B27010_066E",
    ] == v.DEFAULT_VARIABLES


@pytest.mark.parametrize(("year", "has_uninsured"), [(2009, False), (2011, False), (2012, True), (2024, True)])
def test_uninsured_only_from_2012(year: int, has_uninsured: bool) -> None:
    assert ("B27010_001E" in v.wanted(year)) is has_uninsured
    assert len(v.defaults(year)) == (29 if has_uninsured else 24)


def test_named_variables_replace_the_default_set_in_a_request() -> None:
    assert v.wanted(2022, ["b19013_001e"]) == ["B19013_001E"]
    assert v.wanted(2022, []) == []


@pytest.mark.parametrize(
    ("name", "dataset"),
    [
        ("B01003_001E", "acs/acs5"),
        ("C17002_002E", "acs/acs5"),
        ("S0101_C01_001E", "acs/acs5/subject"),
        ("DP02_0126E", "acs/acs5/profile"),
        ("DP05_0001PE", "acs/acs5/profile"),
        ("CP03_2019_001E", "acs/acs5/cprofile"),
    ],
)
def test_dataset_follows_the_table_prefix(name: str, dataset: str) -> None:
    assert v.dataset_of(name) == dataset


@pytest.mark.parametrize("bad", ["NAME", "B01003", "b01003_001e; drop", "B01003_001E&key=x", "GEO_ID"])
def test_names_that_are_not_variables_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not ACS variable names"):
        v.check_variables([bad])


def test_variables_are_upper_cased_and_deduplicated() -> None:
    assert v.check_variables(["b01003_001e", "B01003_001E ", "", "B19013_001E"]) == [
        "B01003_001E",
        "B19013_001E",
    ]


@pytest.mark.parametrize("count", [1, 49, 50, 120])
def test_batches_hold_at_most_49_names_plus_name(count: int) -> None:
    names = [f"B99{n:03d}_001E" for n in range(count)]
    batches = v.plan_batches(names)
    assert all(len(group) <= 49 for _dataset, group in batches)
    assert [name for _dataset, group in batches for name in group] == names
    assert len(batches) == -(-count // 49)


@pytest.mark.parametrize("year", [2008, 2025])
def test_vintages_outside_2009_2024_are_refused(year: int) -> None:
    with pytest.raises(ValueError, match="2009-2024"):
        v.check_year(year)


def test_unknown_geography_is_refused() -> None:
    with pytest.raises(ValueError, match="county, state"):
        v.check_geo("tract")


def test_real_2009_metadata_has_the_default_set_but_no_b27(reference_dir: Path) -> None:
    """variables.json of the 2009 vintage agrees with our vintage rule."""
    path = reference_dir / "census" / "acs5_2009_detail_variables.json"
    published = set(json.loads(path.read_text())["variables"])
    assert set(v.defaults(2009)) <= published
    assert not set(v.UNINSURED) & published
    assert all(v.is_variable(n) for n in published if n.startswith(("B01", "B19", "B17")))


def test_real_2019_profile_names_are_variables_of_the_profile_endpoint(reference_dir: Path) -> None:
    path = reference_dir / "census" / "acs5_2019_profile_variables.json"
    names = [n for n in json.loads(path.read_text())["variables"] if n.startswith("DP")]
    assert len(names) > 1000
    assert all(v.is_variable(n) and v.dataset_of(n) == "acs/acs5/profile" for n in names)
