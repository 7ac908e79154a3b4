"""The spatial access marts of a real dbt build over the scenario lake (tests/fixtures/scenario.py):
supply at the real ZCTA centroids of the scenario's ZIPs, against distances and E2SFCA values
recomputed from the Gazetteer by hand-written formulas."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import polars as pl
import pytest
from fixtures.scenario import CHITTENDEN, VALDEZ_CORDOVA

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "dbt" / "seeds" / "gazetteer_2023_zctas.csv"
VENDORED = REPO / "data" / "reference" / "geo" / "gazetteer_2023_zctas.csv"


def test_the_seed_is_the_vendored_gazetteer_extract() -> None:
    # the dbt project ships alone in the transform image, so it carries its own copy
    assert SEED.read_bytes() == VENDORED.read_bytes(), f"refresh it: cp {VENDORED} {SEED}"


def gazetteer() -> dict[str, tuple[float, float, int]]:
    with open(SEED, newline="") as handle:
        return {r["ZCTA5"]: (float(r["Latitude"]), float(r["Longitude"]), int(r["Population"]))
                for r in csv.DictReader(handle)}


def haversine_miles(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(h))


def primary_care_zips(baseline) -> dict[str, float]:
    supply = baseline.mart("fct_zcta_spatial_access").filter(
        (pl.col("discipline") == "primary_care") & (pl.col("providers") > 0))
    return dict(zip(supply["zcta5"], supply["providers"], strict=True))


def test_nearest_primary_care_is_the_great_circle_distance_to_the_closest_supplied_zcta(baseline) -> None:
    places, supplied = gazetteer(), primary_care_zips(baseline)
    assert supplied, "the scenario has primary care providers at ZCTAs"
    zctas = baseline.mart("fct_zcta_spatial_access").filter(pl.col("discipline") == "primary_care")
    for zcta in ("05401", "05753", "03246", "99686", "96720", "10001"):
        got = zctas.filter(pl.col("zcta5") == zcta)["nearest_provider_miles"][0]
        expected = min(haversine_miles(places[zcta], places[z]) for z in supplied)
        assert got == pytest.approx(expected, rel=1e-6, abs=1e-6), zcta
    assert zctas.filter(pl.col("zcta5").is_in(list(supplied)))["nearest_provider_miles"].max() == 0


def test_e2sfca_index_of_a_zcta_matches_the_two_steps_by_hand(baseline) -> None:
    places, supplied = gazetteer(), primary_care_zips(baseline)
    weight = lambda miles: 1.0 if miles <= 10 else 0.68 if miles <= 20 else 0.22 if miles <= 30 else 0.0  # noqa: E731
    ratio = {j: s / sum(weight(haversine_miles(places[j], places[k])) * places[k][2] for k in places
                        if abs(places[k][0] - places[j][0]) < 1)
             for j, s in supplied.items()}
    zctas = baseline.mart("fct_zcta_spatial_access").filter(pl.col("discipline") == "primary_care")
    for zcta in ("05401", "05753", "05060"):
        expected = sum(weight(haversine_miles(places[zcta], places[j])) * r for j, r in ratio.items())
        got = zctas.filter(pl.col("zcta5") == zcta)["access_per_100k"][0]
        assert got == pytest.approx(expected * 100_000, rel=1e-9)
        assert got > 0


def test_county_figures_are_population_weighted_over_its_zctas(baseline) -> None:
    zctas = baseline.mart("fct_zcta_spatial_access").filter(
        (pl.col("discipline") == "primary_care") & (pl.col("primary_county_fips") == CHITTENDEN))
    county = baseline.mart("fct_county_spatial_access").filter(
        (pl.col("discipline") == "primary_care") & (pl.col("county_fips") == CHITTENDEN)).to_dicts()[0]
    people = zctas["population"].sum()
    assert county["zctas"] == zctas.height and county["zcta_population"] == people
    assert county["access_per_100k"] == pytest.approx((zctas["population"] * zctas["access_per_100k"]).sum() / people)
    beyond = zctas.filter(pl.col("nearest_provider_miles") > 30)["population"].sum()
    assert county["population_beyond_30_miles"] == beyond


def test_population_beyond_60_miles_where_the_discipline_has_no_one_near(baseline) -> None:
    # no dentist in Alaska: every person of Chugach (02063) and Copper River (02066), harmonised
    # onto the vintage's Valdez-Cordova (02261), is beyond 60 miles of one
    with open(SEED, newline="") as handle:
        people = sum(int(r["Population"]) for r in csv.DictReader(handle) if r["Primary County"] in ("02063", "02066"))
    counties = baseline.mart("fct_county_spatial_access")
    dental = counties.filter(
        (pl.col("discipline") == "dental") & (pl.col("county_fips") == VALDEZ_CORDOVA)).to_dicts()[0]
    assert dental["zcta_population"] == people and dental["population_beyond_60_miles"] == people
    assert dental["population_beyond_60_miles_pct"] == 100
    assert (counties["population_beyond_60_miles"] <= counties["population_beyond_30_miles"]).all()
