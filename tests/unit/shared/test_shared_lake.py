"""What the Lake contract suite (tests/integration/shared/test_shared_storage.py) does not reach:
a failed rewrite of a local key keeps the old object whole, S3 answers map onto the lake's error
types (botocore's Stubber plays S3: no endpoint is called), and the options Polars gets."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from botocore.stub import Stubber

from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake, LakeError, LakeExists, LakeKeyNotFound, LakeUnavailable, open_lake

S3_OPTIONS = {"s3_endpoint_url": "http://127.0.0.1:9", "s3_access_key_id": "key-id",
              "s3_secret_access_key": "key-secret"}


@pytest.fixture(autouse=True)
def _no_s3_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ENDPOINT_URL", "REGION", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY"):
        monkeypatch.delenv(f"CAREATLAS_S3_{name}", raising=False)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lake = Lake(str(tmp_path / "lake"))
    lake.put_bytes("k/object.bin", b"old version")
    return lake


def _left_on_disk(lake: Lake) -> list[str]:
    """Every file in the lake's folder, temporary ones included (``list`` hides those)."""
    return sorted(Path(d, f).relative_to(lake.path).as_posix() for d, _, files in os.walk(lake.path) for f in files)


def _failing_writer(lake: Lake) -> None:
    with lake.writer("k/object.bin") as out:
        out.write(b"new ver")
        raise RuntimeError("the source broke")


def _failing_staged_file(lake: Lake) -> None:
    with lake.staged_file("k/object.bin") as path:
        path.write_bytes(b"new version")
        raise RuntimeError("the sink broke")


def _failing_put_file(lake: Lake) -> None:
    lake.put_file("k/object.bin", lake.path / "no-such-source.bin")


def _refused_create(lake: Lake) -> None:
    def refuse() -> None:
        raise ValueError("checksum differs")

    lake.create("k/other.bin", io.BytesIO(b"staged"), verify=refuse)


@pytest.mark.parametrize("rewrite", [_failing_writer, _failing_staged_file, _failing_put_file, _refused_create])
def test_a_failed_write_keeps_the_old_object_and_leaves_no_temporary_file(lake: Lake, rewrite) -> None:
    with pytest.raises((RuntimeError, FileNotFoundError, ValueError)):
        rewrite(lake)
    assert lake.read_bytes("k/object.bin") == b"old version"
    assert _left_on_disk(lake) == ["k/object.bin"]


def test_create_never_replaces_an_existing_local_object(lake: Lake) -> None:
    assert lake.create("k/object.bin", io.BytesIO(b"new version")) is False
    assert lake.read_bytes("k/object.bin") == b"old version" and _left_on_disk(lake) == ["k/object.bin"]


def test_create_loses_a_local_race_to_a_concurrent_writer_without_error(lake: Lake) -> None:
    """The key appears after the existence check, while ours is staged (``verify`` plays the other
    writer): the other writer's object stays, whole."""
    def other_writer_first() -> None:
        lake.put_bytes("k/raw.bin", b"theirs")

    assert lake.create("k/raw.bin", io.BytesIO(b"mine"), verify=other_writer_first) is False
    assert lake.read_bytes("k/raw.bin") == b"theirs" and _left_on_disk(lake) == ["k/object.bin", "k/raw.bin"]


def test_open_lake_takes_the_settings_lake_unless_told(tmp_path: Path) -> None:
    settings = Settings(lake=str(tmp_path / "configured"))
    assert open_lake(settings=settings).root == str(tmp_path / "configured")
    assert open_lake(str(tmp_path / "other"), settings).root == str(tmp_path / "other")


# ---------------------------------------------------------------------- S3 answers -> lake errors
@pytest.fixture
def s3() -> Lake:
    return Lake("s3://bucket/lake", Settings(**S3_OPTIONS))


@pytest.mark.parametrize(("code", "status", "error"), [
    ("NoSuchKey", 404, LakeKeyNotFound),
    ("404", 404, LakeKeyNotFound),
    ("NoSuchBucket", 404, LakeError),
    ("AccessDenied", 403, LakeError),
    ("SlowDown", 503, LakeUnavailable),
    ("ServiceUnavailable", 503, LakeUnavailable),
    ("InternalError", 500, LakeUnavailable),
    ("TooManyRequests", 429, LakeUnavailable),
    ("RequestTimeout", 400, LakeUnavailable),
])
def test_s3_errors_become_lake_errors_retryable_only_when_retrying_helps(
        s3: Lake, code: str, status: int, error: type[LakeError]) -> None:
    with Stubber(s3._s3) as stub:
        stub.add_client_error("get_object", service_error_code=code, http_status_code=status)
        with pytest.raises(LakeError, match=r"s3://bucket/lake/k/object\.bin|bucket 'bucket'") as raised:
            s3.read_bytes("k/object.bin")
    assert type(raised.value) is error


def test_exists_is_false_only_for_a_missing_key(s3: Lake) -> None:
    with Stubber(s3._s3) as stub:
        stub.add_client_error("head_object", service_error_code="404", http_status_code=404)
        stub.add_client_error("head_object", service_error_code="403", http_status_code=403)
        assert s3.exists("k/object.bin") is False
        with pytest.raises(LakeError, match="S3 refused") as raised:
            s3.exists("k/object.bin")
    assert not isinstance(raised.value, LakeUnavailable)


def test_create_loses_a_race_to_a_concurrent_writer_without_error(s3: Lake) -> None:
    """The key appears between the existence check and the conditional PUT: S3 answers 412."""
    with Stubber(s3._s3) as stub:
        stub.add_client_error("head_object", service_error_code="404", http_status_code=404)
        stub.add_client_error("put_object", service_error_code="PreconditionFailed", http_status_code=412,
                              expected_params={"Bucket": "bucket", "Key": "lake/k/raw.bin", "Body": b"mine",
                                               "IfNoneMatch": "*"})
        assert s3.create("k/raw.bin", io.BytesIO(b"mine")) is False
        stub.assert_no_pending_responses()


def test_a_conditional_write_conflict_is_lake_exists(s3: Lake) -> None:
    with Stubber(s3._s3) as stub:
        stub.add_client_error("put_object", service_error_code="ConditionalRequestConflict", http_status_code=409)
        with pytest.raises(LakeExists, match="already exists"):
            s3.put_bytes("k/object.bin", b"x")


# ---------------------------------------------------------------------- Polars
def test_a_local_lake_gives_polars_no_storage_options(lake: Lake) -> None:
    assert lake.polars_storage_options() is None


@pytest.mark.parametrize(("options", "expected"), [
    (S3_OPTIONS, {"aws_region": "us-east-1", "aws_endpoint_url": "http://127.0.0.1:9", "aws_allow_http": "true",
                   "aws_access_key_id": "key-id", "aws_secret_access_key": "key-secret"}),
    ({"s3_endpoint_url": "https://minio.example", "s3_region": "eu-west-1"},
     {"aws_region": "eu-west-1", "aws_endpoint_url": "https://minio.example", "aws_allow_http": "false"}),
    ({"s3_access_key_id": "key-id"}, {"aws_region": "us-east-1"}),  # half a key pair: the default chain
])
def test_s3_storage_options_carry_the_endpoint_and_only_a_whole_key_pair(options: dict, expected: dict) -> None:
    assert Lake("s3://bucket/lake", Settings(**options)).polars_storage_options() == expected
