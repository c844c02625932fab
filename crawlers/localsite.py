"""A small web server on 127.0.0.1 serving pages we write, for offline tests and the crawl benchmark.

Each path answers from a `Route` (or a function of the full path returning one): a status, a body, and optionally the ways real servers misbehave or
help (a delay, a redirect, a Content-Length longer than the body, ETag/Last-Modified validators).
Example:
    with LocalSite({"/robots.txt": Route(b"User-agent: *\\nAllow: /\\n", content_type="text/plain")}) as site:
        site.url("/robots.txt")  # "http://127.0.0.1:<port>/robots.txt"
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Route:
    """How the server answers one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (longer than the client's timeout: a timeout)
    redirect: str | None = None  # Location of a 302
    declared_length: int | None = None  # a Content-Length longer than the body, then the connection drops
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since equals it


@dataclass
class Hit:
    """One request the server received, and the status it answered."""

    path: str
    headers: dict[str, str]
    status: int


class LocalSite:
    """A threaded HTTP server on 127.0.0.1 (a free port) serving `routes`; unknown paths get a 404.

    Use as a context manager; `hits` lists every request in arrival order.
    """

    def __init__(self, routes: dict[str, Route | Callable[[str], Route]]) -> None:
        self.routes = routes
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        """The server's root URL, without a trailing slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base + path

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def record(self, hit: Hit) -> None:
        """Remember one request (called from the handler threads)."""
        with self._lock:
            self.hits.append(hit)


def _handler_for(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so Content-Length is what ends a body

        def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
            route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
            if callable(route):  # a dynamic route answers from the whole path, query included
                route = route(self.path)
            if route is None:
                route = Route(b"not found", status=404, content_type="text/plain; charset=utf-8")
            status = self._status(route)
            site.record(Hit(self.path, dict(self.headers.items()), status))
            if route.delay:
                time.sleep(route.delay)
            try:
                self._answer(route, status)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                self.close_connection = True

        def _status(self, route: Route) -> int:
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                return 304
            if route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified:
                return 304
            return 302 if route.redirect else route.status

        def _answer(self, route: Route, status: int) -> None:
            body = b"" if status in (304, 302) else route.body
            self.send_response(status)
            self.send_header("Content-Type", route.content_type)
            if route.redirect:
                self.send_header("Location", route.redirect)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(route.declared_length or len(body)))
            self.end_headers()
            self.wfile.write(body)
            if route.declared_length and route.declared_length > len(body):
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)  # the rest never comes
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
            """Quiet: tests read `site.hits` instead."""

    return Handler
