"""Checks of published marts against real NPPES rows, shared by the embedded (local lake,
in-process) and the deployed (S3, Celery workers) tests, so both paths answer the same questions:
every row read is written or quarantined, providers are conserved (placed in a county + kept
outside the counties = the active individuals the raw files imply), most US providers are
placed, an NPI listed in several weeks counts once with its latest record, deactivated NPIs
are gone. The reference figures come from ``nppes_truth`` (Polars over the raw CSVs); the
marts are read through ``marts/latest.json`` like any reader would, the per-NPI state from the
warehouse's intermediate tables (marts hold no NPI)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import tempfile
from pathlib import Path

import duckdb
import polars as pl

from careatlas.shared import catalog, layout
from careatlas.shared.storage import Lake
from support import nppes_truth
from support.nppes_truth import Release, Truth

WEEKLY_DIR = "nppes_weekly_2024"
# (file, release the name gives, kind): the first week is the base release, as the issue runs it
WEEKLY_FILES = [
    ("npidata_pfile_20240101-20240107.csv.gz", dt.date(2024, 1, 7), "full"),
    ("npidata_pfile_20240108-20240114.csv.gz", dt.date(2024, 1, 14), "weekly"),
    ("npidata_pfile_20240115-20240121.csv.gz", dt.date(2024, 1, 21), "weekly"),
]
DEACTIVATION_REPORT = "NPPES_Deactivated_NPI_Report_020424.xlsx"
SAMPLE_2021 = ("nppes_raw/npidata_pfile_sample_2021.csv", dt.date(2021, 12, 30))  # committed 2021-12-30
NUCC_FILE, HUD_FILE = "nucc_taxonomy_251.csv", "ZIP_COUNTY_032023.converted.csv"
PLACED_SHARE_AT_LEAST = 0.95
CONSERVATION_TOLERANCE = 1e-6  # allocation weights are decimal(18, 12) summed as doubles


def weekly_releases(reference_dir: Path) -> list[Release]:
    return [Release(reference_dir / WEEKLY_DIR / name, release) for name, release, _kind in WEEKLY_FILES]


def weekly_truth(reference_dir: Path) -> Truth:
    return nppes_truth.implied(weekly_releases(reference_dir), reference_dir / WEEKLY_DIR / DEACTIVATION_REPORT)


# ---------------------------------------------------------------------- demographics
ACS_YEAR = 2015
NO_ESTIMATE = "-666666666"  # the Census API's annotation for "estimate not available"


def import_demographics(lake: Lake, reference_dir: Path) -> int:
    """County and state population (ACS 2015, ``census/pop_2015_county.csv``) imported through the
    census snapshot path; returns the ACS year to build with. One place, so switching the tests
    to the offline PEP/SAIPE products is one change.

    The other default variables are written as the API's "no estimate" annotation (null in the
    cache), so the entry covers the default set and a Celery run's census task is a cache hit
    instead of a fetch; the marts get population only, as the embedded offline path does."""
    from careatlas.census import variables
    from careatlas.census.snapshot import import_snapshot

    counties = pl.read_csv(reference_dir / "census" / "pop_2015_county.csv", infer_schema=False)
    states = (
        counties.with_columns(pl.col("NAME").str.split(", ").list.last(), pl.col("B01003_001E").cast(pl.Int64))
        .group_by("state").agg(pl.col("NAME").first(), pl.col("B01003_001E").sum().cast(pl.String))
        .sort("state")
    )
    missing = [v for v in variables.defaults(ACS_YEAR) if v != variables.TOTAL_POPULATION]
    with tempfile.TemporaryDirectory() as folder:
        for geo, frame in (("county", counties), ("state", states)):
            path = Path(folder) / f"pop_{ACS_YEAR}_{geo}.csv"
            frame.with_columns(*(pl.lit(NO_ESTIMATE).alias(v) for v in missing)).write_csv(path)
            import_snapshot(lake, path, year=ACS_YEAR, geo=geo)
    return ACS_YEAR


# ---------------------------------------------------------------------- published marts
def latest(lake: Lake) -> dict:
    return lake.read_json(layout.marts_latest())


def read_mart(lake: Lake, name: str) -> pl.DataFrame:
    return pl.read_parquet(io.BytesIO(lake.read_bytes(latest(lake)["marts"][name])))


def mart_figures(lake: Lake) -> dict[str, float]:
    """Providers the published marts hold: placed in a county, and outside by location class."""
    placed = float(read_mart(lake, "fct_county_access")["individual_providers"].fill_null(0).sum())
    outside = dict(read_mart(lake, "fct_providers_outside_counties").group_by("location_class")
                   .agg(pl.col("providers").sum()).iter_rows())
    return {"placed": placed, "outside": float(sum(outside.values())),
            **{f"outside_{name}": float(value) for name, value in outside.items()}}


# ---------------------------------------------------------------------- the shared assertions
def assert_rows_accounted(lake: Lake, dataset: str, release: str, raw_rows: int) -> catalog.PublishedRelease:
    """Every data row of the raw file is in the published Parquet or in the quarantine file."""
    pointer = catalog.read(lake, dataset, release)
    assert pointer is not None, f"{dataset} {release} was not published"
    written = sum(_parquet_rows(lake, key) for key in pointer.files)
    quarantine_key = layout.quarantine(dataset, release, pointer.version)
    quarantined = _parquet_rows(lake, quarantine_key) if lake.exists(quarantine_key) else 0
    assert (pointer.rows, pointer.rows_quarantined) == (written, quarantined), (pointer, written, quarantined)
    assert written + quarantined == raw_rows, f"{release}: {raw_rows} rows read, {written} written + {quarantined}"
    return pointer


def assert_conserved(lake: Lake, truth: Truth) -> dict[str, float]:
    """placed + outside = the active individuals the raw files imply, class by class; returns
    the figures (placed, outside, implied, difference) for the report."""
    figures = mart_figures(lake)
    counts = truth.counts()
    difference = figures["placed"] + figures["outside"] - counts["active_individuals"]
    assert abs(difference) < CONSERVATION_TOLERANCE, (figures, counts)
    for name in ("foreign", "military"):  # the classes decided from the record alone match exactly
        assert figures.get(f"outside_{name}", 0.0) == counts[name], (name, figures, counts)
    share = figures["placed"] / counts["active_us_individuals"] if counts["active_us_individuals"] else None
    return {**figures, **counts, "difference": difference, "placed_share_of_us": share}


def assert_most_placed(figures: dict[str, float]) -> None:
    assert figures["active_us_individuals"] > 0, "no active US individual in the files: nothing to place"
    assert figures["placed_share_of_us"] >= PLACED_SHARE_AT_LEAST, figures


GEOGRAPHY_TESTS = ("counties_with_people_have_crosswalk_weight", "providers_in_counties_the_demographics_lack")


def assert_geography_reconciled(lake: Lake, harmonised: set[str]) -> int:
    """No county's screens come from an input mismatch (issue 12): the build's coverage and share
    tests passed; every county with people is reached by the crosswalk, directly or through the
    harmonisation seed (a county it does not reach would have unknown counts, not "no provider");
    ``harmonised`` are the counties reached through the seed only: crosswalk ZIPs allocate to
    them and their provider counts are known. Returns the counties with people."""
    pointer = latest(lake)
    results = lake.read_json(pointer["dbt_run_results"])["results"]
    status = {r["unique_id"].split(".")[2]: r["status"] for r in results if r["unique_id"].startswith("test.")}
    assert {name: status.get(name) for name in GEOGRAPHY_TESTS} == dict.fromkeys(GEOGRAPHY_TESTS, "pass")
    access = read_mart(lake, "fct_county_access").filter(pl.col("total_population") > 0)
    unreached = access.filter(pl.col("crosswalk_coverage") == "none")
    assert unreached.is_empty(), unreached.select("county_fips", "county_name").to_dicts()
    seeded = access.filter(pl.col("crosswalk_coverage") == "harmonised")
    assert set(seeded["county_fips"]) == harmonised
    assert seeded["individual_providers"].null_count() == 0
    zips = read_mart(lake, "dim_counties").filter(pl.col("county_fips").is_in(list(harmonised)))
    assert (zips["crosswalk_zips"] > 0).all(), zips.select("county_fips", "crosswalk_zips").to_dicts()
    return access.height


def assert_latest_records(warehouse: Path, truth: Truth, reference_dir: Path, *, spot_checks: int = 3) -> int:
    """The warehouse holds one current row per NPI, the latest record of the raw files; a few NPIs
    whose practice ZIP changed between weeks are checked against the raw lines themselves.
    Returns how many NPIs were listed in several files."""
    merged = _warehouse(warehouse, "select cast(npi as varchar) as npi, release_date, practice_zip5 "
                                   "from intermediate.int_providers_merged")
    assert merged["npi"].is_unique().all(), "an NPI has two current rows"
    several = truth.updated_in_several_files()
    assert several.height > 0, "no NPI is listed in several files: the test would prove nothing"
    joined = several.join(merged, left_on=nppes_truth.NPI, right_on="npi", how="left")
    assert joined["release_date"].null_count() == 0, "NPIs of the raw files missing from the warehouse"
    wrong = joined.filter(pl.col("release_date") != pl.col("release"))
    assert wrong.is_empty(), f"{wrong.height} NPIs do not hold their latest record, e.g. {wrong.head(3).to_dicts()}"
    moved = _zip_changed(truth)
    assert moved, "no NPI changed practice ZIP between files: pick other spot checks"
    by_npi = dict(zip(merged["npi"], merged["practice_zip5"], strict=True))
    for npi in moved[:spot_checks]:
        expected = _raw_last_zip(truth, npi)
        assert by_npi[npi] == expected, f"NPI {npi}: warehouse ZIP {by_npi[npi]}, latest raw record {expected}"
    return several.height


def assert_deactivated_gone(warehouse: Path, truth: Truth) -> int:
    """No NPI deactivated (by a record or the report, not reactivated) is counted anywhere."""
    sql = "select distinct cast(npi as varchar) as npi from intermediate.int_provider_locations_allocated"
    counted = set(_warehouse(warehouse, sql)["npi"])
    gone = truth.deactivated_npis()
    assert gone, "no deactivated NPI in the files: the test would prove nothing"
    assert not counted & gone, f"deactivated NPIs still counted: {sorted(counted & gone)[:5]}"
    active = set(truth.active_individuals[nppes_truth.NPI])
    assert counted == active, (f"counted - implied: {sorted(counted - active)[:5]}; "
                               f"implied - counted: {sorted(active - counted)[:5]}")
    return len(gone)


def assert_reactivated_active(warehouse: Path, truth: Truth) -> int:
    """NPIs deactivated and then reactivated (on or after the deactivation) are active again."""
    back = truth.current.filter(pl.col("deactivated_on").is_not_null() & pl.col("is_active"))
    reactivated = set(back[nppes_truth.NPI])
    active = _warehouse(warehouse, "select cast(npi as varchar) as npi, is_active "
                                   "from intermediate.int_providers_classified")
    by_npi = dict(zip(active["npi"], active["is_active"], strict=True))
    inactive = sorted(npi for npi in reactivated if not by_npi.get(npi))
    assert not inactive, f"reactivated NPIs not active: {inactive[:5]}"
    return len(reactivated)


# ---------------------------------------------------------------------- helpers
def _parquet_rows(lake: Lake, key: str) -> int:
    return pl.scan_parquet(io.BytesIO(lake.read_bytes(key))).select(pl.len()).collect().item()


def _warehouse(path: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(path), read_only=True) as connection:
        result = connection.execute(sql)
        names = [column[0] for column in result.description]
        return pl.DataFrame(result.fetchall(), schema=names, orient="row")


def _zip_changed(truth: Truth) -> list[str]:
    """Active NPIs whose practice ZIP differs between the files that list them and whose latest
    record is in the last file listing them (so the raw line to compare with is that file's)."""
    postal = pl.col(nppes_truth.POSTAL)
    per_npi = truth.records.filter(postal.str.contains(r"^\d{5}(\d{4})?$")).group_by(nppes_truth.NPI).agg(
        postal.str.slice(0, 5).n_unique().alias("zips"), pl.col("release").max().alias("last_file"))
    moved = per_npi.filter(pl.col("zips") > 1).join(truth.active_individuals, on=nppes_truth.NPI)
    return sorted(moved.filter(pl.col("release") == pl.col("last_file"))[nppes_truth.NPI])


def _raw_last_zip(truth: Truth, npi: str) -> str:
    """The practice ZIP of ``npi`` in the last raw file that lists it, read with the csv module."""
    for path in reversed(truth.paths):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row[nppes_truth.NPI] == npi:
                    return row[nppes_truth.POSTAL][:5]
    raise AssertionError(f"NPI {npi} is in no raw file")
