"""A monthly CMS zip with its companions (pl, othername, endpoint), each holding known bad rows,
and the checks both the embedded and the Celery/S3 ingest must pass on it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl

from careatlas.nppes import schema as nppes_schema
from careatlas.shared import catalog
from careatlas.shared.storage import Lake
from support import nppes_rows

RELEASE = "2025-04-07"
STEM = "20050523-20250407"
ZIP_NAME = "NPPES_Data_Dissemination_April_2025.zip"
PL_STATE = "provider_secondary_practice_location_address_state_name"
# rows read, written, quarantined per companion, and the reasons quarantine must give
EXPECTED = {
    "pl": (42, 40, 2, {"npi: check digit fails: 1000000011", f"{PL_STATE}: not a US state code: ZZ"}),
    "othername": (11, 10, 1, {"npi is empty"}),
    "endpoint": (9, 8, 1, {"row has fewer than 19 fields"}),
}


def _text(columns: list[str], rows: list[list[str]], extra: list[str] = ()) -> str:
    lines = [nppes_rows.header(columns), *(",".join(f'"{v}"' for v in row) for row in rows), *extra]
    return "\r\n".join(lines) + "\r\n"


def pl_rows() -> list[list[str]]:
    states = ("MA", "CA", "TX", "NY")
    good = [[nppes_rows.npi(n), f"{n} Main St", "", "Town", states[n % 4], "021150000", "US", "6175550000", "", ""]
            for n in range(1, 41)]
    bad_npi = ["1000000011", "1 Elm St", "", "Town", "MA", "02115", "US", "", "", ""]
    bad_state = [nppes_rows.npi(3), "2 Elm St", "", "Town", "ZZ", "02115", "US", "", "", ""]
    return [*good[:20], bad_npi, *good[20:], bad_state]


def companion_texts() -> dict[str, str]:
    othername = [[nppes_rows.npi(n), f"Clinic {n}", "3"] for n in range(1, 11)] + [["", "No NPI", "3"]]
    width = len(nppes_schema.ENDPOINT_COLUMNS)
    endpoint = [[nppes_rows.npi(n), "DIRECT", *[""] * (width - 2)] for n in range(1, 9)]
    short = ",".join(f'"{v}"' for v in [nppes_rows.npi(9), "DIRECT", "x"])
    return {
        "pl": _text(nppes_schema.PL_COLUMNS, pl_rows()),
        "othername": _text(nppes_schema.OTHERNAME_COLUMNS, othername),
        "endpoint": _text(nppes_schema.ENDPOINT_COLUMNS, endpoint, extra=[short]),
    }


def write_zip(folder: Path, main_rows: int = 120, main: Path | None = None) -> Path:
    """The monthly zip: ``main`` (an npidata_pfile_<STEM>.csv, moved into the zip) or
    ``main_rows`` generated rows, with the companions."""
    main = main or nppes_rows.write(folder / f"npidata_pfile_{STEM}.csv", nppes_rows.many(main_rows))
    path = folder / ZIP_NAME
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(main, main.name)
        bundle.writestr(f"npidata_pfile_{STEM}_fileheader.csv", nppes_rows.header() + "\r\n")
        for dataset, text in companion_texts().items():
            bundle.writestr(f"{dataset}_pfile_{STEM}.csv", text)
            bundle.writestr(f"{dataset}_pfile_{STEM}_fileheader.csv", text.split("\r\n")[0] + "\r\n")
    main.unlink()
    return path


def check_published(lake: Lake, counts: dict[str, dict], version: str | None = None) -> None:
    """Each companion's counts reconcile (in what ingest reports and in the files), rejected
    rows are in quarantine with their reason, and published rows are typed and belong to the
    release's version."""
    main = catalog.read(lake, "npidata", RELEASE)
    assert set(counts) == set(EXPECTED)
    for dataset, (read, written, quarantined, reasons) in EXPECTED.items():
        got = counts[dataset]
        assert (got["rows_read"], got["rows_written"], got["rows_quarantined"]) == (read, written, quarantined)
        pointer = catalog.read(lake, dataset, RELEASE)
        assert pointer.version == main.version == (version or main.version)
        assert all(k.startswith(f"nppes/{dataset}/release={RELEASE}/version=") for k in pointer.files)
        options = lake.polars_storage_options()
        data = pl.read_parquet([lake.uri(k) for k in pointer.files], storage_options=options, hive_partitioning=False)
        assert data.height == pointer.rows == written and data.schema["npi"] == pl.Int64
        assert data["_source_file"].unique().to_list() == [f"{dataset}_pfile_{STEM}.csv"]
        rejected = pl.read_parquet(lake.uri(got["quarantine_key"]), storage_options=options)
        assert rejected.height == quarantined and set(rejected["reason"]) == reasons
        assert sorted(data["_source_row"].to_list() + rejected["_source_row"].to_list()) == list(range(1, read + 1))
    located = pl.read_parquet([lake.uri(k) for k in catalog.read(lake, "pl", RELEASE).files],
                              storage_options=lake.polars_storage_options(), hive_partitioning=False)
    assert sorted(located[PL_STATE].unique()) == ["CA", "MA", "NY", "TX"]
    assert all("/state=" in k for k in catalog.read(lake, "pl", RELEASE).files)
    assert lake.list("_staging") == []
