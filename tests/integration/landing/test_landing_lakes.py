"""Validate before landing, on both lakes with the same assertions: a file is read whole before
it may take a release's raw name, the raw object is created at most once (``IfNoneMatch='*'``
on S3's PUT and multipart completion, a link locally), and a plain CSV or .gz is read once:
copied, hashed and checked on the same bytes (passthrough.CheckedCopy; issue 14 item 3,
review H3 and L5, issue 17)."""

from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path

import boto3
import pytest
from support import bad_files, nppes_rows
from support.landing_race import RELEASE, assert_one_winner, land_concurrently

from careatlas.nppes import landing, passthrough
from careatlas.shared import storage
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

pytestmark = pytest.mark.integration
SMALL_PIECE = 64 * 1024


@pytest.fixture(params=["local", "s3"])
def lake(request: pytest.FixtureRequest, tmp_path: Path) -> Lake:
    # S3's smallest part, so files of a few MiB land by multipart upload as the national file does
    root = str(tmp_path / "lake") if request.param == "local" else request.getfixturevalue("s3_env")["CAREATLAS_LAKE"]
    return Lake(root, Settings(), part_bytes=storage.S3_MIN_PART_BYTES)


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small pieces, so test files pass through the check's queue in many pieces and fill it."""
    monkeypatch.setattr(passthrough, "PIECE", SMALL_PIECE)


def leftovers(lake: Lake) -> list[str]:
    """What a failed land could leave behind: temporary files, or unfinished multipart uploads."""
    if lake.is_s3:
        return [u["Key"] for u in lake._s3.list_multipart_uploads(Bucket=lake.bucket).get("Uploads", [])]
    return [str(p) for p in lake.path.rglob(".tmp-*")]


class Counted:
    """A source whose opens and bytes read are counted; ``versions`` are the bytes of each open."""

    def __init__(self, name: str, versions: list[bytes]) -> None:
        self.name, self.versions, self.opens, self.bytes_read = name, versions, 0, 0

    def open(self) -> io.BytesIO:
        data = self.versions[min(self.opens, len(self.versions) - 1)]
        self.opens += 1
        outer = self

        class Reader(io.BytesIO):
            def read(self, size: int | None = -1) -> bytes:
                piece = super().read(size)
                outer.bytes_read += len(piece)
                return piece

        return Reader(data)

    def source(self) -> landing.SourceFile:
        return landing.SourceFile(self.name, f"/incoming/{self.name}", self.open)


def _good(suffix: str, rows: int = 120) -> tuple[str, bytes]:
    data = bad_files.good_csv(rows)
    return bad_files.NAME + suffix, gzip.compress(data) if suffix else data


@pytest.mark.parametrize("kind", sorted(bad_files.KINDS))
def test_a_bad_file_is_refused_and_never_blocks_the_good_one(tmp_path: Path, lake: Lake, kind: str) -> None:
    bad = bad_files.write(kind, tmp_path)
    with pytest.raises(ValueError, match=bad_files.KINDS[kind]) as error:
        landing.land(lake, landing.source_file(str(bad)), RELEASE)
    assert bad.name in str(error.value)
    assert lake.list("raw") == [] and leftovers(lake) == []  # nothing landed, not even a part
    good = tmp_path / "good" / bad.name
    good.parent.mkdir()
    if bad.suffix == ".zip":
        bad_files.write_zip(good, bad_files.good_csv())
    else:
        good.write_bytes(_good(bad.suffix.replace(".csv", ""))[1])
    key, sha, _size = landing.land(lake, landing.source_file(str(good)), RELEASE)
    assert key == f"raw/nppes/release={RELEASE}/{bad.name}" and sha == hashlib.sha256(good.read_bytes()).hexdigest()
    assert lake.read_bytes(key) == good.read_bytes()


@pytest.mark.parametrize("suffix", ["", ".gz"], ids=["csv", "gz"])
@pytest.mark.parametrize("rows", [120, 11_000], ids=["small", "11MiB"])  # the CSV of 11 MiB: multipart on S3
def test_a_plain_or_gz_file_is_read_once(lake: Lake, suffix: str, rows: int) -> None:
    name, data = _good(suffix, rows)
    # a file replaced between two reads: only the bytes of the one read can land
    source = Counted(name, [data, data + b"changed"])
    key, sha, size = landing.land(lake, source.source(), RELEASE)
    assert source.opens == 1 and source.bytes_read == len(data)
    assert lake.read_bytes(key) == data and size == len(data)
    assert sha == hashlib.sha256(data).hexdigest() == lake.read_json(f"{key}.sha256.json")["sha256"]


