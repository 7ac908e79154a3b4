"""One fetching rule for landing and reference downloads (issue 14 item 8, review M7 and L11):
allowed hosts on every hop, https unless configured, size and time caps, names from the final
URL, no query string in anything kept, no temporary download left behind."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fakes.http_server import LocalServer, Reply
from structlog.testing import capture_logs
from support import bad_files

from careatlas.ingest.reference.common import ReferenceError
from careatlas.ingest.reference.load import load_reference
from careatlas.nppes import landing
from careatlas.shared import fetch
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

SECRET = "X-Amz-Signature=0123456789abcdef-SECRET"
LOCAL = Settings(fetch_allowed_hosts=("127.0.0.1",), fetch_allow_http=True)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where temporary downloads go, to see that none is left behind."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.mark.parametrize(
    ("url", "settings", "message"),
    [
        ("https://evil.example/npidata.csv", Settings(), "host 'evil.example' is not in CAREATLAS_FETCH_ALLOWED_HOSTS"),
        ("http://download.cms.gov/nppes/x.zip", Settings(), "plain http is refused"),
        ("ftp://download.cms.gov/x.zip", Settings(), "only https URLs are fetched"),
        ("https://169.254.169.254/latest/meta-data", Settings(fetch_allowed_hosts=("169.254.169.254",)), "link-local"),
        ("https://download.cms.gov.evil.example/x.zip", Settings(), "not in CAREATLAS_FETCH_ALLOWED_HOSTS"),
    ],
    ids=["other-host", "http", "ftp", "metadata", "look-alike"],
)
def test_urls_outside_the_rule_are_refused(url: str, settings: Settings, message: str) -> None:
    with pytest.raises(fetch.FetchError, match=message):
        fetch.check_url(url, settings)


@pytest.mark.parametrize(
    ("host", "allowed", "expected"),
    [("download.cms.gov", ("download.cms.gov",), True), ("a.census.gov", (".census.gov",), True),
     ("census.gov.evil", (".census.gov",), False), ("DOWNLOAD.CMS.GOV.", ("download.cms.gov",), True)],
)
def test_host_allow_list(host: str, allowed: tuple, expected: bool) -> None:
    assert fetch.host_allowed(host, allowed) is expected


def test_an_https_download_never_redirects_to_http() -> None:
    with pytest.raises(fetch.FetchError, match="never continues over http"):
        fetch.check_url("http://download.cms.gov/x.zip", Settings(fetch_allow_http=True),
                        came_from=httpx.URL("https://download.cms.gov/y.zip"))


def test_redirects_are_checked_on_every_hop(server: LocalServer, temp_root: Path) -> None:
    # localhost is the same machine, but not a host the rule admits
    server.files["/start"] = Reply(302, b"", {"Location": "/hop"})
    server.files["/hop"] = Reply(302, b"", {"Location": server.root.replace("127.0.0.1", "localhost") + "/x.csv"})
    with pytest.raises(fetch.FetchError, match="/hop redirects to http://localhost:.*not in CAREATLAS_FETCH_ALLOWED"):
        landing.source_file(server.root + "/start", LOCAL)
    assert [s.path for s in server.seen] == ["/start", "/hop"] and list(temp_root.iterdir()) == []


def test_the_name_comes_from_the_final_url_or_content_disposition(server: LocalServer, temp_root: Path) -> None:
    server.files["/get"] = Reply(302, b"", {"Location": "/files/npidata_pfile_20050523-20250407.csv?sig=1"})
    server.serve_file("/files/npidata_pfile_20050523-20250407.csv", b"x")
    server.files["/dl"] = Reply(200, b"y", {"Content-Disposition": 'attachment; filename="../nucc_taxonomy_251.csv"'})
    with fetch.downloaded(server.root + "/get", LOCAL) as got:
        assert got.name == "npidata_pfile_20050523-20250407.csv" and got.path.read_bytes() == b"x"
        assert got.url == server.root + "/files/npidata_pfile_20050523-20250407.csv"
    with fetch.downloaded(server.root + "/dl?x=1", LOCAL) as got:
        assert got.name == "nucc_taxonomy_251.csv" and got.path.parent.parent == temp_root
    assert list(temp_root.iterdir()) == []


def test_a_url_that_names_no_file_is_refused(server: LocalServer, temp_root: Path) -> None:
    server.files["/"] = Reply(200, b"<html>index</html>", {"Content-Type": "text/html"})
    with pytest.raises(fetch.FetchError, match="names no file"):
        landing.source_file(server.root + "/", LOCAL)
    assert list(temp_root.iterdir()) == []


def test_size_caps_from_the_header_and_from_the_bytes(server: LocalServer, temp_root: Path) -> None:
    url = server.serve_file("/big.csv", b"x" * 5000)
    with pytest.raises(fetch.FetchError, match="5,000 bytes is more than CAREATLAS_FETCH_MAX_BYTES"):
        landing.source_file(url, LOCAL.model_copy(update={"fetch_max_bytes": 4096}))
    unsized = httpx.Response(200, content=iter([b"y" * 3000, b"y" * 3000]),
                             request=httpx.Request("GET", "https://download.cms.gov/a.csv"))
    with pytest.raises(fetch.FetchError, match=r"more than CAREATLAS_FETCH_MAX_BYTES \(4,096 bytes\)"):
        fetch.save(unsized, temp_root, LOCAL.model_copy(update={"fetch_max_bytes": 4096}))


def test_time_caps_per_read_and_in_total(server: LocalServer, temp_root: Path) -> None:
    url = server.serve_file("/slow.csv", b"x")
    server.delay_s = 1.0
    with pytest.raises(fetch.FetchUnavailable, match="slow.csv: timed out"):
        fetch.download_into(url, temp_root, LOCAL.model_copy(update={"fetch_read_timeout_s": 0.2}))

    def trickle() -> Iterator[bytes]:
        for _ in range(50):
            time.sleep(0.01)
            yield b"z"

    slow = httpx.Response(200, content=trickle(), request=httpx.Request("GET", "https://download.cms.gov/b.csv"))
    with pytest.raises(fetch.FetchUnavailable, match="took longer than CAREATLAS_FETCH_TIMEOUT_S"):
        fetch.save(slow, temp_root, LOCAL.model_copy(update={"fetch_timeout_s": 0.1}))


def test_query_strings_never_reach_records_logs_or_errors(tmp_path: Path, server: LocalServer,
                                                          temp_root: Path) -> None:
    lake = Lake(str(tmp_path / "lake"), LOCAL)
    url = server.serve_file(f"/nppes/{bad_files.NAME}", bad_files.good_csv(20))
    with capture_logs() as logs:
        file = landing.source_file(f"{url}?{SECRET}", LOCAL)
        key, _sha, _size = landing.land(lake, file, "2025-04-07")
        with pytest.raises(fetch.FetchError) as missing:
            landing.source_file(f"{server.root}/nppes/gone.csv?{SECRET}", LOCAL)
    checksum = lake.read_json(f"{key}.sha256.json")
    assert checksum["source"] == url
    kept = json.dumps(checksum) + json.dumps(logs, default=str) + str(missing.value) + file.uri
    assert "SECRET" not in kept and "HTTP 404" in str(missing.value)
    assert list(temp_root.iterdir()) == []  # the download is removed once landed


def test_reference_downloads_follow_the_same_rule(tmp_path: Path, server: LocalServer, temp_root: Path) -> None:
    lake = Lake(str(tmp_path / "lake"), LOCAL)
    server.files["/nucc.csv"] = Reply(302, b"", {"Location": "https://www.nucc.org/nucc_taxonomy_251.csv"})
    with pytest.raises(ReferenceError, match="never continues over http|redirects to https://www.nucc.org"):
        load_reference(lake, "nucc", f"{server.root}/nucc.csv?{SECRET}", settings=LOCAL)
    with pytest.raises(ReferenceError, match="host 'evil.example' is not in"):
        load_reference(lake, "nucc", "https://evil.example/nucc_taxonomy_251.csv", settings=LOCAL)
    assert lake.list() == [] and list(temp_root.iterdir()) == []


def test_a_download_page_may_only_link_allowed_hosts(server: LocalServer, temp_root: Path) -> None:
    elsewhere = server.root.replace("127.0.0.1", "localhost")
    page = f'<a href="{elsewhere}/NPPES_Data_Dissemination_April_2025.zip">April</a>'
    server.files["/nppes/NPI_Files.html"] = Reply(200, page.encode(), {"Content-Type": "text/html"})
    with pytest.raises(fetch.FetchError, match="host 'localhost' is not in CAREATLAS_FETCH_ALLOWED_HOSTS"):
        landing.source_file(f"{server.root}/nppes/NPI_Files.html", LOCAL, kind="full")
    assert [s.path for s in server.seen] == ["/nppes/NPI_Files.html"]
