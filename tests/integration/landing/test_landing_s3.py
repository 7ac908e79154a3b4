"""Landing on a real S3 API (moto_server): validation first, then a conditional create
(``IfNoneMatch='*'`` on the PUT and on the multipart completion)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import boto3
import pytest
from support import bad_files
from support.landing_race import RELEASE, assert_one_winner, land_concurrently

from careatlas.nppes import landing
from careatlas.shared import storage
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

pytestmark = pytest.mark.integration


@pytest.fixture
def lake(s3_env: dict[str, str]) -> Lake:
    return Lake(s3_env["CAREATLAS_LAKE"], Settings())


@pytest.mark.parametrize("kind", ["not-nppes", "gz-truncated", "zip-bad-crc"])
def test_a_bad_file_never_reaches_the_raw_zone(tmp_path: Path, lake: Lake, kind: str) -> None:
    bad = bad_files.write(kind, tmp_path)
    with pytest.raises(ValueError, match=bad_files.KINDS[kind]):
        landing.land(lake, landing.source_file(str(bad)), RELEASE)
    assert lake.list("raw") == []


def test_concurrent_lands_of_different_bytes_cannot_both_win(tmp_path: Path, lake: Lake) -> None:
    assert_one_winner(lake, land_concurrently(lake, tmp_path))


@pytest.mark.parametrize("size", [1000, 11 * 1024 * 1024], ids=["put", "multipart"])
def test_the_create_is_conditional_at_commit(lake: Lake, monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(storage, "MULTIPART_BYTES", 5 * 1024 * 1024)  # S3's smallest part
    # another writer commits between our existence check and our commit
    created = lake.create("raw/k", io.BytesIO(b"x" * size), lambda: lake.put_bytes("raw/k", b"winner"))
    assert created is False and lake.read_bytes("raw/k") == b"winner"
    assert lake.create("raw/new", io.BytesIO(b"y" * size)) is True
    assert lake.size("raw/new") == size


def test_a_zip_in_another_bucket_is_checked_in_place(tmp_path: Path, lake: Lake, s3_env: dict) -> None:
    s3 = boto3.client("s3", endpoint_url=s3_env["CAREATLAS_S3_ENDPOINT_URL"], region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing-secret")
    bucket = "incoming-" + lake.bucket[5:]
    s3.create_bucket(Bucket=bucket)
    for kind in ("zip-bad-crc", "good"):
        path = bad_files.write_zip(tmp_path / f"{kind}.zip", bad_files.good_csv()) if kind == "good" else (
            bad_files.write(kind, tmp_path))
        s3.put_object(Bucket=bucket, Key=f"{kind}/{bad_files.ZIP_NAME}", Body=path.read_bytes())
    with pytest.raises(ValueError, match="Bad CRC-32"):
        landing.land(lake, landing.source_file(f"s3://{bucket}/zip-bad-crc/{bad_files.ZIP_NAME}"), RELEASE)
    key, sha, _ = landing.land(lake, landing.source_file(f"s3://{bucket}/good/{bad_files.ZIP_NAME}"), RELEASE)
    assert sha == hashlib.sha256(lake.read_bytes(key)).hexdigest() == lake.read_json(f"{key}.sha256.json")["sha256"]
