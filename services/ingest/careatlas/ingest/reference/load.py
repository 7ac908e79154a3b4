"""Load one reference source into the lake: resolve it, check it, land it with provenance."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import polars as pl
import structlog

from careatlas.ingest.reference import census_products, deactivations, hud, nucc
from careatlas.ingest.reference.common import (
    ReferenceError,
    Source,
    SourceUnavailable,
    fetched,
    land,
    with_provenance,
)
from careatlas.shared import fetch, layout
from careatlas.shared.settings import Settings, get_settings
from careatlas.shared.storage import Lake

log = structlog.get_logger(__name__)

KINDS = ("nucc", "hud", "deactivations", *census_products.KINDS)
LABEL_NAMES = {"nucc": "version", "hud": "vintage", "deactivations": "report_date",
               **dict.fromkeys(census_products.KINDS, "vintage")}
# used when no file is given; deactivations points at the page that links the newest report
DEFAULT_SOURCES = {"nucc": nucc.DEFAULT_URL, "hud": hud.DEFAULT_URL, "deactivations": deactivations.INDEX_URL,
                   **census_products.DEFAULT_URLS}


@dataclass(frozen=True)
class LoadResult:
    kind: str
    key: str
    rows: int
    sha256: str
    source: str
    label: str  # NUCC version, HUD vintage, report date or Census vintage (YYYY)

    def as_dict(self) -> dict:
        return asdict(self)


def load_reference(
    lake: Lake,
    kind: str,
    source: str | None = None,
    *,
    label: str | None = None,
    settings: Settings | None = None,
    defaults: dict[str, str] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> LoadResult:
    """Land ``source`` (path, s3:// URI or URL; the official default when None) under its key."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    settings = settings or get_settings()
    default = (defaults or DEFAULT_SOURCES).get(kind)
    if source is None and default is None:
        raise ValueError(f"{kind} has no official CSV to download: pass FILE (data/reference/README.md "
                         "lists the vendored extracts)")
    origin = source or default_source(kind, default, settings)
    try:
        with fetched(origin, settings) as src:
            frame, label, key = _read(kind, src, label)
            loaded_at = clock()
            metadata = {
                "kind": kind,
                "source": src.origin,
                "source_file": src.name,
                "sha256": src.sha256,
                "loaded_at": loaded_at.isoformat(),
                "label": label,
                LABEL_NAMES[kind]: label,
            }
            land(lake, key, with_provenance(frame, src, loaded_at), metadata)
    except SourceUnavailable as error:
        if source:
            raise
        raise SourceUnavailable(f"no FILE_OR_URL given and the default source failed: {error}") from None
    log.info("reference data landed", kind=kind, key=key, rows=frame.height, source_file=src.name)
    return LoadResult(kind, key, frame.height, src.sha256, src.origin, label)


def default_source(kind: str, url: str, settings: Settings | None = None) -> str:
    if kind != "deactivations":
        return url
    try:  # the page is fetched under the same rule as the files (careatlas.shared.fetch)
        page, final = fetch.fetch_text(url, settings or get_settings())
    except fetch.FetchUnavailable as error:
        raise SourceUnavailable(f"no FILE_OR_URL given and {error}: pass a local file") from None
    except fetch.FetchError as error:
        raise ReferenceError(f"no FILE_OR_URL given and {error}: pass a local file") from None
    link = deactivations.latest_link(page, final)
    if link is None:
        raise ReferenceError(f"{url} links no NPPES_Deactivated_NPI_Report_*.zip: pass the file")
    return link


def _read(kind: str, src: Source, label: str | None) -> tuple[pl.DataFrame, str, str]:
    """The frame, its label (given, or read from the file name/title) and its lake key."""
    if kind == "nucc":
        frame = nucc.read(src)
        label = _need(label or nucc.version_from(src.name), r"^[\w.-]{1,40}$", "NUCC version", src, "--version")
        return frame, label, layout.nucc_taxonomy(label)
    if kind in census_products.KINDS:
        frame, found = census_products.read(kind, src, label)
        label = _need(found, r"^\d{4}$", "Census vintage", src, "--vintage")
        return frame, label, layout.census_product(kind, label)
    if kind == "hud":
        frame = hud.read(src)
        label = _need(label or hud.vintage_from(src.name), r"^\d{4}Q[1-4]$", "HUD vintage", src, "--vintage")
        return frame, label, layout.hud_zip_county(label)
    frame, title_date = deactivations.read(src)
    label = label or deactivations.report_date_from(src.name) or title_date
    label = _need(label, r"^\d{4}-\d{2}-\d{2}$", "report date", src, "--report-date")
    return frame, label, layout.nppes_deactivations(label)


def _need(value: str | None, pattern: str, what: str, src: Source, option: str) -> str:
    if value is None:
        raise ReferenceError(f"cannot tell the {what} from {src.name}: pass {option}")
    if not re.match(pattern, value):
        raise ReferenceError(f"{what} {value!r} does not look right (expected {pattern})")
    return value
