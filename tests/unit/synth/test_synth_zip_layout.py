from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from careatlas.nppes.schema import ENDPOINT_COLUMNS, MAIN_COLUMNS, OTHERNAME_COLUMNS, PL_COLUMNS
from careatlas.synth.deactivations import deactivations_from_file, write_deactivation_report
from careatlas.synth.zip_layout import monthly_layout, weekly_layout, write_monthly_zip, write_weekly_zip

RELEASE = date(2025, 3, 2)
STEM = "20050523-20250302"
HEADERS = {"npidata": MAIN_COLUMNS, "othername": OTHERNAME_COLUMNS, "pl": PL_COLUMNS, "endpoint": ENDPOINT_COLUMNS}


def _csv(bundle: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(bundle.read(name).decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def monthly(tmp_path_factory):
    return write_monthly_zip(tmp_path_factory.mktemp("zip"), rows=3000, seed=6, release=RELEASE)


def test_monthly_zip_has_the_cms_members(monthly) -> None:
    assert monthly.path.name == "NPPES_Data_Dissemination_March_2025.zip"
    with zipfile.ZipFile(monthly.path) as bundle:
        names = set(bundle.namelist())
        expected = {f"{kind}_pfile_{STEM}{tail}.csv" for kind in HEADERS for tail in ("", "_fileheader")}
        assert names == expected
        for kind, columns in HEADERS.items():
            assert _csv(bundle, f"{kind}_pfile_{STEM}_fileheader.csv") == [columns]
            rows = _csv(bundle, f"{kind}_pfile_{STEM}.csv")
            assert rows[0] == columns and len(rows) > 1
            assert {len(r) for r in rows} == {len(columns)}


def test_companions_belong_to_npis_of_the_main_file(monthly) -> None:
    with zipfile.ZipFile(monthly.path) as bundle:
        main = {r[0]: r[1] for r in _csv(bundle, f"npidata_pfile_{STEM}.csv")[1:]}
        assert len(main) == 3000
        for kind in ("othername", "pl", "endpoint"):
            npis = [r[0] for r in _csv(bundle, f"{kind}_pfile_{STEM}.csv")[1:]]
            assert all(main.get(npi) in {"1", "2"} for npi in npis), kind
        assert {main[r[0]] for r in _csv(bundle, f"othername_pfile_{STEM}.csv")[1:]} == {"2"}


def test_weekly_zip_name_and_members(monthly, tmp_path) -> None:
    with zipfile.ZipFile(monthly.path) as bundle:
        base = tmp_path / "base.csv"
        base.write_bytes(bundle.read(f"npidata_pfile_{STEM}.csv"))
    summary = write_weekly_zip(base, tmp_path, rows=40, seed=1)
    assert summary.path.name == "NPPES_Data_Dissemination_030325_030925_Weekly_V2.zip"
    with zipfile.ZipFile(summary.path) as bundle:
        stem = "20250303-20250309"
        assert f"npidata_pfile_{stem}.csv" in bundle.namelist()
        assert len(bundle.namelist()) == 8
        assert len(_csv(bundle, f"npidata_pfile_{stem}.csv")) == 41


@pytest.mark.parametrize(
    ("release", "monthly_name", "weekly_name"),
    [
        (date(2025, 4, 6), "NPPES_Data_Dissemination_April_2025.zip",
         "NPPES_Data_Dissemination_033125_040625_Weekly_V2.zip"),
        (date(2024, 12, 8), "NPPES_Data_Dissemination_December_2024.zip",
         "NPPES_Data_Dissemination_120224_120824_Weekly_V2.zip"),
    ],
)
def test_layout_names(release, monthly_name, weekly_name) -> None:
    assert monthly_layout(release).zip_name == monthly_name
    assert weekly_layout(release).zip_name == weekly_name


def test_deactivation_report_layout(small_file, tmp_path) -> None:
    path = write_deactivation_report(tmp_path, small_file.deactivations, small_file.release)
    assert path.name == "NPPES_Deactivated_NPI_Report_030225.xlsx"
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert "Deactivated NPI Report" in rows[0][0]
    assert rows[1] == ("NPI", "NPPES Deactivation Date")
    body = rows[2:]
    assert len(body) == small_file.deactivated > 0
    assert all(isinstance(npi, str) and len(npi) == 10 for npi, _ in body)
    assert all(isinstance(day, str) and len(day) == 10 and day[2] == "/" for _, day in body)
    assert sorted(body) == sorted(deactivations_from_file(small_file.path).rows())


def test_zipped_report_holds_the_xlsx(small_file, tmp_path) -> None:
    path = write_deactivation_report(tmp_path, small_file.deactivations, small_file.release, zipped=True)
    assert path.name == "NPPES_Deactivated_NPI_Report_030225.zip"
    with zipfile.ZipFile(path) as bundle:
        assert bundle.namelist() == ["NPPES_Deactivated_NPI_Report_030225.xlsx"]
