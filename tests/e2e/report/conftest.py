"""A real run for the report: contract-shaped inputs (tests/fixtures/small_lake.py), the real dbt
build (careatlas.transform.build), the report with dbt docs, and Debian's chromium to look at it.

Chromium is a system package (`apt-get install -y chromium`). Without it the browser tests skip
on a developer machine and fail in CI (CI=true), where it must be installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from headless_chromium import Chromium, find_chromium
from report_scenario import RUN_ID, BuiltReport, write_inputs

from careatlas.report.report import write_report
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed: CI must `apt-get install -y chromium` (see docs/report.md)")
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="session")
def built_report(tmp_path_factory: pytest.TempPathFactory) -> BuiltReport:
    from careatlas.transform.build import build_marts

    root = tmp_path_factory.mktemp("report-e2e")
    settings = Settings(lake=str(root / "lake"), warehouse_path=root / "warehouse" / "warehouse.duckdb")
    lake = Lake(settings.lake, settings)
    write_inputs(lake)
    build_marts(settings.lake, RUN_ID, settings=settings)
    report = write_report(lake, "latest", root / "out" / "report.html", settings=settings,
                          shapes_cache=root / "shapes")
    return BuiltReport(lake, lake.read_json("marts/latest.json"), report)


@pytest.fixture(scope="module")
def page(chromium_path: str, built_report: BuiltReport) -> Iterator[Chromium]:
    """The report opened once in headless chromium, plots drawn."""
    browser = Chromium(chromium_path)
    try:
        browser.open(built_report.report.as_uri())
        browser.wait_until("document.body.getAttribute('data-report-ready')")
        yield browser
    finally:
        browser.close()
