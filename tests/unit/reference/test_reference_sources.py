"""Sources given as URLs, and the official defaults when no file is given (served locally)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from fakes.http_server import LocalServer, Reply

from careatlas.ingest.reference.common import ReferenceError, SourceUnavailable
from careatlas.ingest.reference.load import load_reference
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

CMS_PAGE = """<html><body><h2>NPPES Downloadable File</h2><ul>
<li><a href="NPPES_Data_Dissemination_March_2025.zip">Full Replacement Monthly NPI File</a></li>
<li><a href="./NPPES_Deactivated_NPI_Report_021025.zip">NPPES Deactivated NPI Report (Feb 10, 2025)</a></li>
<li><a href='NPPES_Deactivated_NPI_Report_031025.zip'>NPPES Deactivated NPI Report (Mar 10, 2025)</a></li>
<li><a href="NPPES_Deactivated_NPI_Report_120924.zip">NPPES Deactivated NPI Report (Dec 9, 2024)</a></li>
</ul></body></html>"""


# the local servers stand in for the official hosts
LOCAL = Settings(fetch_allowed_hosts=("127.0.0.1",), fetch_allow_http=True)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


def test_a_url_is_downloaded_and_named_without_its_query(lake: Lake, server: LocalServer, nucc_csv: Path) -> None:
    url = server.serve_file("/csv/nucc_taxonomy_251.csv", nucc_csv.read_bytes(), "text/csv")
    result = load_reference(lake, "nucc", url + "?download=1", settings=LOCAL)
    assert result.rows == 3 and result.source == url
    frame = pl.read_parquet(lake.uri(result.key))
    assert frame["_source_file"][0] == "nucc_taxonomy_251.csv"


def test_default_sources_are_used_when_no_file_is_given(
    lake: Lake, server: LocalServer, nucc_csv: Path, deactivation_zip: Path
) -> None:
    nucc_url = server.serve_file("/images/stories/CSV/nucc_taxonomy_251.csv", nucc_csv.read_bytes())
    page_url = server.serve_file("/nppes/NPI_Files.html", CMS_PAGE.encode(), "text/html")
    server.serve_file("/nppes/NPPES_Deactivated_NPI_Report_031025.zip", deactivation_zip.read_bytes())
    defaults = {"nucc": nucc_url, "hud": "unused", "deactivations": page_url}
    assert load_reference(lake, "nucc", None, settings=LOCAL, defaults=defaults).rows == 3
    result = load_reference(lake, "deactivations", None, settings=LOCAL, defaults=defaults)
    # the newest report linked from the page, not the first or last link
    assert result.source.endswith("/nppes/NPPES_Deactivated_NPI_Report_031025.zip")
    assert result.key.endswith("report_date=2025-03-10/data.parquet") and result.rows == 3


@pytest.mark.parametrize("kind", ["nucc", "deactivations"])
def test_an_unreachable_default_says_to_pass_a_file(lake: Lake, kind: str) -> None:
    defaults = {kind: "http://127.0.0.1:9/nothing-listens-here.csv"}
    with pytest.raises(SourceUnavailable, match="no FILE_OR_URL given.*127.0.0.1:9"):
        load_reference(lake, kind, None, settings=LOCAL, defaults=defaults)


@pytest.mark.parametrize(("status", "error"), [(404, ReferenceError), (503, SourceUnavailable)])
def test_download_errors_are_permanent_or_retryable(lake: Lake, server: LocalServer, status: int, error: type) -> None:
    server.files["/nucc_taxonomy_251.csv"] = Reply(status, b"<html>oops</html>", {"Content-Type": "text/html"})
    with pytest.raises(error, match=f"{server.root}/nucc_taxonomy_251.csv: HTTP {status}") as raised:
        load_reference(lake, "nucc", f"{server.root}/nucc_taxonomy_251.csv", settings=LOCAL)
    assert isinstance(raised.value, SourceUnavailable) is (status == 503)
    assert lake.list() == []