@pytest.mark.parametrize("kind", ["not-nppes", "gz-not-gzip"])
def test_a_failed_check_stops_the_copy(lake: Lake, kind: str) -> None:
    data = b"hello,world\nthis is not nppes\n" + b"x" * (64 * SMALL_PIECE)
    name = bad_files.NAME + (".gz" if kind.startswith("gz") else "")
    source = Counted(name, [data])
    with pytest.raises(ValueError, match=bad_files.KINDS[kind]):
        landing.land(lake, source.source(), RELEASE)
    # the copy is at most the queue (plus the pieces in the two threads' hands) ahead of the check
    assert source.bytes_read <= (passthrough.QUEUE_PIECES + 3) * SMALL_PIECE
    assert lake.list("raw") == [] and leftovers(lake) == []


def test_a_check_failing_after_the_last_byte_leaves_nothing(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    # a truncated .gz fails only at its end: every byte is copied and staged before the check fails
    monkeypatch.setattr(passthrough, "PIECE", 4096)  # the CSV compresses 100:1
    blob = gzip.compress(bad_files.good_csv(11_000))
    truncated = blob[: len(blob) * 3 // 4]
    assert len(truncated) > 2 * passthrough.QUEUE_PIECES * passthrough.PIECE
    source = Counted(bad_files.NAME + ".gz", [truncated])
    with pytest.raises(ValueError, match=bad_files.KINDS["gz-truncated"]):
        landing.land(lake, source.source(), RELEASE)
    assert source.bytes_read == len(truncated)
    assert lake.list("raw") == [] and leftovers(lake) == []


def test_a_zip_that_changes_while_landing_is_not_committed(tmp_path: Path, lake: Lake) -> None:
    # a zip is checked by member beside a hashing read, then copied: the copy must hash the same
    versions = [bad_files.write_zip(tmp_path / f"{n}.zip", bad_files.good_csv(n)).read_bytes() for n in (10, 11)]
    source = Counted(bad_files.ZIP_NAME, [versions[0], versions[0], versions[1]])
    with pytest.raises(landing.LandingError, match="changed while it was being landed"):
        landing.land(lake, source.source(), RELEASE)
    assert source.opens == 3
    assert lake.list("raw") == [] and leftovers(lake) == []


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


def test_landing_is_idempotent_and_refuses_different_bytes(tmp_path: Path, lake: Lake) -> None:
    source = nppes_rows.write(tmp_path / bad_files.NAME, nppes_rows.many(10))
    first = source.read_bytes()
    landed = landing.land(lake, landing.source_file(str(source)), RELEASE)
    assert landing.land(lake, landing.source_file(str(source)), RELEASE) == landed
    nppes_rows.write(source, nppes_rows.many(11))
    with pytest.raises(landing.LandingError, match="already holds a different file"):
        landing.land(lake, landing.source_file(str(source)), RELEASE)
    assert lake.read_bytes(landed[0]) == first


def test_concurrent_lands_of_different_bytes_cannot_both_win(tmp_path: Path, lake: Lake) -> None:
    assert_one_winner(lake, land_concurrently(lake, tmp_path))


@pytest.mark.parametrize("size", [1000, 11 * 1024 * 1024], ids=["put", "multipart"])
def test_the_create_is_conditional_at_commit(lake: Lake, size: int) -> None:
    # another writer commits between our existence check and our commit
    created = lake.create("raw/k", io.BytesIO(b"x" * size), lambda: lake.put_bytes("raw/k", b"winner"))
    assert created is False and lake.read_bytes("raw/k") == b"winner"
    assert lake.create("raw/new", io.BytesIO(b"y" * size)) is True
    assert lake.size("raw/new") == size

    def refuse() -> None:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        lake.create("raw/y", io.BytesIO(b"z" * size), refuse)
    assert lake.list("raw") == ["raw/k", "raw/new"] and leftovers(lake) == []


def test_a_zip_in_another_bucket_is_checked_in_place(tmp_path: Path, lake: Lake, s3_env: dict) -> None:
    s3 = boto3.client("s3", endpoint_url=s3_env["CAREATLAS_S3_ENDPOINT_URL"], region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing-secret")
    bucket = "incoming-" + s3_env["CAREATLAS_LAKE"][len("s3://lake-"):].split("/")[0]
    s3.create_bucket(Bucket=bucket)
    for kind in ("zip-bad-crc", "good"):
        path = bad_files.write_zip(tmp_path / f"{kind}.zip", bad_files.good_csv()) if kind == "good" else (
            bad_files.write(kind, tmp_path))
        s3.put_object(Bucket=bucket, Key=f"{kind}/{bad_files.ZIP_NAME}", Body=path.read_bytes())
    with pytest.raises(ValueError, match="Bad CRC-32"):
        landing.land(lake, landing.source_file(f"s3://{bucket}/zip-bad-crc/{bad_files.ZIP_NAME}"), RELEASE)
    key, sha, _ = landing.land(lake, landing.source_file(f"s3://{bucket}/good/{bad_files.ZIP_NAME}"), RELEASE)
    assert sha == hashlib.sha256(lake.read_bytes(key)).hexdigest() == lake.read_json(f"{key}.sha256.json")["sha256"]
