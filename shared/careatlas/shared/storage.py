"""The lake: one interface over a local folder (the embedded default) and S3 (MinIO, moto, AWS).

Keys are '/'-separated paths relative to the lake root. Every write is atomic: a reader sees the
old object or the whole new one, never half a file (local: temp file + rename in the same
folder; S3: one PUT or a completed multipart upload, aborted on error).

Both backends mean the same by every method (tests/integration/shared/test_shared_storage.py runs
one contract suite against each). In particular a prefix is a run of whole key segments:
``list("a/b")`` is ``a/b`` itself and the keys under ``a/b/``, never ``a/bc`` — a folder
listing locally, and on S3 not the raw key prefix it would otherwise be.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from careatlas.shared.settings import Settings, get_settings

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, SupportsRead, WriteableBuffer

MULTIPART_BYTES = 64 * 1024 * 1024
S3_MIN_PART_BYTES = 5 * 1024 * 1024  # S3 refuses smaller parts, except the last one
_TMP_PREFIX = ".tmp-"
_Model = TypeVar("_Model", bound=BaseModel)


class LakeError(Exception):
    """A lake operation failed for a reason retrying will not fix (missing key, bad URI)."""


class LakeKeyNotFound(LakeError):
    pass


class LakeExists(LakeError):
    """A conditional write found the key already there (S3 412 PreconditionFailed / 409)."""


class LakeUnavailable(LakeError):
    """The storage endpoint cannot be reached or is throttling: safe to retry."""


class Lake:
    """A lake rooted at a local folder or ``s3://bucket[/prefix]``."""

    def __init__(self, root: str, settings: Settings | None = None, *, part_bytes: int = MULTIPART_BYTES) -> None:
        """``part_bytes``: the part size of multipart uploads (``writer``, ``put_file``) on S3."""
        self.settings = settings or get_settings()
        self.root = root.rstrip("/") if root != "/" else root
        self.is_s3 = root.startswith("s3://")
        if part_bytes < S3_MIN_PART_BYTES:
            raise LakeError(f"multipart part size {part_bytes} is below S3's minimum of {S3_MIN_PART_BYTES} bytes")
        self.part_bytes = part_bytes
        if "://" in root and not self.is_s3:
            raise LakeError(f"lake URI {root!r}: a lake is a local folder or s3://bucket[/prefix]")
        if self.is_s3:
            bucket, _, prefix = root[len("s3://") :].partition("/")
            if not bucket:
                raise LakeError(f"lake URI {root!r} has no bucket")
            self.bucket, self.prefix = bucket, prefix.strip("/")
            self._s3 = _s3_client(self.settings)
        else:
            self.path = Path(root).expanduser().resolve()

    def __repr__(self) -> str:
        return f"Lake({self.root!r})"

    # ------------------------------------------------------------------ naming
    def _s3_key(self, key: str) -> str:
        _contained(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _local(self, key: str) -> Path:
        return self.path / _contained(key)

    def _key(self, key: str) -> str:
        """An object key as both backends can hold it: whole, relative, no empty, '.' or '..'
        segment (locally those would name another file, or one outside the lake)."""
        if key.startswith(("/", "\\")) or ".." in key.replace("\\", "/").split("/"):
            raise LakeError(f"lake key {key!r} points outside the lake {self.root}")
        if not key or any(part in ("", ".") for part in key.split("/")):
            raise LakeError(f"bad lake key {key!r} in {self.root}: expected segments like 'a/b/c.parquet'")
        return key

    def _prefix(self, prefix: str) -> str:
        """A listing prefix: whole segments, '' for the whole lake (a trailing '/' is allowed)."""
        prefix = prefix.rstrip("/")
        return self._key(prefix) if prefix else ""

    def uri(self, key: str = "") -> str:
        """Where Polars and DuckDB find ``key``: ``s3://bucket/...`` or an absolute path."""
        key = self._prefix(key)
        if self.is_s3:
            return f"s3://{self.bucket}/{self._s3_key(key)}".rstrip("/")
        return str(self._local(key)).rstrip("/")

    # ------------------------------------------------------------------ reads
    def exists(self, key: str) -> bool:
        key = self._key(key)
        if not self.is_s3:
            return self._local(key).is_file()
        with _s3_errors(self, key, missing_ok=True) as missing:
            self._s3.head_object(Bucket=self.bucket, Key=self._s3_key(key))
        return not missing

    def size(self, key: str) -> int:
        key = self._key(key)
        if not self.is_s3:
            with self._local_missing(key):
                if not self._local(key).is_file():
                    raise FileNotFoundError(key)
                return self._local(key).stat().st_size
        with _s3_errors(self, key):
            size: int = self._s3.head_object(Bucket=self.bucket, Key=self._s3_key(key))["ContentLength"]
            return size

    def read_bytes(self, key: str, start: int | None = None, end: int | None = None) -> bytes:
        """Bytes ``[start, end)`` of an object (a ranged GET on S3); the whole object by default.
        A range past the end or empty (``end <= start``) gives ``b""``; a missing key raises."""
        key, first = self._key(key), start or 0
        if end is not None and end <= first:
            self.size(key)  # an empty range of a missing key is still a missing key
            return b""
        if not self.is_s3:
            with self._local_missing(key), open(self._local(key), "rb") as handle:
                handle.seek(first)
                return handle.read(-1 if end is None else end - first)
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self._s3_key(key)}
        if start is not None or end is not None:
            kwargs["Range"] = f"bytes={first}-{'' if end is None else end - 1}"
        from botocore.exceptions import ClientError

        with _s3_errors(self, key):
            try:
                body: bytes = self._s3.get_object(**kwargs)["Body"].read()
                return body
            except ClientError as error:  # a range starting at or past the end (or any range of b"")
                if error.response.get("Error", {}).get("Code") != "InvalidRange":
                    raise
        return b""

    def read_json(self, key: str) -> Any:
        return json.loads(self.read_bytes(key))

    def read_json_or_none(self, key: str) -> Any:
        """A JSON document that may be missing (e.g. dbt's run_results.json), or None."""
        try:
            return self.read_json(key)
        except LakeKeyNotFound:
            return None

    def read_model(self, key: str, model: type[_Model]) -> _Model:
        """A lake document, validated by its model (careatlas.shared.documents)."""
        return model.model_validate(self.read_json(key))

    def read_model_or_none(self, key: str, model: type[_Model]) -> _Model | None:
        """``read_model``, or None when the document is missing (invalid ones still raise)."""
        try:
            return self.read_model(key, model)
        except LakeKeyNotFound:
            return None

    def open(self, key: str) -> IO[bytes]:
        """A seekable binary reader (ranged GETs on S3), e.g. for ``zipfile`` on a remote zip."""
        key = self._key(key)
        if not self.is_s3:
            with self._local_missing(key):
                if not self._local(key).is_file():
                    raise FileNotFoundError(key)
                return open(self._local(key), "rb")
        return io.BufferedReader(_S3RangeReader(self, key), buffer_size=8 * 1024 * 1024)

    def list(self, prefix: str = "") -> list[str]:
        """Keys equal to ``prefix`` or under ``prefix/`` (recursive, sorted), without in-flight
        temporary files: ``list("nppes/npidata")`` never returns ``nppes/npidata_weekly/...``."""
        prefix = self._prefix(prefix)
        if not self.is_s3:
            base = self._local(prefix)
            if base.is_file():
                return [prefix]
            if not base.is_dir():
                return []
            keys = [
                Path(dirpath, name).relative_to(self.path).as_posix()
                for dirpath, _dirs, files in os.walk(base)
                for name in files
                if not name.startswith(_TMP_PREFIX)
            ]
            return sorted(keys)
        s3_base = self._s3_key(prefix) if prefix else self.prefix
        strip = len(self.prefix) + 1 if self.prefix else 0
        found: list[str] = []
        with _s3_errors(self, prefix):
            pages = self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=f"{s3_base}/" if s3_base else ""
            )
            found.extend(item["Key"] for page in pages for item in page.get("Contents", []))
            if prefix:  # the key itself: the first key with that raw prefix, if it is exactly it
                first = self._s3.list_objects_v2(Bucket=self.bucket, Prefix=s3_base, MaxKeys=1).get("Contents", [])
                found.extend(item["Key"] for item in first if item["Key"] == s3_base)
        # folder markers ("a/b/", made by some S3 tools) are not objects of a folder lake
        keys = [k[strip:] for k in found if not k.endswith("/")]
        return sorted(k for k in keys if not k.rsplit("/", 1)[-1].startswith(_TMP_PREFIX))

    # ------------------------------------------------------------------ writes
    def put_bytes(self, key: str, data: bytes) -> None:
        key = self._write_key(key)
        if not self.is_s3:
            with self._local_atomic(key) as tmp:
                tmp.write_bytes(data)
            return
        with _s3_errors(self, key):
            self._s3.put_object(Bucket=self.bucket, Key=self._s3_key(key), Body=data)

    def write_json(self, key: str, value: Any) -> None:
        self.put_bytes(key, json.dumps(value, indent=2, sort_keys=True, default=str).encode())

    def write_model(self, key: str, document: BaseModel) -> None:
        """A lake document written through its model (its JSON form, keys sorted). Documents whose
        writers add fields (``as_dict``: careatlas.shared.documents) are written as they were
        given, without the defaults of fields they were not given."""
        as_dict = getattr(document, "as_dict", None)
        self.write_json(key, as_dict() if callable(as_dict) else document.model_dump(mode="json"))

    def put_file(self, key: str, path: Path) -> None:
        """Publish a local file under ``key`` (multipart upload on S3, rename/copy locally)."""
        key = self._write_key(key)
        if not Path(path).is_file():
            raise FileNotFoundError(f"{path}: no such file to publish as {self.uri(key)}")
        if not self.is_s3:
            with self._local_atomic(key) as tmp:
                shutil.copyfile(path, tmp)
            return
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=self.part_bytes, multipart_chunksize=self.part_bytes)
        with _s3_errors(self, key):
            self._s3.upload_file(str(path), self.bucket, self._s3_key(key), Config=config)

    @contextlib.contextmanager
    def staged_file(self, key: str, suffix: str = "") -> Iterator[Path]:
        """Yield a local path to write (e.g. a Polars sink); publish it to ``key`` on success only."""
        key = self._write_key(key)
        if not self.is_s3:
            with self._local_atomic(key) as tmp:
                yield tmp
            return
        with tempfile.TemporaryDirectory(prefix="careatlas-") as folder:
            path = Path(folder) / f"staged{suffix}"
            yield path
            if not path.exists():
                raise LakeError(f"nothing was written for {self.uri(key)}")
            self.put_file(key, path)

    @contextlib.contextmanager
    def writer(self, key: str) -> Iterator[io.BufferedIOBase | io.RawIOBase]:
        """A streaming binary writer: multipart upload on S3, committed only if the block succeeds."""
        key = self._write_key(key)
        if not self.is_s3:
            with self._local_atomic(key) as tmp, open(tmp, "wb") as handle:
                yield handle
            return
        upload = _MultipartWriter(self, key)
        try:
            yield upload
            upload.complete()
        except BaseException:
            upload.abort()
            raise

    def create(self, key: str, source: SupportsRead[bytes], verify: Callable[[], None] | None = None) -> bool:
        """Write ``source`` to ``key`` only if ``key`` does not exist; False (nothing written) if it
        does, also when a concurrent writer got there first. ``verify`` runs once every byte is
        staged and before the commit: raising in it aborts. Local: a temp file linked in place
        (``os.link`` fails on an existing name); S3: ``IfNoneMatch='*'`` on the PUT or the
        multipart completion (AWS S3, MinIO and moto refuse it with 412 when the key exists)."""
        if self.exists(key):
            return False
        if not self.is_s3:
            target = self._local(key)
            tmp = target.with_name(f"{_TMP_PREFIX}{uuid.uuid4().hex}-{target.name}")
            with _folder_made_for(target):  # a failed landing leaves no trace, not even its folders
                try:
                    with open(tmp, "wb") as out:
                        shutil.copyfileobj(source, out, 8 * 1024 * 1024)
                    if verify:
                        verify()
                    os.link(tmp, target)
                    return True
                except FileExistsError:
                    return False
                finally:
                    tmp.unlink(missing_ok=True)
        upload = _MultipartWriter(self, key, if_none_match=True)
        try:
            shutil.copyfileobj(source, upload, 8 * 1024 * 1024)
            if verify:
                verify()
            upload.complete()
            return True
        except LakeExists:
            upload.abort()
            return False
        except BaseException:
            upload.abort()
            raise

    def delete(self, keys: Sequence[str]) -> None:
        """Delete objects; keys that do not exist are no error."""
        keys = [self._key(k) for k in keys]
        if not keys:
            return
        if not self.is_s3:
            for key in keys:
                with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
                    self._local(key).unlink()
            return
        with _s3_errors(self, keys[0]):
            for start in range(0, len(keys), 1000):
                batch = [{"Key": self._s3_key(k)} for k in keys[start : start + 1000]]
                done = self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
                if errors := done.get("Errors"):  # a 200 answer can still refuse some keys
                    first = errors[0]
                    raise LakeError(f"S3 refused to delete {len(errors)} key(s) of {self.root}, first "
                                    f"{first.get('Key')}: {first.get('Code')} {first.get('Message', '')}".rstrip())

    def delete_prefix(self, prefix: str) -> int:
        """Delete ``prefix`` and every key under it (segments, as ``list``); returns how many."""
        prefix = self._prefix(prefix)
        keys = self.list(prefix)
        self.delete(keys)
        if not self.is_s3 and self._local(prefix).is_dir():
            shutil.rmtree(self._local(prefix), ignore_errors=True)
        return len(keys)

    def _write_key(self, key: str) -> str:
        key = self._key(key)
        if key.rsplit("/", 1)[-1].startswith(_TMP_PREFIX):  # lists hide these: a write would vanish
            raise LakeError(f"bad lake key {key!r}: names starting with {_TMP_PREFIX!r} are the lake's temporary files")
        return key

    @contextlib.contextmanager
    def _local_missing(self, key: str) -> Iterator[None]:
        """Local reads of a missing key (or of a folder, which is no object) raise as S3 does."""
        try:
            yield
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise LakeKeyNotFound(f"{self.uri(key)} does not exist") from None

    @contextlib.contextmanager
    def _local_atomic(self, key: str) -> Iterator[Path]:
        target = self._local(key)
        tmp = target.with_name(f"{_TMP_PREFIX}{uuid.uuid4().hex}-{target.name}")
        with _folder_made_for(target):  # a failed write leaves no folders behind either
            try:
                yield tmp
                if tmp.exists():
                    os.replace(tmp, target)
                else:
                    raise LakeError(f"nothing was written for {self.uri(key)}")
            finally:
                tmp.unlink(missing_ok=True)

    # ------------------------------------------------------------------ engines
    def polars_storage_options(self) -> dict[str, str] | None:
        if not self.is_s3:
            return None
        s = self.settings
        options = {"aws_region": s.s3_region}
        if s.s3_endpoint_url:
            options["aws_endpoint_url"] = s.s3_endpoint_url
            options["aws_allow_http"] = str(s.s3_endpoint_url.startswith("http://")).lower()
        if s.s3_access_key_id and s.s3_secret_access_key:
            options["aws_access_key_id"] = s.s3_access_key_id.get_secret_value()
            options["aws_secret_access_key"] = s.s3_secret_access_key.get_secret_value()
        return options


