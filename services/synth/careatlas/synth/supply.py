"""Where the synthetic file's providers practise: real county figures in, per-row draws out.

Read from the reference folder, else from the extracts in data/reference (data/reference/README.md
has their provenance): Census PEP V2024 county population, HRSA AHRF people per primary-care
physician (the year nearest the release), USDA ERS RUCC 2023, and, for where in a county a
provider practises, the HUD ZIP->county crosswalk (business-address ratio) weighted by Census
Gazetteer ZCTA population. Counties the crosswalk does not know (Connecticut's planning regions,
Alaska's changes) take the ZIPs of the counties they came from, by dbt's harmonisation seed.
``supply_model`` turns these into expected counts; this module only reads and draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import cast

import numpy as np
import polars as pl

from careatlas.shared.reference_folder import REPO, find
from careatlas.synth.draw import Choices
from careatlas.synth.model import Vocab
from careatlas.synth.supply_model import KIND_NAMES, expected_counts, kind_of_code
from careatlas.synth.vocab import load_vocab

POPULATION_FILE = "census/offline/pep_v2024_county_totals.csv"
AHRF_FILE = "hrsa/ahrf_population_per_pcp_2014_2021.csv"
RUCC_FILE = "rural/Ruralurbancontinuumcodes2023.csv"
CROSSWALK_FILE = "ZIP_COUNTY_032023.converted.csv"
ZCTA_FILE = "geo/gazetteer_2023_zctas.csv"
HARMONISATION_SEED = REPO / "dbt" / "seeds" / "county_fips_harmonization.csv"


class SupplyError(ValueError):
    """States the reference files do not know, or a file without the columns we need."""


@dataclass(frozen=True)
class SupplySpec:
    """What to draw: the states (USPS codes, ``None`` = the nation) and the release year."""

    states: tuple[str, ...] | None = None
    year: int = 2025


@dataclass(frozen=True)
class Supply:
    fips: list[str]  # counties in scope, with a ZIP to practise in
    state: list[str]
    counts: np.ndarray  # expected individual providers, counties x KIND_NAMES
    ahrf_year: int
    zip_index: np.ndarray  # per (county, ZIP) pair, into vocab.places
    zip_cumulative: np.ndarray  # county j's pairs run from j to j + 1
    codes: list[Choices]  # per kind: taxonomy code indices with their individual weights
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def individuals(self) -> float:
        return float(self.counts.sum())

    def draw_counties(self, rng: np.random.Generator, n: int) -> np.ndarray:
        cumulative = np.cumsum(self.counts.sum(axis=1))
        found = np.searchsorted(cumulative / cumulative[-1], rng.random(n), side="right")
        return np.minimum(found, len(self.fips) - 1)

    def draw_zips(self, rng: np.random.Generator, county: np.ndarray) -> np.ndarray:
        found = np.searchsorted(self.zip_cumulative, county + rng.random(len(county)), side="right")
        return self.zip_index[np.minimum(found, len(self.zip_index) - 1)]

    def draw_kinds(self, rng: np.random.Generator, county: np.ndarray) -> np.ndarray:
        shares = np.cumsum(self.counts, axis=1)
        shares /= np.maximum(shares[:, -1:], 1e-12)
        kinds: np.ndarray = np.minimum((rng.random(len(county))[:, None] >= shares[county]).sum(axis=1),
                                       len(KIND_NAMES) - 1)
        return kinds

    def draw_codes(self, rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
        """A taxonomy code index for every row, from the codes of the row's kind."""
        index = np.zeros(len(kind), dtype=np.int64)
        uniform = rng.random(len(kind))
        for number, choices in enumerate(self.codes):
            rows = kind == number
            assert choices.cumulative is not None  # weighted (_code_choices)
            found = np.searchsorted(choices.cumulative, uniform[rows], side="right")
            index[rows] = choices.values.cast(pl.Int64).to_numpy()[np.minimum(found, len(choices) - 1)]
        return index


