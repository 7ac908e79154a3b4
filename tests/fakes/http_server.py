"""A tiny threaded HTTP server on 127.0.0.1 that records every request it answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    path: str
    params: dict[str, str]  # the query without "key"
    has_key: bool


Handler = Callable[[str, dict[str, str], str], Reply]  # path, params, full URL -> reply


class LocalServer:
    """Serves static files plus an optional handler; ``seen`` lists the requests in order."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.files: dict[str, Reply] = {}
        self.seen: list[Seen] = []
        self.delay_s = 0.0  # held before answering, so concurrent callers overlap
        self._handler = handler
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._request_handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def root(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def serve_file(self, path: str, body: bytes, content_type: str = "application/octet-stream") -> str:
        self.files[path] = Reply(200, body, {"Content-Type": content_type})
        return self.root + path

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, raw_path: str) -> Reply:
        parts = urlsplit(raw_path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self._lock:
            self.seen.append(Seen(parts.path, {k: v for k, v in params.items() if k != "key"}, "key" in params))
        if self.delay_s:
            time.sleep(self.delay_s)
        if parts.path in self.files:
            return self.files[parts.path]
        if self._handler is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        return self._handler(parts.path, params, self.root + raw_path)

    def _request_handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                reply = server.answer("GET", self.path)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.status != 204:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if reply.status != 204:
                    self.wfile.write(reply.body)

            def log_message(self, *_args: object) -> None:
                pass

        return _Handler
