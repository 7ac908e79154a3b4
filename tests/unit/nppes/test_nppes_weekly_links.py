"""The weekly files of CMS's NPPES download page, oldest first: what ``careatlas run --catch-up``
runs in order, so a missed week is applied before the next."""

from __future__ import annotations

import pytest

from careatlas.nppes import landing


@pytest.mark.parametrize(("page", "links"), [
    ('<a href="NPPES_Data_Dissemination_040725_041325_Weekly_V2.zip">'
     '<a href="/nppes/NPPES_Data_Dissemination_033125_040625_Weekly.zip">',
     [("2025-04-06", "https://download.cms.gov/nppes/NPPES_Data_Dissemination_033125_040625_Weekly.zip"),
      ("2025-04-13", "https://download.cms.gov/nppes/NPPES_Data_Dissemination_040725_041325_Weekly_V2.zip")]),
    ('<a href="NPPES_Data_Dissemination_040725_041325_Weekly.zip"><a href="NPPES_Data_Dissemination_040725_'
     '041325_Weekly_V2.zip">',  # V1 and V2 of one week: V2
     [("2025-04-13", "https://download.cms.gov/nppes/NPPES_Data_Dissemination_040725_041325_Weekly_V2.zip")]),
    ('<a href="NPPES_Data_Dissemination_April_2025.zip">', []),  # a monthly file is no weekly
])
def test_weekly_links_are_every_weekly_oldest_first(page: str, links: list) -> None:
    assert landing.weekly_links(page, "https://download.cms.gov/nppes/NPI_Files.html") == links
