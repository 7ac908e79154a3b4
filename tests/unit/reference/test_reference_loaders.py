"""Each loader lands the source as-is (text, exact names) with provenance, or refuses it clearly."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from fakes.reference_files import HUD_HEADER, HUD_ROWS, write_xlsx

from careatlas.ingest.reference import deactivations, hud, nucc
from careatlas.ingest.reference.common import ReferenceError
from careatlas.ingest.reference.load import load_reference
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PROVENANCE = ["_source_file", "_source_sha256", "_loaded_at"]


def load(lake: Lake, kind: str, path: Path, **options):
    return load_reference(lake, kind, str(path), settings=Settings(), clock=lambda: AT, **options)


def test_nucc_lands_as_is_with_provenance(lake: Lake, nucc_csv: Path) -> None:
    result = load(lake, "nucc", nucc_csv)
    assert (result.key, result.rows) == ("reference/nucc_taxonomy/version=25.1/data.parquet", 3)
    frame = pl.read_parquet(lake.uri(result.key))
    assert frame.columns == [*nucc.schemas.NUCC_COLUMNS, *PROVENANCE]
    assert all(frame.schema[c] == pl.String for c in frame.columns[:-1])
    assert frame.schema["_loaded_at"] == pl.Datetime("us", "UTC")
    assert frame["Definition"][0] == "Family Medicine is, in part, the specialty\r\nthat ..."
    assert frame["Definition"][2] == 'A facility "qualified" under section 1861(aa)'
    assert frame["Specialization"][0] is None
    sha = hashlib.sha256(nucc_csv.read_bytes()).hexdigest()
    assert frame["_source_sha256"].unique().to_list() == [sha] == [result.sha256]
    assert frame["_source_file"].unique().to_list() == ["nucc_taxonomy_251.csv"]


def test_metadata_sits_beside_the_data(lake: Lake, nucc_csv: Path) -> None:
    result = load(lake, "nucc", nucc_csv)
    meta = lake.read_json("reference/nucc_taxonomy/version=25.1/metadata.json")
    assert meta["kind"] == "nucc" and meta["rows"] == 3 and meta["sha256"] == result.sha256
    assert meta["source"] == str(nucc_csv) and meta["source_file"] == "nucc_taxonomy_251.csv"
    assert meta["loaded_at"] == "2026-03-01T09:30:00+00:00" and meta["label"] == meta["version"] == "25.1"


def test_hud_xlsx_keeps_zip_and_county_as_5_char_text(lake: Lake, hud_xlsx: Path) -> None:
    result = load(lake, "hud", hud_xlsx)
    assert result.key == "geographic/hud_zip_county/vintage=2022Q4/data.parquet"
    frame = pl.read_parquet(lake.uri(result.key))
    assert frame.columns == [*HUD_HEADER, *PROVENANCE]
    assert frame["ZIP"].to_list() == ["00683", "00683", "02115", "06010"]
    assert frame["COUNTY"].to_list() == ["72125", "72079", "25025", "09110"]
    assert frame["BUS_RATIO"].to_list() == ["0.9955005624296963", "0", "1", "1"]
    # the stored doubles survive the trip through text exactly
    assert frame["RES_RATIO"].cast(pl.Float64).to_list() == [float(r[4]) for r in HUD_ROWS]


def test_hud_csv_export_lands_the_same_columns(lake: Lake, tmp_path: Path) -> None:
    path = tmp_path / "ZIP_COUNTY_032023.csv"
    path.write_text(
        "zip,county,usps_zip_pref_city,usps_zip_pref_state,res_ratio,bus_ratio,oth_ratio,tot_ratio\n"
        "683,72125,SAN GERMAN,PR,0.94009904881691686,0.99550056242969631,0.96837944664031617,0.94416792901969271\n"
        "00683,72079,SAN GERMAN,PR,9.4332206587532431E-4,0,0,8.6561350357065565E-4\n"
    )
    frame = pl.read_parquet(lake.uri(load(lake, "hud", path).key))
    assert frame.columns[:8] == HUD_HEADER
    assert frame["ZIP"].to_list() == ["00683", "00683"]
    assert frame["RES_RATIO"][1] == "9.4332206587532431E-4"


@pytest.mark.parametrize("fixture", ["deactivation_xlsx", "deactivation_zip"])
def test_deactivations_skip_the_title_row(lake: Lake, fixture: str, request: pytest.FixtureRequest) -> None:
    result = load(lake, "deactivations", request.getfixturevalue(fixture))
    assert result.key == "reference/nppes_deactivations/report_date=2025-03-10/data.parquet"
    frame = pl.read_parquet(lake.uri(result.key))
    assert frame.columns == ["NPI", "NPPES Deactivation Date", *PROVENANCE]
    assert frame["NPI"].to_list() == ["1234567893", "1245319599", "1003000126"]
    assert frame["NPPES Deactivation Date"].to_list() == ["03/03/2025", "03/04/2025", "03/05/2025"]


WRONG_KIND = [
    ("nucc", "hud_xlsx", "not a NUCC taxonomy file.*it looks like a HUD ZIP->county crosswalk"),
    ("hud", "nucc_csv", "not a HUD ZIP->county crosswalk file.*missing \\['ZIP'.*looks like a NUCC taxonomy"),
    ("hud", "deactivation_xlsx", "not a HUD ZIP->county crosswalk file"),
    ("deactivations", "hud_xlsx", "not a NPPES deactivation report file.*looks like a HUD"),
    ("deactivations", "nucc_csv", "nucc_taxonomy_251.csv is not an xlsx workbook"),
]


@pytest.mark.parametrize(("kind", "fixture", "message"), WRONG_KIND)
def test_a_file_of_the_wrong_kind_is_refused(
    lake: Lake, kind: str, fixture: str, message: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(ReferenceError, match=message):
        load(lake, kind, request.getfixturevalue(fixture), label="x")
    assert lake.list() == []


def test_bad_values_are_refused_naming_row_and_field(lake: Lake, tmp_path: Path, nucc_csv: Path) -> None:
    rows = [HUD_HEADER, HUD_ROWS[0], ["ABCDE", 1001, "X", "AL", 1, 1, 1, 1], HUD_ROWS[2]]
    with pytest.raises(ReferenceError, match=r"ZIP_COUNTY_122022.xlsx: 1 values of ZIP .*row 3: 'ABCDE'"):
        load(lake, "hud", write_xlsx(tmp_path / "ZIP_COUNTY_122022.xlsx", rows))
    rows = [HUD_HEADER, HUD_ROWS[0], [2115, 25025, "BOSTON", "MA", "n/a", 1, 1, 1]]
    with pytest.raises(ReferenceError, match=r"RES_RATIO are not numbers \(row 3: 'n/a'\)"):
        load(lake, "hud", write_xlsx(tmp_path / "ZIP_COUNTY_122022.xlsx", rows))
    nucc_csv.write_bytes(nucc_csv.read_bytes() + b"207Q00000X,Again,,,,,,Individual\r\n")
    with pytest.raises(ReferenceError, match=r"Code \['207Q00000X'\] appears more than once \(rows 2, 5\)"):
        load(lake, "nucc", nucc_csv)
    assert lake.list() == []


@pytest.mark.parametrize(
    ("npi", "when", "message"),
    [
        (12345, "03/03/2025", r"NPI are not 10-digit NPIs \(row 4: '12345'\)"),
        (1234567893, "2025-03-03", r"Date are not MM/DD/YYYY dates \(row 4: '2025-03-03'\)"),
    ],
)
def test_bad_deactivation_rows_are_named(lake: Lake, tmp_path: Path, npi: object, when: str, message: str) -> None:
    rows = [["title"], ["NPI", "NPPES Deactivation Date"], [1245319599, "03/01/2025"], [npi, when]]
    path = write_xlsx(tmp_path / "NPPES_Deactivated_NPI_Report_031025.xlsx", rows)
    with pytest.raises(ReferenceError, match=message):
        load(lake, "deactivations", path)


def test_a_label_that_cannot_be_read_must_be_given(lake: Lake, tmp_path: Path, nucc_csv: Path) -> None:
    renamed = nucc_csv.rename(tmp_path / "taxonomy.csv")
    with pytest.raises(ReferenceError, match="cannot tell the NUCC version from taxonomy.csv: pass --version"):
        load(lake, "nucc", renamed)
    assert load(lake, "nucc", renamed, label="25.1").key.endswith("version=25.1/data.parquet")


def test_a_missing_file_is_named(lake: Lake, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.csv does not exist"):
        load(lake, "nucc", tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("name", "version"), [("nucc_taxonomy_251.csv", "25.1"), ("NUCC_TAXONOMY_240.CSV", "24.0"), ("x.csv", None)]
)
def test_nucc_version_from_name(name: str, version: str | None) -> None:
    assert nucc.version_from(name) == version


@pytest.mark.parametrize(
    ("name", "vintage"),
    [("ZIP_COUNTY_032023.xlsx", "2023Q1"), ("ZIP_COUNTY_122024.csv", "2024Q4"), ("ZIP_COUNTY_052023.xlsx", None)],
)
def test_hud_vintage_from_name(name: str, vintage: str | None) -> None:
    assert hud.vintage_from(name) == vintage


@pytest.mark.parametrize(
    ("name", "report_date"),
    [("NPPES_Deactivated_NPI_Report_031025.zip", "2025-03-10"), ("NPPES_Deactivated_NPI_Report.zip", None)],
)
def test_report_date_from_name(name: str, report_date: str | None) -> None:
    assert deactivations.report_date_from(name) == report_date


def test_report_date_falls_back_to_the_title(lake: Lake, deactivation_xlsx: Path, tmp_path: Path) -> None:
    renamed = deactivation_xlsx.rename(tmp_path / "deactivated.xlsx")
    assert load(lake, "deactivations", renamed).key.endswith("report_date=2025-03-10/data.parquet")
