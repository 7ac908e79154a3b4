"""data/reference: the committed extracts are the bytes README.md vouches for, and re-cutting
them from the full reference files (when present) gives the same bytes."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from careatlas.ingest.reference import schemas

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "data" / "reference"
_ROW = re.compile(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \| `([0-9a-f]{64})` \|$")


def _extract_module():
    spec = importlib.util.spec_from_file_location("vendored_extract", DATA / "extract.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


extract = _extract_module()


def readme_table() -> dict[str, tuple[str, str]]:
    """file -> (source sha256, extract sha256), from README.md's checksum table."""
    rows = (_ROW.match(line) for line in (DATA / "README.md").read_text(encoding="utf-8").splitlines())
    return {m[1]: (m[2], m[3]) for m in rows if m}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_readme_lists_every_vendored_file_and_nothing_else() -> None:
    committed = {str(p.relative_to(DATA)) for p in DATA.rglob("*") if p.is_file()} - {"README.md", "extract.py"}
    committed = {p for p in committed if "__pycache__" not in p}
    assert set(readme_table()) == committed == {e.path for e in extract.EXTRACTS}


@pytest.mark.parametrize("name", sorted(readme_table()))
def test_committed_bytes_match_the_readme(name: str) -> None:
    assert sha256(DATA / name) == readme_table()[name][1], f"{name} differs from README.md's checksum"


def test_nothing_that_must_not_be_vendored_is() -> None:
    names = {p.name for p in DATA.rglob("*")}
    assert not (DATA / "chr").exists()  # County Health Rankings: CC BY-NC-SA, never vendored
    assert not names & {"nppes_sample.csv", "pl_test.csv", "othername_test.csv", "pop_2015_county.csv"}
    assert all("v062" not in n and "v131" not in n for n in names)


def test_the_mit_notice_sits_beside_the_gazetteer_extracts() -> None:
    assert "Permission is hereby granted" in (DATA / "geo" / "us_geo_MIT_LICENSE.txt").read_text()


def test_the_census_extracts_keep_the_columns_the_loaders_require() -> None:
    by_path = {e.path: e for e in extract.EXTRACTS}
    required = {
        "census/offline/pep_v2024_county_totals.csv": schemas.pep_population_columns("2024"),
        "census/offline/pep_v2023_county_agesex.csv": schemas.PEP_AGESEX_COLUMNS,
        "census/offline/saipe_2023_county.csv": schemas.SAIPE_COLUMNS,
    }
    for path, columns in required.items():
        assert set(columns) <= set(by_path[path].columns), path


@pytest.fixture(scope="module")
def recut(reference_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("recut")
    assert extract.main(["--source", str(reference_dir), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("name", sorted(readme_table()))
def test_recutting_from_the_reference_folder_gives_the_committed_bytes(recut: Path, name: str) -> None:
    assert (recut / name).read_bytes() == (DATA / name).read_bytes()


@pytest.mark.parametrize("name", sorted(readme_table()))
def test_readme_names_the_source_files_checksum(reference_dir: Path, name: str) -> None:
    assert sha256(reference_dir / name) == readme_table()[name][0]


def test_extract_refuses_a_source_without_a_column(tmp_path: Path) -> None:
    agesex = next(e for e in extract.EXTRACTS if "agesex" in e.path)
    (tmp_path / "census" / "offline").mkdir(parents=True)
    (tmp_path / agesex.path).write_text("SUMLEV,STATE\n050,01\n", encoding="latin-1")
    with pytest.raises(SystemExit, match="no column .*'COUNTY'"):
        extract.cut(agesex, tmp_path)
