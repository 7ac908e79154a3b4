"""A small Chrome DevTools Protocol client for Debian's chromium, standard library only.

Chromium runs headless with ``--remote-debugging-pipe``: commands go in on its fd 3 and
replies and events come out on its fd 4, as NUL-terminated JSON (what Playwright does).
No websocket, no port, no browser download.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np


class BrowserError(RuntimeError):
    pass


def find_chromium() -> str | None:
    """$CAREATLAS_CHROMIUM, else Debian's ``chromium`` on PATH; None when there is none."""
    candidates = [os.environ.get("CAREATLAS_CHROMIUM")] + [shutil.which(n) for n in ("chromium", "chromium-browser")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


class Chromium:
    """One headless browser with one page; collects console errors, exceptions and requests."""

    def __init__(self, executable: str, *, width: int = 1400, height: int = 1000, timeout_s: float = 30.0) -> None:
        self.timeout_s = timeout_s
        self.events: list[dict[str, Any]] = []
        self._next_id = 0
        self._buffer = b""
        self._profile = tempfile.TemporaryDirectory(prefix="careatlas-chromium-")
        self._log = open(Path(self._profile.name) / "chromium.log", "wb")  # noqa: SIM115 (closed in close())
        self._start(executable, width, height)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=True)

    def _start(self, executable: str, width: int, height: int) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # copies far above 4, so placing them on fds 3 and 4 in the child cannot clobber one another
        high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 20)
        high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 20)

        def place_pipes() -> None:
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        args = [executable, "--headless=new", "--remote-debugging-pipe", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--allow-file-access-from-files", f"--user-data-dir={self._profile.name}",
                f"--window-size={width},{height}", "--hide-scrollbars"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # chromium refuses to run as root with its sandbox
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                        pass_fds=(3, 4), preexec_fn=place_pipes)
        for fd in (to_browser_r, from_browser_w, high_r, high_w):
            os.close(fd)

    # ------------------------------------------------------------------ protocol
    def send(self, method: str, params: dict | None = None, *, session: bool = False) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout_s
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no answer from chromium in {self.timeout_s}s")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError(f"chromium exited ({self.process.poll()}); see {self._log.name}")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_for(self, predicate, *, what: str) -> dict[str, Any]:
        """The first event (already seen or coming) for which ``predicate`` is true."""
        deadline = time.monotonic() + self.timeout_s
        seen = 0
        while True:
            for event in self.events[seen:]:
                if predicate(event):
                    return event
            seen = len(self.events)
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {what}")
            self.events.append(self._read(deadline))

    # ------------------------------------------------------------------ page
    def open(self, url: str) -> None:
        self.send("Page.navigate", {"url": url}, session=True)
        self.wait_for(lambda e: e.get("method") == "Page.loadEventFired", what=f"load of {url}")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, session=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_until(self, expression: str) -> Any:
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise BrowserError(f"timed out waiting for {expression}")

    def screenshot(self, selector: str, scale: float = 0.5) -> np.ndarray:
        """The element's pixels as an (h, w, channels) uint8 array."""
        box = self.evaluate(f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
                            ".getBoundingClientRect();"
                            " return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })()")
        clip = dict(zip(("x", "y", "width", "height"), box, strict=True)) | {"scale": scale}
        data = self.send("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True},
                         session=True)["data"]
        return decode_png(base64.b64decode(data))

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and log errors seen so far."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: " + " ".join(
                    str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(f"exception: {details.get('exception', {}).get('description') or details.get('text')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log.{params['entry']['level']}: {params['entry'].get('text')}")
        return found

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._log.close()
        self._profile.cleanup()


def decode_png(data: bytes) -> np.ndarray:
    """8-bit RGB/RGBA non-interlaced PNG (what chromium writes) -> array."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise BrowserError("not a PNG")
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, color, _c, _f, interlace = header
    if depth != 8 or color not in (2, 6) or interlace:
        raise BrowserError(f"unsupported PNG: depth {depth}, colour type {color}, interlace {interlace}")
    channels = 4 if color == 6 else 3
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8).reshape(height, 1 + width * channels)
    return _unfilter(raw, channels).reshape(height, width, channels)


def _unfilter(raw: np.ndarray, bpp: int) -> np.ndarray:
    rows = np.zeros((raw.shape[0], raw.shape[1] - 1), dtype=np.uint8)
    previous = np.zeros(raw.shape[1] - 1, dtype=np.int32)
    for y in range(raw.shape[0]):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if kind == 2:
            line = (line + previous) & 0xFF
        elif kind in (1, 3, 4):
            line = _unfilter_sequential(kind, line, previous, bpp)
        rows[y] = line
        previous = line
    return rows


def _unfilter_sequential(kind: int, line: np.ndarray, above: np.ndarray, bpp: int) -> np.ndarray:
    out, up = line.tolist(), above.tolist()  # Python ints: element-wise numpy scalars are far slower
    for x in range(len(out)):
        left = out[x - bpp] if x >= bpp else 0
        upper_left = up[x - bpp] if x >= bpp else 0
        if kind == 1:
            predictor = left
        elif kind == 3:
            predictor = (left + up[x]) // 2
        else:
            p = left + up[x] - upper_left
            pa, pb, pc = abs(p - left), abs(p - up[x]), abs(p - upper_left)
            predictor = left if pa <= pb and pa <= pc else (up[x] if pb <= pc else upper_left)
        out[x] = (out[x] + predictor) & 0xFF
    return np.array(out, dtype=np.int32)
