"""Landing source files in the lake's raw zone: named, checksummed, immutable.

Shared by the CLI (``careatlas land``) and the ingest worker, so the CLI never imports worker
code. Raw files are written once: landing the same bytes again is a no-op, landing different
bytes under the same name is refused.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

import structlog

from careatlas.shared import layout
from careatlas.shared.settings import Settings
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)
STREAM_PIECE = 8 * 1024 * 1024


class LandingError(ValueError):
    """The file cannot be landed: the message names it and says why."""


_FULL_MEMBER = re.compile(r"npidata_pfile_(\d{8})-(\d{8})(?!_fileheader)\.csv$", re.IGNORECASE)
_WEEKLY_ZIP = re.compile(r"_(\d{6})_(\d{6})_Weekly", re.IGNORECASE)
_CMS_EPOCH = "20050523"  # monthly files cover 2005-05-23 to the release date


def identify(name: str) -> tuple[str | None, str | None]:
    """(kind, release) from a CMS file name, where the name says; (None, None) otherwise."""
    base = Path(name).name
    if match := _FULL_MEMBER.search(base):
        start, end = match.groups()
        kind = "full" if start == _CMS_EPOCH else "weekly"
        return kind, f"{end[:4]}-{end[4:6]}-{end[6:]}"
    if match := _WEEKLY_ZIP.search(base):
        end = match.group(2)
        return "weekly", f"20{end[4:]}-{end[:2]}-{end[2:4]}"
    return None, None


def npidata_member(archive: zipfile.ZipFile, *, source: str) -> str:
    names = [n for n in archive.namelist() if _FULL_MEMBER.search(Path(n).name)]
    if len(names) != 1:
        listing = ", ".join(archive.namelist()[:12]) or "(empty)"
        raise LandingError(
            f"{source}: expected one npidata_pfile_*.csv member, found {len(names)} (members: {listing})"
        )
    return names[0]


def sha256_of(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while block := handle.read(STREAM_PIECE):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


@dataclass
class SourceFile:
    """A file to land: a local path, an object in some S3 bucket, or a downloaded URL."""

    name: str
    uri: str
    open: Callable[[], IO[bytes]]
    local_path: Path | None = None


_WEEKLY_LINK = re.compile(r"""href=["']?([^"' >]*NPPES_Data_Dissemination_(\d{6})_(\d{6})_Weekly(_V2)?\.zip)""", re.I)
_MONTHLY_LINK = re.compile(r"""href=["']?([^"' >]*NPPES_Data_Dissemination_([A-Za-z]+)_(\d{4})(_V2)?\.zip)""", re.I)
_MONTHS = {m: n for n, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}


def newest_cms_link(page: str, base_url: str, kind: str) -> str | None:
    """The newest weekly or monthly zip linked from CMS's NPPES download page (V2 preferred)."""
    from urllib.parse import urljoin

    if kind == "weekly":
        found = [((f"{m[3][4:]}{m[3][:4]}", bool(m[4])), m[1]) for m in _WEEKLY_LINK.finditer(page)]
    else:
        found = [((f"{m[3]}{_MONTHS.get(m[2].lower(), 0):02d}", bool(m[4])), m[1])
                 for m in _MONTHLY_LINK.finditer(page) if m[2].lower() in _MONTHS]
    return urljoin(base_url, max(found)[1]) if found else None


def resolve_index(url: str, kind: str | None) -> str:
    """A CMS download page (``...NPI_Files.html``) stands for its newest file of ``kind``."""
    if not url.lower().split("?")[0].endswith((".html", ".htm")):
        return url
    import httpx

    try:
        page = httpx.get(url, follow_redirects=True, timeout=30).text
    except httpx.HTTPError as error:
        raise LandingError(f"{url}: cannot read the download page: {type(error).__name__}") from None
    link = newest_cms_link(page, url, kind or "full")
    if link is None:
        raise LandingError(f"{url} links no NPPES {kind or 'monthly'} zip: pass the file's URL")
    log.info("newest CMS file found", page=url, link=link)
    return link


def source_file(uri: str, settings: Settings | None = None, download_dir: Path | None = None,
                kind: str | None = None) -> SourceFile:
    if uri.startswith("s3://"):
        bucket, _, key = uri[len("s3://") :].partition("/")
        bucket_lake = Lake(f"s3://{bucket}", settings)
        if not bucket_lake.exists(key):
            raise LandingError(f"{uri}: no such object")
        return SourceFile(Path(key).name, uri, lambda: bucket_lake.open(key))
    if uri.startswith(("http://", "https://")):
        uri = resolve_index(uri, kind)
        path = download(uri, download_dir or Path(tempfile.mkdtemp(prefix="careatlas-download-")))
        return SourceFile(path.name, uri, lambda: open(path, "rb"), path)
    path = Path(uri).expanduser()
    if not path.is_file():
        raise LandingError(f"{path}: no such file")
    return SourceFile(path.name, str(path), lambda: open(path, "rb"), path)


def download(url: str, folder: Path) -> Path:
    """Stream a URL to a local file (bounded memory); the caller lands it from there."""
    import httpx

    target = folder / Path(httpx.URL(url).path).name
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=60) as response:
            response.raise_for_status()
            with open(target, "wb") as out:
                for block in response.iter_bytes(STREAM_PIECE):
                    out.write(block)
    except httpx.HTTPError as error:
        raise LandingError(f"{url}: download failed: {type(error).__name__}") from None
    return target


