"""The county supply of the synthetic file follows the real published figures it is drawn from:
primary care per county ranks like AHRF's, rural counties have fewer specialists and a larger
NP/PA share, the states asked for are the states drawn, and a seed pins the bytes. Vendored
extracts only, so these never skip."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from careatlas.shared.reference_folder import REPO, VENDORED_DIR
from careatlas.synth import supply_model
from careatlas.synth.nppes import generate_file
from careatlas.synth.supply import SupplyError, SupplySpec, load_supply, nearest_year

RELEASE = date(2025, 4, 7)
PRACTICE = "Provider Business Practice Location Address "
STATES = ("ND", "SD")  # 119 counties, ~41k rows at national density


@pytest.fixture(scope="module")
def plains(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("supply") / "npidata.csv"
    return generate_file(path, seed=7, reference_dir=VENDORED_DIR, release=RELEASE, supply=SupplySpec(STATES, 2025))


def _primary_codes(path: Path) -> pl.DataFrame:
    """Active individuals: practice ZIP and primary taxonomy (the slot whose switch is Y)."""
    frame = pl.read_csv(path, infer_schema=False).filter(pl.col("Entity Type Code") == "1")
    primary = pl.coalesce([
        pl.when(pl.col(f"Healthcare Provider Primary Taxonomy Switch_{n}") == "Y")
        .then(pl.col(f"Healthcare Provider Taxonomy Code_{n}")) for n in range(1, 5)])
    return frame.select(pl.col(PRACTICE + "Postal Code").str.slice(0, 5).alias("ZIP"),
                        pl.col(PRACTICE + "State Name").alias("state"), primary.alias("code"))


def _ahrf_rates(year: int) -> pl.DataFrame:
    ahrf = pl.read_csv(VENDORED_DIR / "hrsa/ahrf_population_per_pcp_2014_2021.csv", infer_schema=False)
    pep = pl.read_csv(VENDORED_DIR / "census/offline/pep_v2024_county_totals.csv", infer_schema=False)
    ratio = pl.col("ratio_population_pc_physician").cast(pl.Float64, strict=False)
    return (ahrf.filter(pl.col("year") == str(year))
            .select((pl.col("state") + pl.col("county")).alias("county"),
                    pl.when(ratio > 0).then(1 / ratio).otherwise(0.0).alias("ahrf_rate"))
            .join(pep.select(pl.col("fipscode").alias("county"), pl.col("POPESTIMATE2024").cast(pl.Float64)
                             .alias("people")), on="county"))


def test_county_primary_care_ranks_like_ahrf(plains) -> None:
    """Spearman of generated primary-care physicians per person against AHRF 2021, counties of
    ND and SD assigned by their ZIP's largest business share. Providers placed by population
    (the old generator) would rank near 0; the draw itself is ~0.85 at this density."""
    crosswalk = pl.read_csv(VENDORED_DIR / "ZIP_COUNTY_032023.converted.csv", infer_schema=False)
    home = (crosswalk.with_columns(pl.col("BUS_RATIO").cast(pl.Float64))
            .sort("BUS_RATIO", descending=True).group_by("ZIP").first().select("ZIP", pl.col("COUNTY").alias("county")))
    codes = _primary_codes(plains.path)
    pcp = (codes.filter(pl.col("code").is_in(list(supply_model.PRIMARY_CARE_CODES)))
           .join(home, on="ZIP").group_by("county").len("pcp"))
    rates = _ahrf_rates(2021).filter(pl.col("county").str.slice(0, 2).is_in(["38", "46"]))
    joined = rates.join(pcp, on="county", how="left").with_columns(pl.col("pcp").fill_null(0))
    rho = joined.select(pl.corr(pl.col("pcp") / pl.col("people"), "ahrf_rate", method="spearman")).item()
    assert joined.height == 119
    assert rho > 0.7, rho
    # and the level, not only the ranking: the two states' PCPs within 15% of AHRF's
    expected = (joined["ahrf_rate"] * joined["people"]).sum()
    assert abs(joined["pcp"].sum() / expected - 1) < 0.15


def test_only_the_states_asked_for_and_national_density(plains) -> None:
    codes = _primary_codes(plains.path)
    domestic = codes.filter(~pl.col("state").is_in(["AA", "AE", "AP"]))
    share = domestic["state"].is_in(list(STATES)).mean()
    assert share > 0.99  # the rest: the few foreign practice addresses
    people = _ahrf_rates(2021).filter(pl.col("county").str.slice(0, 2).is_in(["38", "46"]))["people"].sum()
    per_100k = codes.height / people * 1e5
    assert 1700 < per_100k < 2500, per_100k  # NPPES: ~7.0 M active individuals for 340 M people
    assert plains.synthetic["states"] == list(STATES) and plains.synthetic["counties"] == 119
    assert plains.synthetic["rows"] == plains.synthetic["full_density_rows"] == plains.rows


def test_rural_counties_have_fewer_specialists_and_more_np_pa() -> None:
    supply = load_supply(VENDORED_DIR, SupplySpec(None, 2025), 3)
    rucc = pl.read_csv(VENDORED_DIR / "rural/Ruralurbancontinuumcodes2023.csv", infer_schema=False)
    code = dict(zip(rucc["FIPS"], rucc["RUCC_2023"].cast(pl.Int64), strict=True))
    by = np.array([code.get(f, 5) for f in supply.fips])
    kinds = supply_model.KIND_NAMES
    counts = {k: supply.counts[:, kinds.index(k)] for k in kinds}
    people = counts["other"] / 1280 * 1e5  # any kind would do: shares within a county matter here
    metro, rural = by <= 1, by >= 7
    specialists = counts["specialist"] / people
    assert specialists[metro].mean() > 3 * specialists[rural].mean()
    np_share = counts["np_pa"] / (counts["np_pa"] + counts["primary_care"] + counts["specialist"])
    assert np.median(np_share[rural]) > 1.3 * np.median(np_share[metro])
    psychiatry = counts["psychiatry"] / people
    assert psychiatry[metro].mean() > 4 * psychiatry[rural].mean()
    # mental health varies by state, not only by rurality
    state_mh = pl.DataFrame({"state": supply.state, "mh": counts["mental_health"], "people": people}).group_by(
        "state").agg((pl.col("mh").sum() / pl.col("people").sum() * 1e5).alias("rate"))["rate"]
    assert state_mh.max() > 1.8 * state_mh.min()


def test_every_county_has_somewhere_to_practise() -> None:
    """Connecticut's planning regions are not in the 2023Q1 crosswalk: they take the ZIPs of the
    old counties they came from (dbt's harmonisation seed), so no county is left empty."""
    supply = load_supply(VENDORED_DIR, SupplySpec(None, 2025), 3)
    assert len(supply.fips) == 3144 and "09110" in supply.fips
    assert set(np.unique(np.floor(supply.zip_cumulative - 1e-9).astype(int))) == set(range(3144))


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    spec = SupplySpec(("WY",), 2025)
    a, b, c = (generate_file(tmp_path / f"{n}.csv", rows=1500, seed=s, reference_dir=VENDORED_DIR, release=RELEASE,
                             supply=spec) for n, s in (("a", 5), ("b", 5), ("c", 6)))
    assert a.path.read_bytes() == b.path.read_bytes() != c.path.read_bytes()


def test_primary_care_codes_are_the_dbt_seed_s() -> None:
    with (REPO / "dbt/seeds/specialty_group_codes.csv").open(newline="") as handle:
        seed = list(csv.DictReader(handle))
    groups = {g: {r["taxonomy_code"] for r in seed if r["specialty_group"] == g} for g in
              ("primary_care", "dental", "psychiatry", "core_mental_health")}
    assert groups["primary_care"] == supply_model.PRIMARY_CARE_CODES
    assert {supply_model.kind_of_code(c) for c in groups["dental"]} == {"dentist_general"}
    assert {supply_model.kind_of_code(c) for c in groups["psychiatry"]} == {"psychiatry"}
    assert {supply_model.kind_of_code(c) for c in groups["core_mental_health"]} <= {"psychiatry", "mental_health"}


def test_unknown_states_are_named() -> None:
    with pytest.raises(SupplyError, match="unknown state code.*XX"):
        load_supply(VENDORED_DIR, SupplySpec(("XX", "ND"), 2025), 1)


@pytest.mark.parametrize(("target", "expected"), [(2025, 2021), (2014, 2014), (2010, 2014), (2017, 2017)])
def test_the_nearest_ahrf_year(target: int, expected: int) -> None:
    assert nearest_year(list(range(2014, 2022)), target) == expected


def test_the_sentence_says_synthetic_density_and_sources() -> None:
    from careatlas.report.labels import describe_synthetic as describe

    record = {"states": ["MT", "ND"], "rows": 1000, "full_density_rows": 4000, "counties": 109, "ahrf_year": 2021,
              "seed": 3}
    text = describe(record)
    assert text.startswith("1,000 generated NPPES rows for MT, ND, 109 counties (25.0% of national density)")
    assert "not real providers" in text and "HRSA AHRF" in text and "2021" in text and "seed 3" in text
    assert "these states' together" in text
    national = describe(record | {"states": "all", "rows": 4000})
    assert "the whole country" in national and "at national density" in national and "together" not in national
