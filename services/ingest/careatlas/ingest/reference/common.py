"""What every reference loader shares: getting the source, checking it, landing it with provenance."""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

import polars as pl

from careatlas.ingest.reference import schemas
from careatlas.shared import fetch, layout
from careatlas.shared.documents import ReferenceMetadata
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake

USER_AGENT = fetch.USER_AGENT
# what a damaged or hostile workbook raises from openpyxl's XML and zip reading
_XLSX_ERRORS = (ParseError, SyntaxError, KeyError, ValueError, EOFError, zlib.error, zipfile.BadZipFile)


class ReferenceError(Exception):
    """A source that is not what it should be; the message names the file, row or field."""


class SourceUnavailable(ReferenceError):
    """The source could not be downloaded (network, 5xx): safe to retry."""


@dataclass(frozen=True)
class Source:
    path: Path  # a local copy
    name: str  # the file name, as the source calls it
    origin: str  # what was asked for: a path, s3:// URI or URL (without its query)
    sha256: str


@contextlib.contextmanager
def fetched(source: str, settings: Settings) -> Iterator[Source]:
    """A local copy of a path, ``s3://bucket/key`` or http(s) URL, removed afterwards. URLs follow
    the fetching rule (careatlas.shared.fetch: allowed hosts, https, size and time caps); every
    source is at most ``max_reference_bytes``."""
    if "://" not in source:
        path = Path(source).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{source} does not exist")
        _within_cap(path.stat().st_size, source, settings)
        yield Source(path, path.name, str(path), sha256_file(path))
        return
    parts = urlsplit(source)
    with tempfile.TemporaryDirectory(prefix="careatlas-ref-") as folder:
        if parts.scheme == "s3":
            bucket, key = Lake(f"s3://{parts.netloc}", settings), parts.path.lstrip("/")
            _within_cap(bucket.size(key), source, settings)
            local, name, origin = Path(folder) / (Path(key).name or "download"), Path(key).name, source
            with bucket.open(key) as remote, open(local, "wb") as out:
                shutil.copyfileobj(remote, out, 8 * 1024 * 1024)
        elif parts.scheme in ("http", "https"):
            got = download(source, Path(folder), settings)
            local, name, origin = got.path, got.name, got.url
        else:
            raise ReferenceError(f"cannot read {fetch.display(source)}: use a path, s3:// URI or http(s) URL")
        yield Source(local, name, origin, sha256_file(local))


def download(url: str, folder: Path, settings: Settings) -> fetch.Downloaded:
    """A URL into ``folder`` under the fetching rule, capped at ``max_reference_bytes``."""
    cap = min(settings.fetch_max_bytes, settings.max_reference_bytes)
    capped = settings.model_copy(update={"fetch_max_bytes": cap})
    try:
        return fetch.download_into(url, folder, capped)
    except fetch.FetchUnavailable as error:
        raise SourceUnavailable(str(error)) from None
    except fetch.FetchError as error:
        raise ReferenceError(str(error)) from None


def _within_cap(size: int, source: str, settings: Settings) -> None:
    if size > settings.max_reference_bytes:
        raise ReferenceError(f"{fetch.display(source)}: {size:,} bytes is more than CAREATLAS_MAX_REFERENCE_BYTES "
                             f"({settings.max_reference_bytes:,}): not a reference file")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def check_header(found: list, expected: list[str], *, kind: str, name: str) -> None:
    """Exact names in the exact order; otherwise say what differs and what the file looks like."""
    header = [str(c).strip() if c is not None else "" for c in found]
    if header == expected:
        return
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected and c]
    label = schemas.LABELS.get(kind, kind)
    other = schemas.looks_like(header)
    hint = f"; it looks like a {other} file" if other and other != label else ""
    detail = f"missing {missing}, unexpected {extra}" if missing or extra else f"order {header}"
    raise ReferenceError(f"{name} is not a {label} file: header differs ({detail}){hint}")


def check_pattern(frame: pl.DataFrame, field: str, pattern: str, *, name: str, rule: str, first_row: int) -> None:
    """Every value of ``field`` matches ``pattern``; else name the first offending rows.

    ``first_row`` is the file row of the frame's first row (2 under a one-line header).
    """
    bad = (~frame[field].str.contains(pattern)).fill_null(True)
    if bad.any():
        rows = bad.arg_true()[:3].to_list()
        shown = ", ".join(f"row {r + first_row}: {frame[field][r]!r}" for r in rows)
        raise ReferenceError(f"{name}: {bad.sum()} values of {field} are not {rule} ({shown})")


