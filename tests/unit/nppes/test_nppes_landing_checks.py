"""Validate before landing: a file is read whole before it may take a release's raw name, and
the raw object is created at most once (issue 14 item 3, review H3 and L5)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from support import bad_files
from support.landing_race import RELEASE, assert_one_winner, land_concurrently

from careatlas.nppes import landing
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"), Settings())


@pytest.mark.parametrize("kind", sorted(bad_files.KINDS))
def test_a_bad_file_is_refused_and_never_blocks_the_good_one(tmp_path: Path, lake: Lake, kind: str) -> None:
    bad = bad_files.write(kind, tmp_path)
    with pytest.raises(ValueError, match=bad_files.KINDS[kind]) as error:
        landing.land(lake, landing.source_file(str(bad)), RELEASE)
    assert bad.name in str(error.value)
    assert lake.list("raw") == []  # nothing landed, not even a temporary file
    assert not list((tmp_path / "lake").rglob(".tmp-*"))
    good = tmp_path / "good" / bad.name
    good.parent.mkdir()
    if bad.suffix == ".zip":
        bad_files.write_zip(good, bad_files.good_csv())
    elif bad.suffix == ".gz":
        import gzip

        good.write_bytes(gzip.compress(bad_files.good_csv()))
    else:
        good.write_bytes(bad_files.good_csv())
    key, sha, _size = landing.land(lake, landing.source_file(str(good)), RELEASE)
    assert key == f"raw/nppes/release={RELEASE}/{bad.name}" and sha == hashlib.sha256(good.read_bytes()).hexdigest()


def test_a_file_that_changes_while_landing_is_not_committed(tmp_path: Path, lake: Lake) -> None:
    versions = [bad_files.good_csv(10), bad_files.good_csv(11)]
    opened = []

    def opener() -> io.BytesIO:  # the checked bytes, then different ones for the copy
        opened.append(1)
        return io.BytesIO(versions[min(len(opened) - 1, 1)])

    source = landing.SourceFile(bad_files.NAME, str(tmp_path / bad_files.NAME), opener)
    with pytest.raises(landing.LandingError, match="changed while it was being landed"):
        landing.land(lake, source, RELEASE)
    assert lake.list("raw") == []


def test_a_raw_file_left_without_its_checksum_is_adopted_or_refused(tmp_path: Path, lake: Lake) -> None:
    # a land that crashed between the raw object and its checksum
    data = bad_files.good_csv(10)
    key = f"raw/nppes/release={RELEASE}/{bad_files.NAME}"
    lake.put_bytes(key, data)
    other = tmp_path / "other" / bad_files.NAME
    other.parent.mkdir()
    other.write_bytes(bad_files.good_csv(12))
    with pytest.raises(landing.LandingError, match="already holds a different file"):
        landing.land(lake, landing.source_file(str(other)), RELEASE)
    assert not lake.exists(f"{key}.sha256.json")
    same = tmp_path / bad_files.NAME
    same.write_bytes(data)
    _key, sha, size = landing.land(lake, landing.source_file(str(same)), RELEASE)
    assert lake.read_json(f"{key}.sha256.json")["sha256"] == sha == hashlib.sha256(data).hexdigest()
    assert size == len(data)


def test_concurrent_lands_of_different_bytes_cannot_both_win(tmp_path: Path, lake: Lake) -> None:
    assert_one_winner(lake, land_concurrently(lake, tmp_path))


def test_create_writes_once(tmp_path: Path, lake: Lake) -> None:
    assert lake.create("raw/x", io.BytesIO(b"one")) is True
    assert lake.create("raw/x", io.BytesIO(b"two")) is False
    assert lake.read_bytes("raw/x") == b"one"

    def refuse() -> None:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        lake.create("raw/y", io.BytesIO(b"three"), refuse)
    assert lake.list("raw") == ["raw/x"]
