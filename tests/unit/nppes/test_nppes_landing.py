"""Landing: raw files are written once, named by release, and never silently replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from careatlas.nppes import landing


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("npidata_pfile_20050523-20250407.csv", ("full", "2025-04-07")),
        ("npidata_pfile_20250407-20250413.csv", ("weekly", "2025-04-13")),
        ("NPPES_Data_Dissemination_040725_041325_Weekly_V2.zip", ("weekly", "2025-04-13")),
        ("npidata_pfile_20050523-20250407_fileheader.csv", (None, None)),
        ("providers.csv", (None, None)),
    ],
)
def test_release_and_kind_come_from_cms_names(name: str, expected: tuple) -> None:
    assert landing.identify(name) == expected


def test_unnamed_files_need_an_explicit_release() -> None:
    with pytest.raises(landing.LandingError, match="pass --release"):
        landing.resolve_release("providers.csv", None, None)
    assert landing.resolve_release("providers.csv", "2025-01-31", None) == ("full", "2025-01-31")


def test_missing_sources_are_named(tmp_path: Path) -> None:
    with pytest.raises(landing.LandingError, match="nope.csv: no such file"):
        landing.source_file(str(tmp_path / "nope.csv"))


CMS_PAGE = """<html><body>
<a href="NPPES_Data_Dissemination_March_2025.zip">March</a>
<a href="NPPES_Data_Dissemination_April_2025.zip">April</a>
<a href="NPPES_Data_Dissemination_April_2025_V2.zip">April V2</a>
<a href='NPPES_Data_Dissemination_033125_040625_Weekly.zip'>w</a>
<a href='NPPES_Data_Dissemination_040725_041325_Weekly.zip'>w</a>
<a href='NPPES_Data_Dissemination_040725_041325_Weekly_V2.zip'>w2</a>
<a href="NPPES_Deactivated_NPI_Report_041425.zip">d</a>
</body></html>"""


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("weekly", "https://download.cms.gov/nppes/NPPES_Data_Dissemination_040725_041325_Weekly_V2.zip"),
        ("full", "https://download.cms.gov/nppes/NPPES_Data_Dissemination_April_2025_V2.zip"),
    ],
)
def test_the_cms_download_page_resolves_to_its_newest_file(kind: str, expected: str) -> None:
    assert landing.newest_cms_link(CMS_PAGE, "https://download.cms.gov/nppes/NPI_Files.html", kind) == expected


def test_a_page_without_links_resolves_to_nothing() -> None:
    assert landing.newest_cms_link("<html></html>", "https://x/NPI_Files.html", "weekly") is None