def _contained(key: str) -> str:
    """Keys stay inside the lake: no absolute keys, no ``..`` segments (a run id of ``..`` once
    made ``runs/../manifest.json`` the lake root's)."""
    if key.startswith(("/", "\\")) or ".." in key.replace("\\", "/").split("/"):
        raise LakeError(f"lake key {key!r} points outside the lake")
    return key


def open_lake(root: str | None = None, settings: Settings | None = None) -> Lake:
    settings = settings or get_settings()
    return Lake(root or settings.lake, settings)


# ---------------------------------------------------------------------- S3 internals
def _s3_client(settings: Settings) -> Any:  # a boto3 S3 client (boto3 ships no types)
    import boto3
    from botocore.config import Config

    creds = {}
    if settings.s3_access_key_id and settings.s3_secret_access_key:
        creds = {
            "aws_access_key_id": settings.s3_access_key_id.get_secret_value(),
            "aws_secret_access_key": settings.s3_secret_access_key.get_secret_value(),
        }
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=5,
        read_timeout=60,
        s3={"addressing_style": "path"},
    )
    return boto3.client(
        "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region, config=config, **creds
    )


class _Missing:
    """Truthy after the guarded block hit a missing key (only with ``missing_ok``)."""

    def __init__(self) -> None:
        self.value = False

    def __bool__(self) -> bool:
        return self.value


