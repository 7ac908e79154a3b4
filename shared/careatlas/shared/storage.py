"""The lake: one interface over a local folder (the embedded default) and S3 (MinIO, moto, AWS).

Keys are '/'-separated paths relative to the lake root. Every write is atomic: a reader sees the
old object or the whole new one, never half a file (local: temp file + rename in the same
folder; S3: one PUT or a completed multipart upload, aborted on error).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from careatlas.shared.settings import Settings, get_settings

MULTIPART_BYTES = 64 * 1024 * 1024
_TMP_PREFIX = ".tmp-"


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

    def __init__(self, root: str, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.root = root.rstrip("/") if root != "/" else root
        self.is_s3 = root.startswith("s3://")
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

    def uri(self, key: str = "") -> str:
        """Where Polars and DuckDB find ``key``: ``s3://bucket/...`` or an absolute path."""
        if self.is_s3:
            return f"s3://{self.bucket}/{self._s3_key(key)}".rstrip("/")
        return str(self._local(key)).rstrip("/")

    # ------------------------------------------------------------------ reads
    def exists(self, key: str) -> bool:
        if not self.is_s3:
            return self._local(key).is_file()
        with _s3_errors(self, key, missing_ok=True) as missing:
            self._s3.head_object(Bucket=self.bucket, Key=self._s3_key(key))
        return not missing

    def size(self, key: str) -> int:
        if not self.is_s3:
            try:
                return self._local(key).stat().st_size
            except FileNotFoundError:
                raise LakeKeyNotFound(f"{self.uri(key)} does not exist") from None
        with _s3_errors(self, key):
            return self._s3.head_object(Bucket=self.bucket, Key=self._s3_key(key))["ContentLength"]

    def read_bytes(self, key: str, start: int | None = None, end: int | None = None) -> bytes:
        """Bytes ``[start, end)`` of an object (a ranged GET on S3); the whole object by default."""
        if not self.is_s3:
            try:
                with open(self._local(key), "rb") as handle:
                    handle.seek(start or 0)
                    return handle.read(-1 if end is None else end - (start or 0))
            except FileNotFoundError:
                raise LakeKeyNotFound(f"{self.uri(key)} does not exist") from None
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self._s3_key(key)}
        if start is not None or end is not None:
            if end is not None and end <= (start or 0):
                return b""
            kwargs["Range"] = f"bytes={start or 0}-{'' if end is None else end - 1}"
        with _s3_errors(self, key):
            return self._s3.get_object(**kwargs)["Body"].read()

    def read_json(self, key: str) -> Any:
        return json.loads(self.read_bytes(key))

    def open(self, key: str) -> IO[bytes]:
        """A seekable binary reader (ranged GETs on S3), e.g. for ``zipfile`` on a remote zip."""
        if not self.is_s3:
            try:
                return open(self._local(key), "rb")
            except FileNotFoundError:
                raise LakeKeyNotFound(f"{self.uri(key)} does not exist") from None
        return io.BufferedReader(_S3RangeReader(self, key), buffer_size=8 * 1024 * 1024)

    def list(self, prefix: str = "") -> list[str]:
        """Keys below ``prefix`` (recursive, sorted), without in-flight temporary files."""
        if not self.is_s3:
            base = self._local(prefix)
            if base.is_file():
                return [prefix]
            if not base.is_dir():
                return []
            keys = [
                str(Path(dirpath, name).relative_to(self.path))
                for dirpath, _dirs, files in os.walk(base)
                for name in files
                if not name.startswith(_TMP_PREFIX)
            ]
            return sorted(keys)
        keys: list[str] = []
        full_prefix = self._s3_key(prefix)
        strip = len(self.prefix) + 1 if self.prefix else 0
        with _s3_errors(self, prefix):
            for page in self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=full_prefix
            ):
                keys.extend(item["Key"][strip:] for item in page.get("Contents", []))
        return sorted(keys)

    # ------------------------------------------------------------------ writes
    def put_bytes(self, key: str, data: bytes) -> None:
        if not self.is_s3:
            with self._local_atomic(key) as tmp:
                tmp.write_bytes(data)
            return
        with _s3_errors(self, key):
            self._s3.put_object(Bucket=self.bucket, Key=self._s3_key(key), Body=data)

    def write_json(self, key: str, value: Any) -> None:
        self.put_bytes(key, json.dumps(value, indent=2, sort_keys=True, default=str).encode())

    def put_file(self, key: str, path: Path) -> None:
        """Publish a local file under ``key`` (multipart upload on S3, rename/copy locally)."""
        if not self.is_s3:
            with self._local_atomic(key) as tmp:
                shutil.copyfile(path, tmp)
            return
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=MULTIPART_BYTES, multipart_chunksize=MULTIPART_BYTES)
        with _s3_errors(self, key):
            self._s3.upload_file(str(path), self.bucket, self._s3_key(key), Config=config)

    @contextlib.contextmanager
    def staged_file(self, key: str, suffix: str = "") -> Iterator[Path]:
        """Yield a local path to write (e.g. a Polars sink); publish it to ``key`` on success only."""
        if not self.is_s3:
            with self._local_atomic(key) as tmp:
                yield tmp
            return
        with tempfile.TemporaryDirectory(prefix="careatlas-") as folder:
            path = Path(folder) / f"staged{suffix}"
            yield path
            self.put_file(key, path)

    @contextlib.contextmanager
    def writer(self, key: str) -> Iterator[IO[bytes]]:
        """A streaming binary writer: multipart upload on S3, committed only if the block succeeds."""
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

    def create(self, key: str, source: IO[bytes], verify: Callable[[], None] | None = None) -> bool:
        """Write ``source`` to ``key`` only if ``key`` does not exist; False (nothing written) if it
        does, also when a concurrent writer got there first. ``verify`` runs once every byte is
        staged and before the commit: raising in it aborts. Local: a temp file linked in place
        (``os.link`` fails on an existing name); S3: ``IfNoneMatch='*'`` on the PUT or the
        multipart completion (AWS S3, MinIO and moto refuse it with 412 when the key exists)."""
        if self.exists(key):
            return False
        if not self.is_s3:
            target = self._local(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{_TMP_PREFIX}{uuid.uuid4().hex}-{target.name}")
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

    def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        if not self.is_s3:
            for key in keys:
                self._local(key).unlink(missing_ok=True)
            return
        with _s3_errors(self, keys[0]):
            for start in range(0, len(keys), 1000):
                batch = [{"Key": self._s3_key(k)} for k in keys[start : start + 1000]]
                self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def delete_prefix(self, prefix: str) -> int:
        keys = self.list(prefix)
        self.delete(keys)
        if not self.is_s3 and self._local(prefix).is_dir():
            shutil.rmtree(self._local(prefix), ignore_errors=True)
        return len(keys)

    @contextlib.contextmanager
    def _local_atomic(self, key: str) -> Iterator[Path]:
        target = self._local(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{_TMP_PREFIX}{uuid.uuid4().hex}-{target.name}")
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
def _s3_client(settings: Settings):
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

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._pos >= self._size:
            return 0
        end = min(self._size, self._pos + len(buffer))
        data = self._lake.read_bytes(self._key, self._pos, end)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


class _MultipartWriter(io.RawIOBase):
    """Buffers ``MULTIPART_BYTES`` at a time and uploads each as one part."""

    def __init__(self, lake: Lake, key: str, if_none_match: bool = False) -> None:
        # the full S3 key for the API calls; the lake key for error messages (_s3_errors prefixes it)
        self._lake, self._name, self._key = lake, key, lake._s3_key(key)
        self._condition = {"IfNoneMatch": "*"} if if_none_match else {}
        self._buffer = bytearray()
        self._parts: list[dict] = []
        self._upload_id: str | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self._buffer.extend(data)
        if len(self._buffer) >= MULTIPART_BYTES:
            self._flush_part()
        return len(data)

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