def _read(reference_dir: Path | None, name: str, columns: list[str]) -> tuple[pl.DataFrame, str]:
    path = find(name, reference_dir)
    if path is None:
        raise FileNotFoundError(f"{name}: reference file not found (nor in data/reference)")
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SupplyError(f"{path}: missing columns {', '.join(missing)}")
    return frame.select(columns), name


def nearest_year(years: list[int], target: int) -> int:
    return min(years, key=lambda year: (abs(year - target), -year))


def _counties(reference_dir: Path | None, year: int) -> tuple[pl.DataFrame, int, dict[str, str]]:
    """One row per county: fips, state (USPS), population, expected PCPs (AHRF), RUCC."""
    pep, pep_path = _read(reference_dir, POPULATION_FILE, ["fipscode", "countycode", "state", "POPESTIMATE2024"])
    ahrf, ahrf_path = _read(reference_dir, AHRF_FILE, ["year", "state", "county", "ratio_population_pc_physician"])
    rucc, rucc_path = _read(reference_dir, RUCC_FILE, ["FIPS", "RUCC_2023"])
    chosen = nearest_year(sorted({int(y) for y in ahrf["year"]}), year)
    ratio = ahrf.filter(pl.col("year") == str(chosen)).select(
        (pl.col("state") + pl.col("county")).alias("fips"),
        pl.col("ratio_population_pc_physician").cast(pl.Float64, strict=False).alias("ratio"))
    counties = (
        pep.filter(pl.col("countycode") != "000")
        .select(pl.col("fipscode").alias("fips"), "state", pl.col("POPESTIMATE2024").cast(pl.Float64).alias("people"))
        .join(ratio, on="fips", how="left")
        .join(rucc.select(pl.col("FIPS").alias("fips"), pl.col("RUCC_2023").cast(pl.Int64, strict=False).alias("rucc")),
              on="fips", how="left")
        .with_columns(pcp_rate=pl.when(pl.col("ratio") > 0).then(1 / pl.col("ratio"))
                      .when(pl.col("ratio") == 0).then(0.0))
        # no AHRF figure (CT planning regions in 2021): the state's median rate, else the nation's
        .with_columns(pl.col("pcp_rate").fill_null(pl.col("pcp_rate").median().over("state")))
        .with_columns(pl.col("pcp_rate").fill_null(pl.col("pcp_rate").median()), pl.col("rucc").fill_null(5))
        .with_columns(pcp=pl.col("people") * pl.col("pcp_rate"))
        .sort("fips")
    )
    sources = {"population": f"Census PEP V2024 county totals ({pep_path})",
               "primary_care": f"HRSA AHRF people per primary-care physician, {chosen} ({ahrf_path})",
               "rurality": f"USDA ERS RUCC 2023 ({rucc_path})"}
    return counties, chosen, sources


def _placements(reference_dir: Path | None, vocab: Vocab) -> tuple[pl.DataFrame, dict[str, str]]:
    """(fips, zip index, weight): where in each county providers practise."""
    crosswalk, hud_path = _read(reference_dir, CROSSWALK_FILE, ["ZIP", "COUNTY", "BUS_RATIO", "TOT_RATIO"])
    zctas, zcta_path = _read(reference_dir, ZCTA_FILE, ["ZCTA5", "Population"])
    people = zctas.select(pl.col("ZCTA5").alias("ZIP"), pl.col("Population").cast(pl.Float64).alias("people"))
    floor = cast(float, people.filter(pl.col("people") > 0)["people"].median()) * 0.05  # of a Float64 column
    zip_index = pl.DataFrame({"ZIP": vocab.places.zip5.values, "zip": np.arange(len(vocab.places.zip5))})
    ratio = pl.col("BUS_RATIO").cast(pl.Float64)
    pairs = (
        crosswalk.join(people, on="ZIP", how="left").join(zip_index, on="ZIP", how="inner")
        .select(pl.col("COUNTY").alias("fips"), "zip",
                # squared: a ZIP mostly in a neighbouring county rarely hosts this county's providers
                (pl.when(ratio > 0).then(ratio).otherwise(pl.col("TOT_RATIO").cast(pl.Float64) * 0.1) ** 2
                 * pl.col("people").fill_null(floor).clip(floor)).alias("weight"))
        .filter(pl.col("weight") > 0)
    )
    if HARMONISATION_SEED.is_file():  # counties newer than the crosswalk take their ancestors' ZIPs
        seed = pl.read_csv(HARMONISATION_SEED, infer_schema=False).select(
            "from_fips", "to_fips", pl.col("weight").cast(pl.Float64).alias("share"))
        known = set(pairs["fips"])
        seed = seed.filter(~pl.col("to_fips").is_in(list(known)) & pl.col("from_fips").is_in(list(known)))
        moved = pairs.join(seed, left_on="fips", right_on="from_fips").select(
            pl.col("to_fips").alias("fips"), "zip", pl.col("weight") * pl.col("share"))
        pairs = pl.concat([pairs, moved])
    return pairs, {"placement": f"HUD ZIP-county 2023Q1 business ratios ({hud_path}) x Census Gazetteer "
                                f"2023 ZCTA population ({zcta_path})"}