def land(lake: Lake, source: SourceFile, release: str, *, dataset: str = "nppes") -> tuple[str, str, int]:
    """Copy ``source`` into ``raw/<dataset>/release=<date>/`` once; raw files are never overwritten."""
    key = layout.raw_file(dataset, release, source.name)
    checksum_key = layout.raw_checksum(key)
    if lake.exists(checksum_key):
        with source.open() as handle:
            sha, size = sha256_of(handle)
        landed = lake.read_json(checksum_key)
        if landed["sha256"] != sha:
            raise LandingError(
                f"{source.uri}: {lake.uri(key)} already holds a different file (sha256 {landed['sha256'][:12]}…); "
                "raw files are immutable: land the new file under its own release or name"
            )
        return key, sha, size
    if source.local_path and not lake.is_s3:  # hash, then the kernel's copy: ~4x faster than streaming
        with source.open() as handle:
            sha, size = sha256_of(handle)
        lake.put_file(key, source.local_path)
    else:
        digest, size = hashlib.sha256(), 0
        with source.open() as handle, lake.writer(key) as out:  # one pass: hash while uploading
            while block := handle.read(STREAM_PIECE):
                digest.update(block)
                out.write(block)
                size += len(block)
        sha = digest.hexdigest()
    lake.write_json(checksum_key, {"sha256": sha, "bytes": size, "source": source.uri,
                                   "landed_at": datetime.now(UTC).isoformat()})
    log.info("raw file landed", key=key, bytes=size, sha256=sha)
    return key, sha, size


def resolve_release(name: str, release: str | date | None, kind: str | None) -> tuple[str, str]:
    named_kind, named_release = identify(name)
    chosen = str(release) if release else named_release
    if not chosen:
        raise LandingError(f"{name}: cannot tell the release date from the file name; pass --release YYYY-MM-DD")
    return (kind or named_kind or "full"), layout.check_release(chosen)


def peek_name(source: SourceFile) -> str:
    """The name that tells release and kind: a zip's npidata member, else the file's own name."""
    if source.name.lower().endswith(".zip"):
        try:
            with source.open() as handle, zipfile.ZipFile(handle) as archive:
                return Path(npidata_member(archive, source=source.uri)).name
        except zipfile.BadZipFile:
            raise LandingError(f"{source.uri}: not a readable zip archive") from None
    return source.name[:-3] if source.name.lower().endswith(".gz") else source.name
