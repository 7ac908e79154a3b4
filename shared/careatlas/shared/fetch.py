"""Fetching a URL: the one rule for landing NPPES files and for reference downloads.

- Hosts: only ``fetch_allowed_hosts`` (the official CMS, NUCC, HUD and Census hosts by default;
  a leading "." admits subdomains), checked on the first URL and on every redirect hop.
  Link-local addresses (cloud metadata, 169.254.0.0/16) are refused whatever the name.
- Schemes: https only unless ``fetch_allow_http``; an https URL never redirects to http.
- Caps: ``fetch_max_bytes`` (Content-Length and the bytes counted), ``fetch_timeout_s`` for the
  whole download (a slow server cannot hold a worker), ``fetch_read_timeout_s`` per read.
- The file name comes from Content-Disposition, else the final URL's last path segment; a URL
  that names no file is refused.
- Query strings (presigned credentials, tokens) never leave this module: errors, logs and
  callers' records use ``display(url)``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from careatlas.shared.settings import Settings

USER_AGENT = "careatlas/0.1"
MAX_REDIRECTS = 5
_PIECE = 1024 * 1024


class FetchError(ValueError):
    """The URL cannot be fetched as asked (refused host, too big, 4xx, no file name)."""


class FetchUnavailable(FetchError):
    """Network error, timeout, 429 or 5xx: safe to retry later."""


@dataclass(frozen=True)
class Downloaded:
    path: Path  # the local copy
    name: str  # the file name the server gave it
    url: str  # the final URL, shown without its query


def display(url: str | httpx.URL) -> str:
    """A URL as records and messages may show it: no user info, query or fragment."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == entry or (entry.startswith(".") and host.endswith(entry)) for entry in allowed)


def check_url(url: str | httpx.URL, settings: Settings, *, came_from: httpx.URL | None = None) -> httpx.URL:
    """The URL, if the fetching rule admits it; ``FetchError`` saying why not otherwise."""
    try:
        parsed = httpx.URL(str(url))
    except httpx.InvalidURL:
        raise FetchError(f"{display(str(url))}: not a valid URL") from None
    shown = display(parsed)
    if parsed.scheme not in ("https", "http"):
        raise FetchError(f"{shown}: only https URLs are fetched")
    if parsed.scheme == "http" and not settings.fetch_allow_http:
        raise FetchError(f"{shown}: plain http is refused; use https (or set CAREATLAS_FETCH_ALLOW_HTTP for a mirror)")
    if came_from is not None and came_from.scheme == "https" and parsed.scheme == "http":
        raise FetchError(f"{display(came_from)} redirects to {shown}: an https download never continues over http")
    if not host_allowed(parsed.host, settings.fetch_allowed_hosts):
        where = f"{display(came_from)} redirects to {shown}" if came_from else shown
        raise FetchError(f"{where}: host {parsed.host!r} is not in CAREATLAS_FETCH_ALLOWED_HOSTS")
    if _is_link_local(parsed.host):
        raise FetchError(f"{shown}: link-local addresses (cloud metadata) are never fetched")
    return parsed


def _is_link_local(host: str) -> bool:
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host.strip("[]")).is_link_local
    return False


def client(settings: Settings) -> httpx.Client:
    timeout = httpx.Timeout(settings.fetch_read_timeout_s, connect=10.0)
    return httpx.Client(follow_redirects=False, timeout=timeout, headers={"User-Agent": USER_AGENT},
                        transport=httpx.HTTPTransport(retries=2))


@contextlib.contextmanager
def open_url(url: str, settings: Settings) -> Iterator[httpx.Response]:
    """A streamed, successful response for ``url`` after checked redirects."""
    current, previous = check_url(url, settings), None
    with client(settings) as http:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                with http.stream("GET", current) as response:
                    _check_peer(response, current)
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        previous, current = current, check_url(current.join(location), settings, came_from=current)
                        continue
                    _check_status(response, current)
                    yield response
                    return
            except httpx.TimeoutException:
                raise FetchUnavailable(f"{display(current)}: timed out") from None
            except httpx.HTTPError as error:
                raise FetchUnavailable(f"{display(current)}: cannot download ({type(error).__name__})") from None
    raise FetchError(f"{display(url)}: more than {MAX_REDIRECTS} redirects (last {display(previous or current)})")


def _check_peer(response: httpx.Response, url: httpx.URL) -> None:
    stream = response.extensions.get("network_stream")
    address = stream.get_extra_info("server_addr") if stream is not None else None
    if address and _is_link_local(str(address[0])):
        raise FetchError(f"{display(url)}: resolves to a link-local address (cloud metadata): refused")


def _check_status(response: httpx.Response, url: httpx.URL) -> None:
    if response.is_success:
        return
    status = response.status_code
    kind = FetchUnavailable if status == 429 or status >= 500 else FetchError
    # not raise_for_status(): httpx puts the full URL, query included, in its message
    raise kind(f"{display(url)}: HTTP {status}")


def file_name(response: httpx.Response) -> str:
    """Content-Disposition's filename, else the final URL's last path segment, sanitised."""
    header = response.headers.get("content-disposition")
    name = None
    if header:
        message = Message()
        message["content-disposition"] = header
        name = message.get_filename()
    if not name:
        name = unquote(response.url.path.rsplit("/", 1)[-1])
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", "..") or any(ord(c) < 32 for c in name):
        raise FetchError(f"{display(response.url)}: the URL names no file (no file name in its path or headers)")
    return name


def save(response: httpx.Response, folder: Path, settings: Settings) -> Downloaded:
    """Stream a response to ``folder/<its file name>`` within the size and time caps."""
    shown, cap = display(response.url), settings.fetch_max_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchError(f"{shown}: {int(declared):,} bytes is more than CAREATLAS_FETCH_MAX_BYTES ({cap:,})")
    target = folder / file_name(response)
    deadline, size = time.monotonic() + settings.fetch_timeout_s, 0
    try:
        with open(target, "wb") as out:
            for piece in response.iter_bytes(_PIECE):
                size += len(piece)
                if size > cap:
                    raise FetchError(f"{shown}: more than CAREATLAS_FETCH_MAX_BYTES ({cap:,} bytes)")
                if time.monotonic() > deadline:
                    raise FetchUnavailable(f"{shown}: took longer than CAREATLAS_FETCH_TIMEOUT_S "
                                           f"({settings.fetch_timeout_s:g} s)")
                out.write(piece)
    except httpx.HTTPError as error:
        raise FetchUnavailable(f"{shown}: download interrupted ({type(error).__name__})") from None
    return Downloaded(target, target.name, shown)


def download_into(url: str, folder: Path, settings: Settings) -> Downloaded:
    with open_url(url, settings) as response:
        return save(response, folder, settings)


@contextlib.contextmanager
def downloaded(url: str, settings: Settings) -> Iterator[Downloaded]:
    """A local copy of ``url`` in a temporary folder, removed afterwards (also on errors)."""
    with tempfile.TemporaryDirectory(prefix="careatlas-download-") as folder:
        yield download_into(url, Path(folder), settings)


def fetch_text(url: str, settings: Settings, *, max_bytes: int = 8 * 1024 * 1024) -> tuple[str, str]:
    """A small text resource (a download page) and its final URL (shown form), under the same rule."""
    with open_url(url, settings) as response:
        body = bytearray()
        for piece in response.iter_bytes(_PIECE):
            body += piece
            if len(body) > max_bytes:
                raise FetchError(f"{display(response.url)}: a page of more than {max_bytes:,} bytes")
        return body.decode(response.encoding or "utf-8", errors="replace"), display(response.url)