def check_unique(frame: pl.DataFrame, fields: list[str], *, name: str, first_row: int) -> None:
    repeated = frame.select(fields).is_duplicated()
    if repeated.any():
        rows = repeated.arg_true()[:2].to_list()
        value = frame.row(rows[0], named=True)
        raise ReferenceError(
            f"{name}: {', '.join(fields)} {[value[f] for f in fields]} appears more than once "
            f"(rows {', '.join(str(r + first_row) for r in rows)})"
        )


def text_table(path: Path) -> pl.DataFrame:
    """An xlsx (first sheet, header in row 1) or CSV as text columns named by the header."""
    return xlsx_frame(path) if is_xlsx(path) else text_csv(path)


def is_xlsx(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def check_unpacked_size(path: Path, *, name: str | None = None) -> None:
    """A zip (an xlsx is one) must not unpack to more than ``max_reference_bytes``: the members'
    declared sizes are checked before any is read (zipfile stops a member at its declared size)."""
    cap = get_settings().max_reference_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise ReferenceError(f"{name or path.name} is not a readable zip archive: {error}") from None
    if total > cap:
        raise ReferenceError(f"{name or path.name} unpacks to {total:,} bytes, more than "
                             f"CAREATLAS_MAX_REFERENCE_BYTES ({cap:,}): not a reference file, or a zip bomb")


def xlsx_frame(path: Path) -> pl.DataFrame:
    rows = xlsx_rows(path)
    header = [cell_text(c) or "" for c in next(rows, ())]
    columns: list[list[str | None]] = [[] for _ in header]
    for row in rows:
        if any(cell is not None for cell in row):
            padded = (*row, *[None] * (len(header) - len(row)))
            for column, cell in zip(columns, padded, strict=False):
                column.append(cell_text(cell))
    names = _unique_names(header)
    return pl.DataFrame(dict(zip(names, columns, strict=True)), schema=dict.fromkeys(names, pl.String))


def cell_text(cell: object) -> str | None:
    """A cell as the text a CSV export would hold: 683.0 -> '683', doubles in round-trip form."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    return repr(cell) if isinstance(cell, float) else str(cell).strip()


def _unique_names(header: list[str]) -> list[str]:
    # a wrong file can have blank or repeated header cells; keep them apart for the header check
    seen: dict[str, int] = {}
    names = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


def text_csv(path: Path) -> pl.DataFrame:
    """A CSV as text columns; UTF-8 (BOM or not) and, failing that, Windows-1252 (older NUCC files).
    Read whole, so bounded: at most ``max_reference_bytes``."""
    cap = get_settings().max_reference_bytes
    if path.stat().st_size > cap:
        raise ReferenceError(
            f"{path.name}: more than CAREATLAS_MAX_REFERENCE_BYTES ({cap:,} bytes): not a reference file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        return pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as error:
        raise ReferenceError(f"{path.name} is not a readable CSV: {error}") from None


def xlsx_rows(path: Path, sheet: str | None = None) -> Iterator[tuple]:
    """Rows of the first (or named) sheet as cell values, streamed (openpyxl read-only). A damaged
    or hostile workbook (bad XML, an entity-expansion bomb, a zip bomb) is a ReferenceError."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if zipfile.is_zipfile(path):
        check_unpacked_size(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, *_XLSX_ERRORS) as error:
        raise ReferenceError(f"{path.name} is not an xlsx workbook: {type(error).__name__}: {error}") from None
    try:
        yield from (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
    except _XLSX_ERRORS as error:
        raise ReferenceError(
            f"{path.name}: the workbook's XML cannot be read: {type(error).__name__}: {error}") from None
    finally:
        book.close()


def with_provenance(frame: pl.DataFrame, source: Source, loaded_at: datetime) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(source.name, pl.String).alias("_source_file"),
        pl.lit(source.sha256, pl.String).alias("_source_sha256"),
        pl.lit(loaded_at, pl.Datetime("us", "UTC")).alias("_loaded_at"),
    )


def land(lake: Lake, key: str, frame: pl.DataFrame, metadata: dict) -> dict:
    """data.parquet, then the metadata.json that describes it (each write atomic)."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    lake.put_bytes(key, buffer.getvalue())
    metadata = {**metadata, "rows": frame.height, "columns": frame.columns, "key": key}
    lake.write_model(layout.metadata_beside(key), ReferenceMetadata.model_validate(metadata))
    return metadata