@contextlib.contextmanager
def _s3_errors(lake: Lake, key: str, missing_ok: bool = False) -> Iterator[_Missing]:
    from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, EndpointConnectionError

    missing = _Missing()
    where = f"s3://{lake.bucket}/{lake._s3_key(key)}"
    try:
        yield missing
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in ("404", "NoSuchKey", "NotFound"):
            if missing_ok:
                missing.value = True
                return
            raise LakeKeyNotFound(f"{where} does not exist") from None
        if code in ("PreconditionFailed", "ConditionalRequestConflict"):
            raise LakeExists(f"{where} already exists") from None
        if code == "NoSuchBucket":
            raise LakeError(f"bucket {lake.bucket!r} does not exist (lake {lake.root})") from None
        if status == 429 or status >= 500 or code in ("SlowDown", "RequestTimeout"):
            raise LakeUnavailable(f"S3 is throttling or failing ({code}) on {where}") from None
        raise LakeError(f"S3 refused {where}: {code}") from None
    except (EndpointConnectionError, ConnectionError) as error:
        endpoint = lake.settings.s3_endpoint_url or "AWS S3"
        raise LakeUnavailable(f"cannot reach the S3 endpoint {endpoint} for {where}: {error}") from None
    except BotoCoreError as error:
        raise LakeUnavailable(f"S3 call failed on {where}: {error}") from None


