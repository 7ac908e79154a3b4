"""Landing source files in the lake's raw zone: named, checksummed, immutable.

Shared by the CLI (``careatlas land``) and the ingest worker, so the CLI never imports worker
code. Raw files are written once: landing the same bytes again is a no-op, landing different
bytes under the same name is refused.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

import structlog

from careatlas.shared import layout
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
        raise LandingError(f"{source}: expected one npidata_pfile_*.csv member, found {len(names)} (members: {listing})")
    return names[0]


def sha256_of(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while block := handle.read(STREAM_PIECE):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


def land(lake: Lake, source: Path, release: str) -> tuple[str, str, int]:
    """Copy ``source`` into ``raw/nppes/release=<date>/`` once; raw files are never overwritten."""
    if not source.is_file():
        raise LandingError(f"{source}: no such file")
    with open(source, "rb") as handle:
        sha, size = sha256_of(handle)
    key = layout.raw_file("nppes", release, source.name)
    checksum_key = layout.raw_checksum(key)
    if lake.exists(checksum_key):
        landed = lake.read_json(checksum_key)
        if landed["sha256"] != sha:
            raise LandingError(
                f"{source}: {lake.uri(key)} already holds a different file (sha256 {landed['sha256'][:12]}…); "
                "raw files are immutable: land the new file under its own release or name"
            )
        return key, sha, size
    lake.put_file(key, source)
    lake.write_json(checksum_key, {"sha256": sha, "bytes": size, "source": source.name,
                                   "landed_at": datetime.now(UTC).isoformat()})
    log.info("raw file landed", key=key, bytes=size, sha256=sha)
    return key, sha, size


def resolve_release(name: str, release: str | date | None, kind: str | None) -> tuple[str, str]:
    named_kind, named_release = identify(name)
    chosen = str(release) if release else named_release
    if not chosen:
        raise LandingError(f"{name}: cannot tell the release date from the file name; pass --release YYYY-MM-DD")
    return (kind or named_kind or "full"), layout.check_release(chosen)


def peek_name(path: Path) -> str:
    """The name that tells release and kind: a zip's npidata member, else the file's own name."""
    if path.suffix.lower() == ".zip" and path.is_file():
        try:
            with zipfile.ZipFile(path) as archive:
                return Path(npidata_member(archive, source=str(path))).name
        except zipfile.BadZipFile:
            raise LandingError(f"{path}: not a readable zip archive") from None
    return path.name[:-3] if path.name.lower().endswith(".gz") else path.name
