"""The Lake contract: every public method of ``Lake`` (test_the_suite_calls_every_public_method
checks none is left out), with the same assertions, on a local folder and on a real S3 API
(moto_server), so the two backends cannot drift apart again (on S3, ``list`` once matched raw
key prefixes: ``nppes/npidata`` returned ``nppes/npidata_weekly``).

A few checks look under the interface, at what only one backend has (multipart parts, pending
uploads, folder markers); they say so."""

from __future__ import annotations

import inspect
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import boto3
import polars as pl
import pytest
from pydantic import BaseModel, ValidationError

from careatlas.shared.settings import Settings
from careatlas.shared.storage import S3_MIN_PART_BYTES, Lake, LakeError, LakeKeyNotFound, LakeUnavailable

pytestmark = pytest.mark.integration
MiB = 1024 * 1024


class Backend:
    """A lake plus a way to touch its storage directly, bypassing ``Lake`` (as another tool would)."""

    def __init__(self, name: str, root: str, plant: Callable[[str, bytes], None], s3=None, bucket: str = "") -> None:
        self.name, self.root, self.plant, self.s3, self.bucket = name, root, plant, s3, bucket

    def lake(self, **options) -> Lake:
        return Lake(self.root, Settings(), **options)


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        root = tmp_path / "lake"

        def plant_file(key: str, data: bytes) -> None:
            (root / key).parent.mkdir(parents=True, exist_ok=True)
            (root / key).write_bytes(data)

        return Backend("local", str(root), plant_file)
    env = request.getfixturevalue("s3_env")
    bucket = env["CAREATLAS_LAKE"].removeprefix("s3://").split("/")[0]
    s3 = boto3.client("s3", endpoint_url=env["CAREATLAS_S3_ENDPOINT_URL"], region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing-secret")
    return Backend("s3", env["CAREATLAS_LAKE"], lambda key, data: s3.put_object(
        Bucket=bucket, Key=f"lake/{key}", Body=data), s3, bucket)


@pytest.fixture
def lake(backend: Backend) -> Lake:
    return backend.lake()


# ---------------------------------------------------------------------- reads
def test_exists_and_size(lake: Lake) -> None:
    lake.put_bytes("a/b/one.bin", b"0123456789")
    lake.put_bytes("a/empty.bin", b"")
    assert lake.exists("a/b/one.bin") and lake.exists("a/empty.bin")
    assert not lake.exists("a/three.bin")
    assert not lake.exists("a/b")  # a folder (local) or a shared prefix (S3) is no object
    assert (lake.size("a/b/one.bin"), lake.size("a/empty.bin")) == (10, 0)
    for missing in ("a/three.bin", "a/b", "a/b/one.bin/deeper"):
        with pytest.raises(LakeKeyNotFound, match=missing.replace(".", r"\.")):
            lake.size(missing)


def test_read_bytes_whole_ranged_and_empty_ranges(lake: Lake) -> None:
    lake.put_bytes("r/one.bin", b"0123456789")
    lake.put_bytes("r/empty.bin", b"")
    assert lake.read_bytes("r/one.bin") == b"0123456789"
    assert lake.read_bytes("r/one.bin", 2, 5) == b"234"
    assert lake.read_bytes("r/one.bin", 8) == b"89"
    assert lake.read_bytes("r/one.bin", None, 3) == b"012"
    assert lake.read_bytes("r/one.bin", 7, 100) == b"789"  # an end past the object stops at its end
    assert lake.read_bytes("r/one.bin", 10) == b""  # a start at or past the end: nothing
    assert lake.read_bytes("r/one.bin", 25, 30) == b""
    assert lake.read_bytes("r/one.bin", 4, 4) == b"" and lake.read_bytes("r/one.bin", 5, 3) == b""
    assert lake.read_bytes("r/empty.bin") == b"" and lake.read_bytes("r/empty.bin", 0, 10) == b""
    for start, end in ((None, None), (0, 4), (3, 3)):  # even an empty range of a missing key is missing
        with pytest.raises(LakeKeyNotFound, match="nope.bin"):
            lake.read_bytes("r/nope.bin", start, end)


def test_read_json_and_write_json(lake: Lake) -> None:
    lake.write_json("j/value.json", {"b": [1, 2], "a": "é", "when": Path("x")})
    assert lake.read_json("j/value.json") == {"a": "é", "b": [1, 2], "when": "x"}
    assert list(json.loads(lake.read_bytes("j/value.json"))) == ["a", "b", "when"]  # sorted keys
    with pytest.raises(LakeKeyNotFound, match="nope.json"):
        lake.read_json("j/nope.json")
    lake.put_bytes("j/bad.json", b"{not json")
    with pytest.raises(ValueError):
        lake.read_json("j/bad.json")


class _Document(BaseModel):
    name: str
    rows: int


def test_documents_and_missing_documents(lake: Lake) -> None:
    lake.write_model("m/doc.json", _Document(name="é", rows=3))
    assert lake.read_model("m/doc.json", _Document) == _Document(name="é", rows=3)
    assert lake.read_json("m/doc.json") == {"name": "é", "rows": 3}
    assert lake.read_model_or_none("m/doc.json", _Document) == _Document(name="é", rows=3)
    assert lake.read_model_or_none("m/nope.json", _Document) is None
    assert lake.read_json_or_none("m/nope.json") is None and lake.read_json_or_none("m") is None
    assert lake.read_json_or_none("m/doc.json") == {"name": "é", "rows": 3}
    with pytest.raises(LakeKeyNotFound, match=r"nope\.json"):
        lake.read_model("m/nope.json", _Document)
    lake.write_json("m/other.json", {"name": "x"})
    with pytest.raises(ValidationError):  # an invalid document raises, it is not "missing"
        lake.read_model_or_none("m/other.json", _Document)


def test_polars_reads_and_writes_through_the_storage_options(lake: Lake, tmp_path: Path) -> None:
    frame = pl.DataFrame({"npi": ["1234567893"], "rows": [2]})
    frame.write_parquet(tmp_path / "x.parquet")
    lake.put_file("p/x.parquet", tmp_path / "x.parquet")
    options = lake.polars_storage_options()
    assert (options is None) == (not lake.is_s3)
    assert pl.read_parquet(lake.uri("p/x.parquet"), storage_options=options).equals(frame)
    assert pl.scan_parquet([lake.uri("p/x.parquet")], storage_options=options).collect().equals(frame)


def test_the_suite_calls_every_public_method() -> None:
    """A method added to Lake without a contract test here is the drift this suite exists to stop."""
    source = Path(__file__).read_text()
    public = {name for name, _ in inspect.getmembers(Lake, callable) if not name.startswith("_")}
    assert public, "no public methods found"
    assert {name for name in public if f".{name}(" not in source} == set()


def test_open_is_seekable(lake: Lake) -> None:
    lake.put_bytes("o/data.bin", bytes(range(256)) * 4)
    with lake.open("o/data.bin") as handle:
        assert handle.seekable() and handle.readable()
        assert handle.read(3) == b"\x00\x01\x02" and handle.tell() == 3
        handle.seek(-2, io.SEEK_END)
        assert handle.read() == b"\xfe\xff" and handle.read() == b""
        handle.seek(256 + 16)
        assert handle.read(2) == b"\x10\x11"
    with pytest.raises(LakeKeyNotFound, match="nope.bin"):
        lake.open("o/nope.bin")


def test_open_reads_a_zip_in_place(lake: Lake, tmp_path: Path) -> None:
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("inner/data.csv", "a,b\n1,2\n" * 1000)
        zf.writestr("other.txt", "x")
    lake.put_file("raw/x.zip", archive)
    with lake.open("raw/x.zip") as handle, zipfile.ZipFile(handle) as zf:
        assert sorted(zf.namelist()) == ["inner/data.csv", "other.txt"]
        assert zf.read("inner/data.csv").count(b"\n") == 2000


# ---------------------------------------------------------------------- list
def test_list_matches_whole_segments_only(lake: Lake) -> None:
    keys = ["nppes/npidata/release=2024-01-07/_published.json", "nppes/npidata/release=2024-01-07/a.parquet",
            "nppes/npidata_weekly/release=2024-01-14/_published.json", "nppes/npidata-old/x", "nppes/npidata.json",
            "nppes/npidatab", "nppesx/y"]
    for key in keys:
        lake.put_bytes(key, b"x")
    under = ["nppes/npidata/release=2024-01-07/_published.json", "nppes/npidata/release=2024-01-07/a.parquet"]
    assert lake.list("nppes/npidata") == under
    assert lake.list("nppes/npidata/") == under  # a trailing slash means the same
    assert lake.list("nppes/npidata_weekly") == ["nppes/npidata_weekly/release=2024-01-14/_published.json"]
    assert lake.list("nppes/npidata.json") == ["nppes/npidata.json"]  # a key is listed by its own name
    assert lake.list("nppes/npidat") == [] and lake.list("nppes/npidata/release=2024-01") == []
    assert lake.list("nppes") == sorted(k for k in keys if k.startswith("nppes/"))
    assert lake.list() == lake.list("") == sorted(keys)
    assert lake.list("nothing/here") == []


def test_list_is_sorted_and_hides_temporary_files(backend: Backend, lake: Lake) -> None:
    for key in ("t/b.bin", "t/a/z.bin", "t/a.bin", "t/A.bin", "t/a/a.bin"):
        lake.put_bytes(key, b"x")
    backend.plant("t/.tmp-0123abcd-c.bin", b"half")  # an in-flight write of a crashed writer
    assert lake.list("t") == ["t/A.bin", "t/a.bin", "t/a/a.bin", "t/a/z.bin", "t/b.bin"]
    with pytest.raises(LakeError, match="temporary files"):
        lake.put_bytes("t/.tmp-mine", b"x")  # it would be written and never listed


def test_a_lake_lists_only_itself(backend: Backend, lake: Lake) -> None:
    """A sibling whose name starts like the lake's root (lake-old beside lake) is another lake."""
    sibling = Lake(backend.root + "-old", Settings())
    sibling.put_bytes("k/one", b"x")
    lake.put_bytes("k/two", b"x")
    assert lake.list() == ["k/two"] and sibling.list() == ["k/one"]
    assert lake.delete_prefix("k") == 1 and sibling.list() == ["k/one"]


def test_s3_folder_markers_are_not_keys(backend: Backend, lake: Lake) -> None:
    """S3 consoles make 'folder/' objects; a folder lake has no such thing (looks under S3)."""
    if backend.s3 is None:
        pytest.skip("folder markers exist on S3 only")
    backend.plant("m/", b"")
    lake.put_bytes("m/real.bin", b"x")
    assert lake.list("m") == ["m/real.bin"] and lake.list() == ["m/real.bin"]


# ---------------------------------------------------------------------- writes
def test_put_bytes_replaces_whole(lake: Lake) -> None:
    lake.put_bytes("p/file.bin", b"first version, longer")
    lake.put_bytes("p/file.bin", b"second")
    assert lake.read_bytes("p/file.bin") == b"second" and lake.list("p") == ["p/file.bin"]


def test_put_file(lake: Lake, tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(b"payload")
    lake.put_file("f/copy.bin", source)
    assert lake.read_bytes("f/copy.bin") == b"payload"
    with pytest.raises(FileNotFoundError, match="missing.bin"):
        lake.put_file("f/missing.bin", tmp_path / "missing.bin")
    assert lake.list("f") == ["f/copy.bin"]


def test_staged_file_publishes_only_on_success(lake: Lake) -> None:
    with pytest.raises(ValueError), lake.staged_file("s/file.txt") as path:
        path.write_text("half")
        raise ValueError("boom")
    assert not lake.exists("s/file.txt") and lake.list("s") == []
    with lake.staged_file("s/file.txt", suffix=".txt") as path:
        path.write_text("done")
    assert lake.read_bytes("s/file.txt") == b"done"
    with pytest.raises(LakeError, match="nothing was written"), lake.staged_file("s/never.txt"):
        pass
    assert lake.list("s") == ["s/file.txt"]


def test_streaming_writer_commits_only_on_success(lake: Lake) -> None:
    with pytest.raises(RuntimeError), lake.writer("w/partial.bin") as out:
        out.write(b"half")
        raise RuntimeError("boom")
    assert not lake.exists("w/partial.bin") and lake.list("w") == []
    with lake.writer("w/whole.bin") as out:
        for _ in range(3):
            out.write(b"abc")
        out.write(memoryview(b"def"))
    assert lake.read_bytes("w/whole.bin") == b"abcabcabcdef"
    with lake.writer("w/empty.bin"):
        pass
    assert lake.read_bytes("w/empty.bin") == b""


def _pieces(total: int, piece: int = MiB) -> list[bytes]:
    return [bytes([n % 251]) * min(piece, total - start) for n, start in enumerate(range(0, total, piece))]


def _parts_of(backend: Backend, key: str) -> int | None:
    """How many parts the S3 object was uploaded in (its ETag says, '<md5>-<parts>'); looks under S3."""
    etag = backend.s3.head_object(Bucket=backend.bucket, Key=f"lake/{key}")["ETag"].strip('"')
    return int(etag.split("-")[1]) if "-" in etag else 1


def test_writer_uploads_several_parts(backend: Backend, tmp_path: Path) -> None:
    lake = backend.lake(part_bytes=S3_MIN_PART_BYTES)
    pieces = _pieces(2 * S3_MIN_PART_BYTES + MiB + 7)
    with lake.writer("big/written.bin") as out:
        for piece in pieces:
            out.write(piece)
    assert lake.read_bytes("big/written.bin") == b"".join(pieces)
    assert lake.size("big/written.bin") == sum(map(len, pieces))
    source = tmp_path / "big.bin"
    source.write_bytes(b"".join(pieces))
    lake.put_file("big/put.bin", source)
    assert lake.read_bytes("big/put.bin", S3_MIN_PART_BYTES - 2, S3_MIN_PART_BYTES + 2) == source.read_bytes()[
        S3_MIN_PART_BYTES - 2 : S3_MIN_PART_BYTES + 2]
    if backend.s3 is not None:
        assert (_parts_of(backend, "big/written.bin"), _parts_of(backend, "big/put.bin")) == (3, 3)


def test_a_failed_multipart_write_leaves_nothing(backend: Backend) -> None:
    lake = backend.lake(part_bytes=S3_MIN_PART_BYTES)
    with pytest.raises(RuntimeError), lake.writer("big/failed.bin") as out:
        for piece in _pieces(S3_MIN_PART_BYTES + MiB):  # one part is uploaded before the failure
            out.write(piece)
        raise RuntimeError("the source broke")
    assert not lake.exists("big/failed.bin") and lake.list() == []
    if backend.s3 is not None:  # the upload was aborted, so S3 keeps (and bills) no parts
        assert backend.s3.list_multipart_uploads(Bucket=backend.bucket).get("Uploads", []) == []


def _s3_only(backend: Backend) -> None:
    if backend.s3 is None:
        pytest.skip("multipart uploads exist on S3 only")


def _pending_uploads(backend: Backend) -> list[str]:
    """Multipart uploads S3 still keeps (and bills) for the bucket; looks under S3."""
    return [u["Key"] for u in backend.s3.list_multipart_uploads(Bucket=backend.bucket).get("Uploads", [])]


def test_a_connection_lost_mid_upload_is_retryable_and_leaves_no_upload(backend: Backend,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """S3 itself fails on the second part (not the caller): the error is LakeUnavailable, and the
    parts already uploaded are aborted."""
    from botocore.exceptions import EndpointConnectionError

    _s3_only(backend)
    lake = backend.lake(part_bytes=S3_MIN_PART_BYTES)
    upload_part, sent = lake._s3.upload_part, []

    def drops_on_the_second_part(**kwargs):
        sent.append(kwargs["PartNumber"])
        if kwargs["PartNumber"] == 2:
            raise EndpointConnectionError(endpoint_url="http://s3.invalid")
        return upload_part(**kwargs)

    monkeypatch.setattr(lake._s3, "upload_part", drops_on_the_second_part)
    with pytest.raises(LakeUnavailable, match="big/dropped.bin"), lake.writer("big/dropped.bin") as out:
        for piece in _pieces(3 * S3_MIN_PART_BYTES):
            out.write(piece)
    assert sent == [1, 2]
    assert not lake.exists("big/dropped.bin") and _pending_uploads(backend) == []


def test_a_refused_multipart_create_leaves_no_upload(backend: Backend) -> None:
    _s3_only(backend)
    lake = backend.lake(part_bytes=S3_MIN_PART_BYTES)

    def refuse() -> None:
        raise ValueError("checksum differs")

    with pytest.raises(ValueError, match="checksum differs"):
        lake.create("c/refused.bin", io.BytesIO(b"".join(_pieces(2 * S3_MIN_PART_BYTES + 1))), verify=refuse)
    assert not lake.exists("c/refused.bin") and _pending_uploads(backend) == []


def test_a_multipart_create_loses_a_race_cleanly(backend: Backend) -> None:
    """Another writer completes the key while ours is being uploaded: the conditional completion
    (IfNoneMatch) refuses ours, the other object stays whole and no upload is left behind."""
    _s3_only(backend)
    lake = backend.lake(part_bytes=S3_MIN_PART_BYTES)
    big = b"".join(_pieces(S3_MIN_PART_BYTES + MiB))
    assert lake.create("c/raced.bin", io.BytesIO(big), verify=lambda: backend.plant("c/raced.bin", b"theirs")) is False
    assert lake.read_bytes("c/raced.bin") == b"theirs" and _pending_uploads(backend) == []


def test_part_size_below_the_s3_minimum_is_refused(backend: Backend) -> None:
    with pytest.raises(LakeError, match="below S3's minimum"):
        backend.lake(part_bytes=S3_MIN_PART_BYTES - 1)


def test_create_writes_only_if_absent(backend: Backend) -> None:
    """The raw zone's conditional create: a second writer of a key writes nothing."""
    lake = backend.lake(part_bytes=S3_MIN_PART_BYTES)
    assert lake.create("c/raw.bin", io.BytesIO(b"first")) is True
    assert lake.create("c/raw.bin", io.BytesIO(b"second")) is False
    assert lake.read_bytes("c/raw.bin") == b"first"

    def refuse() -> None:
        raise ValueError("checksum differs")

    with pytest.raises(ValueError, match="checksum differs"):
        lake.create("c/refused.bin", io.BytesIO(b"x"), verify=refuse)
    big = b"".join(_pieces(S3_MIN_PART_BYTES + MiB))  # the multipart path
    assert lake.create("c/big.bin", io.BytesIO(big)) is True and lake.create("c/big.bin", io.BytesIO(b"")) is False
    assert lake.size("c/big.bin") == len(big)
    assert lake.list("c") == ["c/big.bin", "c/raw.bin"]  # no temporary file, nothing refused


def test_a_refused_create_leaves_no_folder(backend: Backend) -> None:
    """A landing that fails its check leaves no trace: no object, and (local) not the folders the
    create made for it; a folder that already held something stays."""
    lake = backend.lake(part_bytes=S3_MIN_PART_BYTES)
    lake.put_bytes("kept/other.bin", b"x")

    def refuse() -> None:
        raise ValueError("not an NPPES file")

    for key in ("new/a/b/refused.bin", "kept/refused.bin"):
        with pytest.raises(ValueError, match="not an NPPES file"):
            lake.create(key, io.BytesIO(b"x"), verify=refuse)
    assert lake.list() == ["kept/other.bin"]
    if backend.s3 is None:  # S3 has no folders to leave behind
        assert not (Path(backend.root) / "new").exists() and (Path(backend.root) / "kept").is_dir()


def test_a_failed_write_leaves_no_folder(backend: Backend) -> None:
    """A streaming write or a staged file that fails publishes nothing and (local) leaves none of
    the folders made for it."""
    lake = backend.lake()
    with pytest.raises(RuntimeError, match="disk gone"), lake.writer("new/a/b/written.bin") as out:
        out.write(b"x")
        raise RuntimeError("disk gone")
    with pytest.raises(LakeError, match="nothing was written"), lake.staged_file("new/c/staged.parquet"):
        pass
    assert lake.list() == []
    if backend.s3 is None:
        assert not (Path(backend.root) / "new").exists()


# ---------------------------------------------------------------------- delete
def test_delete(lake: Lake) -> None:
    for key in ("d/a.bin", "d/b.bin", "d/c/d.bin"):
        lake.put_bytes(key, b"x")
    lake.delete(["d/a.bin", "d/missing.bin", "d/c"])  # missing keys (and folders) are no error
    lake.delete([])
    assert lake.list("d") == ["d/b.bin", "d/c/d.bin"]


def test_delete_prefix_matches_whole_segments(lake: Lake) -> None:
    for key in ("d/0.bin", "d/1.bin", "d/sub/2.bin", "dd/keep.bin", "d.json"):
        lake.put_bytes(key, b"x")
    assert lake.delete_prefix("d") == 3
    assert lake.list("d") == [] and lake.list() == ["d.json", "dd/keep.bin"]
    assert lake.delete_prefix("nothing") == 0
    lake.put_bytes("d/again.bin", b"y")  # the emptied prefix takes writes again
    assert lake.read_bytes("d/again.bin") == b"y"


# ---------------------------------------------------------------------- naming and errors
def test_uri(backend: Backend, lake: Lake, tmp_path: Path) -> None:
    if backend.s3 is None:
        assert lake.uri("a/b.parquet") == str(tmp_path / "lake" / "a" / "b.parquet")
        assert lake.uri() == str(tmp_path / "lake")
    else:
        assert lake.uri("a/b.parquet") == f"s3://{backend.bucket}/lake/a/b.parquet"
        assert lake.uri() == f"s3://{backend.bucket}/lake"
    assert lake.uri("a/") == lake.uri("a")


@pytest.mark.parametrize(("key", "message"), [
    ("", "bad lake key"), ("a//b", "bad lake key"), ("a/./b", "bad lake key"),
    ("/a", "points outside the lake"), ("a/../b", "points outside the lake"), ("../a", "points outside the lake"),
    ("a/..", "points outside the lake"), ("\\\\share\\x", "points outside the lake"),
])
def test_bad_keys_are_refused(lake: Lake, key: str, message: str) -> None:
    calls = [lambda: lake.put_bytes(key, b"x"), lambda: lake.read_bytes(key), lambda: lake.exists(key),
             lambda: lake.delete([key])]
    if key:  # '' is the whole lake to a listing
        calls += [lambda: lake.list(key), lambda: lake.delete_prefix(key)]
    for call in calls:
        with pytest.raises(LakeError, match=message):
            call()
    assert lake.list() == []


@pytest.mark.parametrize("root", ["s3://", "s3:///prefix", "gs://bucket/lake", "https://example.org/lake"])
def test_bad_lake_uri_is_a_lake_error(root: str) -> None:
    with pytest.raises(LakeError, match="lake URI"):
        Lake(root, Settings())


def test_a_missing_bucket_is_a_lake_error_not_a_missing_key(s3_env: dict[str, str]) -> None:
    lake = Lake("s3://no-such-bucket-careatlas/lake", Settings())
    with pytest.raises(LakeError, match="bucket 'no-such-bucket-careatlas' does not exist") as raised:
        lake.read_bytes("a")
    assert not isinstance(raised.value, LakeKeyNotFound)


UNREACHABLE = {
    "exists": lambda lake, path: lake.exists("k"),
    "size": lambda lake, path: lake.size("k"),
    "read_bytes": lambda lake, path: lake.read_bytes("k", 0, 4),
    "read_json": lambda lake, path: lake.read_json("k"),
    "open": lambda lake, path: lake.open("k"),
    "list": lambda lake, path: lake.list("k"),
    "put_bytes": lambda lake, path: lake.put_bytes("k", b"x"),
    "write_json": lambda lake, path: lake.write_json("k", {}),
    "put_file": lambda lake, path: lake.put_file("k", path),
    "writer": lambda lake, path: _streamed(lake),
    "staged_file": lambda lake, path: _staged(lake),
    "delete": lambda lake, path: lake.delete(["k"]),
    "delete_prefix": lambda lake, path: lake.delete_prefix("k"),
}


def _streamed(lake: Lake) -> None:
    with lake.writer("k") as out:
        out.write(b"x")


def _staged(lake: Lake) -> None:
    with lake.staged_file("k") as staged:
        staged.write_bytes(b"x")


@pytest.mark.parametrize("method", sorted(UNREACHABLE))
def test_an_unreachable_endpoint_is_a_clear_retryable_error(method: str, tmp_path: Path) -> None:
    settings = Settings(s3_endpoint_url="http://127.0.0.1:9", s3_access_key_id="k", s3_secret_access_key="s")
    lake = Lake("s3://nowhere/lake", settings, part_bytes=S3_MIN_PART_BYTES)
    (tmp_path / "f").write_bytes(b"x")
    with pytest.raises(LakeUnavailable, match=r"cannot reach the S3 endpoint http://127.0.0.1:9 for s3://nowhere/lake"):
        UNREACHABLE[method](lake, tmp_path / "f")
