"""The offline demographics' loaders (PEP totals, PEP age/sex, SAIPE): the vendored extracts and
the full files land as-is under layout.census_product; other files are refused by name."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from careatlas.cli.main import app
from careatlas.ingest.reference import census_products, schemas
from careatlas.ingest.reference.common import ReferenceError
from careatlas.ingest.reference.load import load_reference
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PROVENANCE = ["_source_file", "_source_sha256", "_loaded_at"]
OFFLINE = Path(__file__).resolve().parents[3] / "data" / "reference" / "census" / "offline"
FILES = {
    "pep_population": "pep_v2024_county_totals.csv",
    "pep_agesex": "pep_v2023_county_agesex.csv",
    "saipe": "saipe_2023_county.csv",
}
# kind -> (key, rows of the extract, rows of the full file)
EXPECTED = {
    "pep_population": ("reference/census/pep_population/vintage=2024/data.parquet", 3196, 3196),
    "pep_agesex": ("reference/census/pep_agesex/vintage=2023/data.parquet", 3144, 15720),
    "saipe": ("reference/census/saipe/vintage=2023/data.parquet", 3196, 3196),
}


def header(path: Path) -> list[str]:
    with path.open(encoding="latin-1", newline="") as handle:
        return next(csv.reader(handle))


def load(lake: Lake, kind: str, path: Path, **options):
    return load_reference(lake, kind, str(path), settings=Settings(), clock=lambda: AT, **options)


@pytest.mark.parametrize("kind", FILES)
def test_the_vendored_extract_lands_as_text_with_provenance(lake: Lake, kind: str) -> None:
    result = load(lake, kind, OFFLINE / FILES[kind])
    key, rows, _ = EXPECTED[kind]
    assert (result.key, result.rows, result.label) == (key, rows, key.split("vintage=")[1][:4])
    frame = pl.read_parquet(lake.uri(key))
    assert frame.columns == [*header(OFFLINE / FILES[kind]), *PROVENANCE]
    assert all(frame.schema[c] == pl.String for c in frame.columns[:-1])
    meta = lake.read_json(key.replace("data.parquet", "metadata.json"))
    assert meta["kind"] == kind and meta["vintage"] == meta["label"] == result.label and meta["rows"] == rows


def test_codes_keep_their_leading_zeros_and_ct_its_planning_regions(lake: Lake) -> None:
    frame = pl.read_parquet(lake.uri(load(lake, "pep_population", OFFLINE / FILES["pep_population"]).key))
    ct = frame.filter(pl.col("statecode") == "09", pl.col("countycode") != "000")
    assert sorted(ct["fipscode"]) == [f"09{n}0" for n in range(11, 20)]
    assert frame.filter(pl.col("fipscode") == "01001")["POPESTIMATE2024"].to_list() == ["61464.0"]


def test_pep_agesex_is_read_as_latin_1(lake: Lake) -> None:
    frame = pl.read_parquet(lake.uri(load(lake, "pep_agesex", OFFLINE / FILES["pep_agesex"]).key))
    assert frame.filter(pl.col("STATE") == "35", pl.col("COUNTY") == "013")["CTYNAME"].to_list() == ["Doña Ana County"]
    assert set(frame["YEAR"]) == {"5"}


def test_saipe_keeps_its_no_estimate_dots(lake: Lake) -> None:
    frame = pl.read_parquet(lake.uri(load(lake, "saipe", OFFLINE / FILES["saipe"]).key))
    kalawao = frame.filter(pl.col("State FIPS Code") == "15", pl.col("County FIPS Code") == "005")
    assert kalawao["Median Household Income"].to_list() == ["."]


@pytest.mark.parametrize("kind", FILES)
def test_the_full_files_load(reference_dir: Path, lake: Lake, kind: str) -> None:
    full = reference_dir / "census" / "offline" / FILES[kind]
    result = load(lake, kind, full)
    key, _, rows = EXPECTED[kind]
    assert (result.key, result.rows) == (key, rows)
    assert pl.read_parquet(lake.uri(key)).columns == [*header(full), *PROVENANCE]


def test_the_census_bureaus_own_totals_file_gets_the_same_id_columns(lake: Lake, tmp_path: Path) -> None:
    path = tmp_path / "co-est2024-alldata.csv"
    path.write_bytes(
        "SUMLEV,REGION,DIVISION,STATE,COUNTY,STNAME,CTYNAME,ESTIMATESBASE2020,POPESTIMATE2023,POPESTIMATE2024\n"
        "040,4,8,35,000,New Mexico,New Mexico,2117527,2114371,2130256\n"
        "050,4,8,35,013,New Mexico,Doña Ana County,219561,227580,229317\n".encode("latin-1")
    )
    frame = pl.read_parquet(lake.uri(load(lake, "pep_population", path).key))
    assert frame.columns[:3] == ["statecode", "countycode", "fipscode"]
    assert frame["fipscode"].to_list() == ["35000", "35013"] and frame["CTYNAME"][1] == "Doña Ana County"


def test_saipe_title_lines_above_the_header_are_skipped(lake: Lake, tmp_path: Path) -> None:
    body = (OFFLINE / FILES["saipe"]).read_text().splitlines()[:3]
    path = tmp_path / "est23all.csv"
    path.write_text("\n".join(["2023 Poverty and Median Household Income Estimates,,,", "Source: SAIPE,,,", *body]))
    result = load(lake, "saipe", path)
    assert (result.label, result.rows) == ("2023", 2)


def _write(tmp_path: Path, name: str, header: list[str], *rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(",".join(f'"{v}"' if "," in v else v for v in r) for r in [header, *rows]) + "\n")
    return path


def test_a_missing_column_is_named(lake: Lake, tmp_path: Path) -> None:
    header = [c for c in schemas.PEP_AGESEX_COLUMNS if c != "AGE1544_FEM"]
    path = _write(tmp_path, "cc-est2023-agesex-all.csv", header, ["050", "01", "001", "A", "B", "5", *["1"] * 6])
    with pytest.raises(ReferenceError, match=r"cc-est2023-agesex-all.csv is not a Census PEP county age/sex file: "
                                             r"missing columns \['AGE1544_FEM'\]"):
        load(lake, "pep_agesex", path)
    assert lake.list() == []


@pytest.mark.parametrize(
    ("kind", "other", "message"),
    [
        ("pep_agesex", "saipe", "missing columns .*looks like a Census SAIPE county poverty and income file"),
        ("saipe", "pep_population", "missing columns .*looks like a Census PEP county population totals file"),
        ("pep_population", "pep_agesex", "missing columns .*looks like a Census PEP county age/sex file"),
    ],
)
def test_a_file_of_another_product_is_refused(lake: Lake, kind: str, other: str, message: str) -> None:
    with pytest.raises(ReferenceError, match=message):
        load(lake, kind, OFFLINE / FILES[other], label="2023")


def test_a_bad_value_names_its_row_and_field(lake: Lake, tmp_path: Path) -> None:
    good = ["01", "001", "AL", "Autauga County", "7004", "11.7", "2363", "17", "68857"]
    bad = ["01", "003", "AL", "Baldwin County", "24942", "ten", "7334", "14.1", "74248"]
    path = _write(tmp_path, "saipe_2023_county.csv", schemas.SAIPE_COLUMNS, good, bad)
    with pytest.raises(ReferenceError, match=r"saipe_2023_county.csv: 1 values of Poverty Percent, All Ages are not "
                                             r"numbers \(row 3: 'ten'\)"):
        load(lake, "saipe", path)
    bad_code = ["1", "005", *good[2:]]
    path = _write(tmp_path, "saipe_2023_county.csv", schemas.SAIPE_COLUMNS, good, bad_code)
    with pytest.raises(ReferenceError, match=r"State FIPS Code are not 2-digit state codes \(row 3: '1'\)"):
        load(lake, "saipe", path)
    path = _write(tmp_path, "saipe_2023_county.csv", schemas.SAIPE_COLUMNS, good, good)
    with pytest.raises(ReferenceError, match=r"\['01', '001'\] appears more than once \(rows 2, 3\)"):
        load(lake, "saipe", path)


def test_the_vintage_must_agree_with_the_content(lake: Lake, tmp_path: Path) -> None:
    with pytest.raises(ReferenceError, match="vintage 2023 .* but its latest column is POPESTIMATE2024"):
        load(lake, "pep_population", OFFLINE / FILES["pep_population"], label="2023")
    with pytest.raises(ReferenceError, match="holds July 2023 estimates .*so it is not vintage 2022"):
        load(lake, "pep_agesex", OFFLINE / FILES["pep_agesex"], label="2022")
    unnamed = tmp_path / "poverty.csv"
    unnamed.write_bytes((OFFLINE / FILES["saipe"]).read_bytes())
    with pytest.raises(ReferenceError, match="cannot tell the SAIPE year from poverty.csv: pass --vintage"):
        load(lake, "saipe", unnamed)
    assert load(lake, "saipe", unnamed, label="2023").key == EXPECTED["saipe"][0]


@pytest.mark.parametrize(
    ("kind", "name", "vintage"),
    [
        ("pep_population", "co-est2024-alldata.csv", "2024"),
        ("pep_population", "pep_v2024_county_totals.csv", "2024"),
        ("pep_agesex", "cc-est2023-agesex-all.csv", "2023"),
        ("saipe", "est23all.csv", "2023"),
        ("saipe", "saipe_2023_county.csv", "2023"),
        ("saipe", "poverty.csv", None),
    ],
)
def test_vintage_from_the_file_name(kind: str, name: str, vintage: str | None) -> None:
    assert census_products.vintage_from(kind, name) == vintage


def test_the_cli_loads_them_and_saipe_needs_a_file(tmp_path: Path) -> None:
    runner = CliRunner()
    lake = str(tmp_path / "lake")
    result = runner.invoke(app, ["reference", "load", "pep_agesex", str(OFFLINE / FILES["pep_agesex"]),
                                 "--lake", lake, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["key"] == EXPECTED["pep_agesex"][0]
    result = runner.invoke(app, ["reference", "load", "saipe", "--lake", lake])
    assert result.exit_code == 2 and "saipe has no official CSV to download: pass FILE" in result.output
    result = runner.invoke(app, ["reference", "load", "saipe", str(OFFLINE / FILES["pep_agesex"]), "--lake", lake])
    assert result.exit_code == 1 and "is not a Census SAIPE" in result.output