@contextlib.contextmanager
def _folder_made_for(target: Path) -> Iterator[None]:
    """Make ``target``'s folder; if the block raises, remove the folders this made, deepest first
    (one that a concurrent writer filled meanwhile stays)."""
    made = [folder for folder in (target.parent, *target.parent.parents) if not folder.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield
    except BaseException:
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


class _S3RangeReader(io.RawIOBase):
    """Seekable read-only view of one S3 object; each ``readinto`` is one ranged GET."""

    def __init__(self, lake: Lake, key: str) -> None:
        self._lake, self._key = lake, key
        self._size = lake.size(key)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: WriteableBuffer) -> int:
        if self._pos >= self._size:
            return 0
        view = memoryview(buffer)
        end = min(self._size, self._pos + len(view))
        data = self._lake.read_bytes(self._key, self._pos, end)
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)


class _MultipartWriter(io.RawIOBase):
    """Buffers the lake's ``part_bytes`` at a time and uploads each as one part."""

    def __init__(self, lake: Lake, key: str, if_none_match: bool = False) -> None:
        # the full S3 key for the API calls; the lake key for error messages (_s3_errors prefixes it)
        self._lake, self._name, self._key = lake, key, lake._s3_key(key)
        self._condition = {"IfNoneMatch": "*"} if if_none_match else {}
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id: str | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        with memoryview(data) as view:
            self._buffer += view
            written = view.nbytes
        if len(self._buffer) >= self._lake.part_bytes:
            self._flush_part()
        return written

    def _flush_part(self) -> None:
        s3, bucket = self._lake._s3, self._lake.bucket
        with _s3_errors(self._lake, self._name):
            if self._upload_id is None:
                self._upload_id = s3.create_multipart_upload(Bucket=bucket, Key=self._key)["UploadId"]
            number = len(self._parts) + 1
            part = s3.upload_part(
                Bucket=bucket, Key=self._key, UploadId=self._upload_id, PartNumber=number, Body=bytes(self._buffer)
            )
        self._parts.append({"PartNumber": number, "ETag": part["ETag"]})
        self._buffer.clear()

    def complete(self) -> None:
        s3, bucket = self._lake._s3, self._lake.bucket
        if self._upload_id is None:  # small object: one PUT
            with _s3_errors(self._lake, self._name):
                s3.put_object(Bucket=bucket, Key=self._key, Body=bytes(self._buffer), **self._condition)
            return
        if self._buffer:
            self._flush_part()
        with _s3_errors(self._lake, self._name):
            s3.complete_multipart_upload(
                Bucket=bucket, Key=self._key, UploadId=self._upload_id, MultipartUpload={"Parts": self._parts},
                **self._condition,
            )

    def abort(self) -> None:
        if self._upload_id is not None:
            with contextlib.suppress(Exception):
                self._lake._s3.abort_multipart_upload(
                    Bucket=self._lake.bucket, Key=self._key, UploadId=self._upload_id
                )
