"""Landing source files in the lake's raw zone: named, checksummed, immutable.

Shared by the CLI (``careatlas land``) and the ingest worker, so the CLI never imports worker
code. Raw files are written once: landing the same bytes again is a no-op, landing different
bytes under the same name is refused.

An NPPES file is read whole before its raw name is taken (nppes_file.check_file: header, archive
integrity with CRCs, the member, a record-boundary scan), so a wrong or corrupt file never takes a
release's raw name. A plain CSV or .gz is read once: the copy to the raw name's staging object
hashes each piece and hands it to the check in a second thread (``passthrough.CheckedCopy``). A
zip is checked member by member beside a hashing read, then copied, and the copy's hash must
match. Either way the raw object is committed only if absent (``Lake.create``: O_EXCL-style
link locally, ``IfNoneMatch='*'`` on S3) and only after the check has passed, so two
concurrent lands of different bytes cannot both win, a failed check leaves nothing, and the
``.sha256.json`` always describes the bytes beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import tempfile
import weakref
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

import structlog

from careatlas.nppes import file as nppes_file
from careatlas.nppes import passthrough
from careatlas.shared import fetch, layout
from careatlas.shared.documents import RawChecksum
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)
STREAM_PIECE = 8 * 1024 * 1024


class LandingError(ValueError):
    """The file cannot be landed: the message names it and says why."""


_FULL_MEMBER = re.compile(r"npidata_pfile_(\d{8})-(\d{8})(?!_fileheader)\.csv$", re.IGNORECASE)
_WEEKLY_ZIP = re.compile(r"_(\d{6})_(\d{6})_Weekly", re.IGNORECASE)
_CMS_EPOCH = "20050523"  # monthly files cover 2005-05-23 to the release date
# the companion files of a release: other names, secondary practice locations, endpoints
_COMPANION_MEMBER = re.compile(r"(othername|pl|endpoint)_pfile_(\d{8})-(\d{8})(?!_fileheader)\.csv$", re.IGNORECASE)


def identify(name: str) -> tuple[str | None, str | None]:
    """(kind, release) from a CMS file name, where the name says; (None, None) otherwise."""
    base = Path(name).name
    if match := (_FULL_MEMBER.search(base) or _COMPANION_MEMBER.search(base)):
        start, end = match.groups()[-2:]
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


def companion_dataset(name: str) -> str | None:
    """``pl`` / ``othername`` / ``endpoint`` for a companion file's name, else None."""
    match = _COMPANION_MEMBER.search(Path(name[:-3] if name.lower().endswith(".gz") else name).name)
    return match.group(1).lower() if match else None


def companion_member(archive: zipfile.ZipFile, dataset: str, *, source: str) -> str | None:
    """The zip member of companion ``dataset`` (None when the archive has none; two is an error)."""
    names = [n for n in archive.namelist() if companion_dataset(n) == dataset]
    if len(names) > 1:
        raise LandingError(f"{source}: expected at most one {dataset}_pfile_*.csv member, found {names}")
    return names[0] if names else None


