"""NPPES files broken in the ways the review found (security.md H3, L1): each written to a path."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

from support import nppes_rows

NAME = "npidata_pfile_20050523-20250407.csv"
ZIP_NAME = "NPPES_Data_Dissemination_April_2025.zip"


def good_csv(rows: int = 120) -> bytes:
    lines = [nppes_rows.header(), *(nppes_rows.line(r) for r in nppes_rows.many(rows))]
    return ("\r\n".join(lines) + "\r\n").encode()


def write_zip(path: Path, data: bytes, method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr(NAME, data)
        archive.writestr("npidata_pfile_20050523-20250407_fileheader.csv", nppes_rows.header())
    return path


def _patch_entry(path: Path, *, flag_bits: int | None = None, method: int | None = None) -> Path:
    """Rewrite the npidata entry's flag bits or method in both its local and central headers."""
    blob = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(NAME)
    central = _central_offset(blob, blob.index(b"PK\x01\x02"))  # CSV text never holds the signature
    for header, flag_at, method_at in ((info.header_offset, 6, 8), (central, 8, 10)):
        if flag_bits is not None:
            blob[header + flag_at : header + flag_at + 2] = flag_bits.to_bytes(2, "little")
        if method is not None:
            blob[header + method_at : header + method_at + 2] = method.to_bytes(2, "little")
    path.write_bytes(bytes(blob))
    return path


def _central_offset(blob: bytearray, first: int) -> int:
    position = first
    while blob[position : position + 4] == b"PK\x01\x02":
        name_len = int.from_bytes(blob[position + 28 : position + 30], "little")
        if bytes(blob[position + 46 : position + 46 + name_len]) == NAME.encode():
            return position
        extra = int.from_bytes(blob[position + 30 : position + 32], "little")
        comment = int.from_bytes(blob[position + 32 : position + 34], "little")
        position += 46 + name_len + extra + comment
    raise AssertionError("entry not found")


def write(kind: str, folder: Path) -> Path:
    """One broken input, named like a CMS file."""
    data = good_csv()
    if kind == "not-nppes":
        path = folder / NAME
        path.write_bytes(b"hello,world\nthis is not nppes\n")
    elif kind == "header-only":
        path = folder / NAME
        path.write_bytes(nppes_rows.header().encode() + b"\r\n")
    elif kind == "gz-truncated":
        blob = gzip.compress(data)
        path = folder / f"{NAME}.gz"
        path.write_bytes(blob[: len(blob) * 3 // 4])
    elif kind == "gz-not-gzip":
        path = folder / f"{NAME}.gz"
        path.write_bytes(data)
    elif kind == "zip-bad-crc":  # the damage lies past the first 64 KiB, where a header probe never looks
        path = write_zip(folder / ZIP_NAME, data, zipfile.ZIP_STORED)
        blob = bytearray(path.read_bytes())
        at = blob.rindex(b"O'Name")
        blob[at] = ord("P")
        path.write_bytes(bytes(blob))
    elif kind == "zip-encrypted":
        path = _patch_entry(write_zip(folder / ZIP_NAME, data), flag_bits=0x1)
    elif kind == "zip-deflate64":
        path = _patch_entry(write_zip(folder / ZIP_NAME, data), method=9)
    elif kind == "zip-not-zip":
        path = folder / ZIP_NAME
        path.write_bytes(b"PK\x03\x04 not really a zip" * 100)
    elif kind == "record-too-long":
        path = folder / NAME
        huge = nppes_rows.line(nppes_rows.provider(7, provider_other_organization_name=" " * (2 * 1024 * 1024)))
        path.write_bytes(data + huge.encode() + b"\r\n")
    else:
        raise ValueError(kind)
    return path


KINDS = {
    "not-nppes": "not an NPPES npidata header",
    "header-only": "has a header but no records",
    "gz-truncated": r"\(gzip\): corrupt or truncated after [\d,]+ decompressed bytes",
    "gz-not-gzip": r"\(gzip\): corrupt or truncated after 0 decompressed bytes: Not a gzipped file",
    "zip-bad-crc": r"!npidata_pfile_20050523-20250407\.csv: corrupt or truncated .*Bad CRC-32",
    "zip-encrypted": r"!npidata_pfile_20050523-20250407\.csv is encrypted",
    "zip-deflate64": r"!npidata_pfile_20050523-20250407\.csv is compressed with Deflate64",
    "zip-not-zip": "not a readable zip archive",
    "record-too-long": r"no record boundary in the 1,048,576 bytes after byte [\d,]+",
}