def _code_choices(vocab: Vocab) -> list[Choices]:
    taxonomy = vocab.taxonomy
    assert taxonomy.individual.cumulative is not None  # the individual mix is weighted (model.Taxonomy)
    weights = np.diff(taxonomy.individual.cumulative, prepend=0.0)
    kinds = np.array([KIND_NAMES.index(kind_of_code(code)) for code in taxonomy.codes.to_list()])
    choices = []
    for number in range(len(KIND_NAMES)):
        members = np.flatnonzero((kinds == number) & (weights > 0))
        if len(members) == 0:  # a vocabulary without such codes: fall back to every code
            members = np.flatnonzero(weights > 0)
        choices.append(Choices.of([str(i) for i in members], weights[members]))
    return choices


def _check_states(states: tuple[str, ...] | None, known: set[str]) -> None:
    unknown = sorted(set(states or ()) - known)
    if unknown:
        raise SupplyError(f"unknown state code(s) {', '.join(unknown)}: use USPS codes such as "
                          f"{', '.join(sorted(known)[:6])}...")


@lru_cache(maxsize=8)
def load_supply(reference_dir: Path | None, spec: SupplySpec, seed: int) -> Supply:
    """The county supply of ``spec``: the model runs over the nation, then the states are kept."""
    vocab = load_vocab(reference_dir)
    counties, ahrf_year, sources = _counties(reference_dir, spec.year)
    _check_states(spec.states, set(counties["state"]))
    codes = [int(f[:2]) for f in counties["fips"]]
    counts = expected_counts(counties["people"].to_numpy(), counties["pcp"].to_numpy(),
                             counties["rucc"].to_numpy().clip(1, 9), np.array(codes), seed)
    keep = np.ones(len(counties), dtype=bool) if spec.states is None else counties["state"].is_in(
        list(spec.states)).to_numpy()
    pairs, placement = _placements(reference_dir, vocab)
    keep &= counties["fips"].is_in(pairs["fips"].unique().to_list()).to_numpy()  # somewhere to practise
    scope = counties.filter(pl.Series(keep))
    order = pl.DataFrame({"fips": scope["fips"], "county": np.arange(scope.height)})
    pairs = pairs.join(order, on="fips").sort("county", "zip")
    local = pairs.select(pl.col("weight").cum_sum().over("county") / pl.col("weight").sum().over("county"))
    return Supply(
        fips=scope["fips"].to_list(), state=scope["state"].to_list(), counts=counts[keep], ahrf_year=ahrf_year,
        zip_index=pairs["zip"].to_numpy(), zip_cumulative=pairs["county"].to_numpy() + local.to_series().to_numpy(),
        codes=_code_choices(vocab), sources=sources | placement,
    )


def state_fips(reference_dir: Path | None) -> dict[str, str]:
    """USPS state code -> two-digit FIPS, from the PEP county totals' state rows."""
    pep, _ = _read(reference_dir, POPULATION_FILE, ["statecode", "countycode", "state"])
    states = pep.filter((pl.col("countycode") == "000") & (pl.col("statecode") != "00"))
    return dict(states.select("state", "statecode").iter_rows())