def sha256_of(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while block := handle.read(STREAM_PIECE):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


@dataclass
class SourceFile:
    """A file to land: a local path, an object in some S3 bucket, or a downloaded URL. ``uri`` is
    what records and messages show: a URL without its query string."""

    name: str
    uri: str
    open: Callable[[], IO[bytes]]
    local_path: Path | None = None
    _finalizer: Callable[[], None] | None = field(default=None, repr=False)

    def close(self) -> None:
        """Remove a temporary download (also done when the object is collected or at exit)."""
        if self._finalizer:
            self._finalizer()

    def __enter__(self) -> SourceFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


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


def weekly_links(page: str, base_url: str) -> list[tuple[str, str]]:
    """Every weekly zip linked from CMS's download page as (release, URL), oldest first; the
    release is the week's end date, as in the npidata member's name. V2 wins over V1."""
    from urllib.parse import urljoin

    found: dict[str, tuple[bool, str]] = {}
    for m in _WEEKLY_LINK.finditer(page):
        end = m[3]  # MMDDYY
        release = f"20{end[4:]}-{end[:2]}-{end[2:4]}"
        found[release] = max(found.get(release, (False, "")), (bool(m[4]), urljoin(base_url, m[1])))
    return sorted((release, url) for release, (_v2, url) in found.items())


def cms_weekly_links(url: str, settings: Settings | None = None) -> list[tuple[str, str]]:
    """``weekly_links`` of the CMS download page at ``url`` (fetched under the fetching rule)."""
    page, final = fetch.fetch_text(url, settings or get_settings())
    return weekly_links(page, final)


def resolve_index(url: str, kind: str | None, settings: Settings | None = None) -> str:
    """A CMS download page (``...NPI_Files.html``) stands for its newest file of ``kind``."""
    if not url.lower().split("?")[0].endswith((".html", ".htm")):
        return url
    page, final = fetch.fetch_text(url, settings or get_settings())
    link = newest_cms_link(page, final, kind or "full")
    if link is None:
        raise LandingError(f"{fetch.display(url)} links no NPPES {kind or 'monthly'} zip: pass the file's URL")
    log.info("newest CMS file found", page=fetch.display(url), link=fetch.display(link))
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
        return _downloaded(resolve_index(uri, kind, settings), settings or get_settings(), download_dir)
    path = Path(uri).expanduser()
    if not path.is_file():
        raise LandingError(f"{path}: no such file")
    return SourceFile(path.name, str(path), lambda: open(path, "rb"), path)


def _downloaded(url: str, settings: Settings, download_dir: Path | None) -> SourceFile:
    """Download under the fetching rule (careatlas.shared.fetch). A download into a temporary
    folder is removed by ``SourceFile.close`` (``land`` calls it), on collection or at exit."""
    folder = download_dir or Path(tempfile.mkdtemp(prefix="careatlas-download-"))
    try:
        got = fetch.download_into(url, folder, settings)
    except BaseException:
        if download_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    file = SourceFile(got.name, got.url, lambda: got.path.open("rb"), got.path)
    if download_dir is None:
        file._finalizer = weakref.finalize(file, shutil.rmtree, folder, True)
    return file


def land(lake: Lake, source: SourceFile, release: str, *, dataset: str = "nppes") -> tuple[str, str, int]:
    """Copy ``source`` into ``raw/<dataset>/release=<date>/`` once; raw files are never overwritten.
    An NPPES file (``dataset="nppes"``) is checked whole before its raw name is committed. A
    temporary download is removed."""
    try:
        return _land(lake, source, release, dataset)
    finally:
        source.close()


def _land(lake: Lake, source: SourceFile, release: str, dataset: str) -> tuple[str, str, int]:
    key = layout.raw_file(dataset, release, source.name)
    checksum_key = layout.raw_checksum(key)
    if lake.exists(checksum_key):
        with source.open() as handle:
            sha, size = sha256_of(handle)
        _same_bytes(lake, key, lake.read_model(checksum_key, RawChecksum).sha256, sha, source)
        return key, sha, size
    zipped = dataset == "nppes" and source.name.lower().endswith(".zip")
    created, copied = (_copy_zip if zipped else _copy_in_one_read)(lake, key, source, dataset)
    if copied is None:  # the name was taken before the copy began: hash the source on its own
        with source.open() as handle:
            copied = sha256_of(handle)[0]
    if not created:  # a concurrent land won, or a crash left the file without its checksum
        with lake.open(key) as landed:
            _same_bytes(lake, key, sha256_of(landed)[0], copied, source)
    size = lake.size(key)
    record = RawChecksum(sha256=copied, bytes=size, source=source.uri, landed_at=datetime.now(UTC).isoformat())
    lake.create(checksum_key, io.BytesIO(json.dumps(record.model_dump(mode="json"), indent=2, sort_keys=True).encode()))
    log.info("raw file landed" if created else "raw file already landed", key=key, bytes=size, sha256=copied)
    return key, copied, size


def _same_bytes(lake: Lake, key: str, landed: str, sha: str, source: SourceFile) -> None:
    if landed != sha:
        raise LandingError(
            f"{source.uri}: {lake.uri(key)} already holds a different file (sha256 {landed[:12]}…); "
            "raw files are immutable: land the new file under its own release or name"
        )


def _copy_in_one_read(lake: Lake, key: str, source: SourceFile, dataset: str) -> tuple[bool, str | None]:
    """A plain CSV or .gz: one read copies the bytes to the raw name's staging object, hashes
    them and checks them (``passthrough.CheckedCopy``); the name is committed once the check
    has passed. (created, sha256 of the bytes read, or None if the name was taken first.)"""
    with source.open() as handle:
        copy = passthrough.CheckedCopy(handle, _check(source, dataset, lake.settings, nppes_file.size_of(handle)))

        def verify() -> None:  # the check's error, if the bytes copied failed it
            copy.finish()

        try:
            created = lake.create(key, copy, verify)
        finally:
            copy.abandon()
    return created, copy.hexdigest() if copy.complete else None


def _copy_zip(lake: Lake, key: str, source: SourceFile, dataset: str) -> tuple[bool, str | None]:
    """A zip is checked by member (``zipfile`` seeks), so not in the copy's read: the check runs
    beside a hashing read, then the copy must hash the same, or nothing is committed."""
    check = _check(source, dataset, lake.settings, None)
    with source.open() as handle, ThreadPoolExecutor(1, thread_name_prefix="landing-check") as pool:
        checked = pool.submit(check, handle)
        with source.open() as hashed:
            expected = sha256_of(hashed)[0]
        checked.result()
    with source.open() as handle:
        written = passthrough.Hashing(handle)

        def verify() -> None:  # the bytes written are the bytes checked, or nothing is committed
            if written.hexdigest() != expected:
                raise LandingError(f"{source.uri} changed while it was being landed; land it again")

        return lake.create(key, written, verify), expected


def _check(source: SourceFile, dataset: str, settings: Settings,
           size: int | None) -> Callable[[nppes_file.BinaryReader], object]:
    """The whole-file check of ``source`` as read from one stream (nothing for other datasets)."""
    if dataset != "nppes":
        return lambda stream: None
    limits = nppes_file.Limits.from_settings(settings)
    kind = companion_dataset(source.name) or "npidata"  # a companion file landed on its own

    def check(stream: nppes_file.BinaryReader) -> nppes_file.FileCheck:
        return nppes_file.check_file(lambda: contextlib.nullcontext(stream), source.name, source.uri, limits,
                                     lambda archive: npidata_member(archive, source=source.uri), kind=kind,
                                     size=size)

    return check


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
