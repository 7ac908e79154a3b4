"""The lake interface behaves the same on a local folder and on a real S3 API (moto_server)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake, LakeKeyNotFound, LakeUnavailable

pytestmark = pytest.mark.integration


@pytest.fixture(params=["local", "s3"])
def lake(request: pytest.FixtureRequest, tmp_path: Path) -> Lake:
    if request.param == "local":
        return Lake(str(tmp_path / "lake"), Settings())
    env = request.getfixturevalue("s3_env")
    return Lake(env["CAREATLAS_LAKE"], Settings())


def test_put_read_ranges_and_list(lake: Lake) -> None:
    lake.put_bytes("a/b/one.bin", b"0123456789")
    lake.put_bytes("a/two.bin", b"xy")
    assert lake.read_bytes("a/b/one.bin") == b"0123456789"
    assert lake.read_bytes("a/b/one.bin", 2, 5) == b"234"
    assert lake.read_bytes("a/b/one.bin", 8) == b"89"
    assert lake.size("a/b/one.bin") == 10
    assert lake.list("a") == ["a/b/one.bin", "a/two.bin"]
    assert lake.exists("a/two.bin") and not lake.exists("a/three.bin")


def test_missing_key_is_named(lake: Lake) -> None:
    with pytest.raises(LakeKeyNotFound, match="nope.bin"):
        lake.read_bytes("nope.bin")


def test_streaming_writer_commits_only_on_success(lake: Lake) -> None:
    with pytest.raises(RuntimeError), lake.writer("w/partial.bin") as out:
        out.write(b"half")
        raise RuntimeError("boom")
    assert not lake.exists("w/partial.bin")
    assert lake.list("w") == []
    with lake.writer("w/whole.bin") as out:
        for _ in range(3):
            out.write(b"abc")
    assert lake.read_bytes("w/whole.bin") == b"abcabcabc"


def test_staged_file_publishes_only_on_success(lake: Lake) -> None:
    with pytest.raises(ValueError), lake.staged_file("s/file.txt") as path:
        path.write_text("half")
        raise ValueError("boom")
    assert not lake.exists("s/file.txt")
    with lake.staged_file("s/file.txt") as path:
        path.write_text("done")
    assert lake.read_bytes("s/file.txt") == b"done"


def test_seekable_reader_opens_a_zip_in_place(lake: Lake, tmp_path: Path) -> None:
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("inner/data.csv", "a,b\n1,2\n" * 1000)
    lake.put_file("raw/x.zip", archive)
    with lake.open("raw/x.zip") as handle, zipfile.ZipFile(handle) as zf:
        assert zf.read("inner/data.csv").count(b"\n") == 2000


def test_delete_prefix(lake: Lake) -> None:
    for n in range(3):
        lake.put_bytes(f"d/{n}.bin", b"x")
    assert lake.delete_prefix("d") == 3
    assert lake.list("d") == []


def test_unreachable_endpoint_is_a_clear_retryable_error() -> None:
    settings = Settings(s3_endpoint_url="http://127.0.0.1:9", s3_access_key_id="k", s3_secret_access_key="s")
    lake = Lake("s3://nowhere/lake", settings)
    with pytest.raises(LakeUnavailable, match=r"cannot reach the S3 endpoint http://127.0.0.1:9"):
        lake.read_bytes("anything")
