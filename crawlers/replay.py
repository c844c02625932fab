"""Answer requests from recorded responses instead of the network, so a crawl can be replayed offline.

The downloader middleware sits behind every other middleware, so robots.txt, retries, redirects and
HTTP-error handling run exactly as in a live crawl; only the bytes come from disk. A recording is any
`RecordedResponses` source: a folder with `manifest.json`, or a WARC archive (`crawlers.archive`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recorded:
    """One recorded HTTP response."""

    status: int
    headers: dict[str, str]
    body: bytes


class RecordedResponses(Protocol):
    """A source of recorded responses, looked up by request URL."""

    def get(self, url: str) -> Recorded | None:
        """The response recorded for `url`, or None when nothing was recorded for it."""
        ...


class DirectoryResponses:
    """Responses recorded as files in a folder, listed in its `manifest.json`.

    manifest.json: {"recorded_at": "<HTTP date>", "responses": {"<url>": {"file": "pbs/feed.xml",
    "status": 200, "content_type": "application/rss+xml; charset=utf-8"}, ...}}
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        manifest = json.loads((self.root / "manifest.json").read_text(encoding="utf-8"))
        self.recorded_at = manifest.get("recorded_at")
        self.entries = {canonicalize_url(url): entry for url, entry in manifest["responses"].items()}

    def get(self, url: str) -> Recorded | None:
        """The file recorded for `url` with its status and content type."""
        entry = self.entries.get(canonicalize_url(url))
        if entry is None:
            return None
        headers = {"Content-Type": entry.get("content_type", "text/html; charset=utf-8")}
        if self.recorded_at:
            headers["Date"] = self.recorded_at
        return Recorded(entry.get("status", 200), headers, (self.root / entry["file"]).read_bytes())


WARC_SUFFIXES = (".warc", ".warc.gz")


def open_recording(path: Path) -> RecordedResponses:
    """The recorded-responses source stored at `path`: a folder with manifest.json, or a .warc/.warc.gz file."""
    path = Path(path)
    if path.name.endswith(WARC_SUFFIXES):
        if not path.is_file():
            raise ValueError(f"{path} does not exist: give a .warc or .warc.gz file written by a crawl")
        from crawlers.archive import WarcResponses  # the archive module imports this one

        return WarcResponses(path)
    if (path / "manifest.json").is_file():
        return DirectoryResponses(path)
    if path.is_file():
        raise ValueError(f"{path} is not a web archive: replay a .warc or .warc.gz file, or a sample folder")
    raise ValueError(f"{path} is not a replay folder: it has no manifest.json")


class ReplayMiddleware:
    """Downloader middleware answering every request from a recording; unrecorded URLs get a 404.

    Enabled by the PLEDGEWATCH_REPLAY setting (or its older name PLEDGEWATCH_REPLAY_DIR): a folder or a
    WARC file; raises NotConfigured (so Scrapy leaves it out) when unset.
    """

    def __init__(self, recording: RecordedResponses) -> None:
        self.recording = recording

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        """Build from the crawler's settings."""
        path = crawler.settings.get("PLEDGEWATCH_REPLAY") or crawler.settings.get("PLEDGEWATCH_REPLAY_DIR")
        if not path:
            raise NotConfigured  # no message: Scrapy would log it as a warning on every live crawl
        return cls(open_recording(Path(path)))

    def process_request(self, request: Request) -> Response:
        """The recorded response for the request's URL, or an empty 404."""
        recorded = self.recording.get(request.url)
        if recorded is None:
            logger.debug("replay: nothing recorded for %s, answering 404", request.url)
            recorded = Recorded(404, {"Content-Type": "text/plain; charset=utf-8"}, b"")
        cls = responsetypes.from_args(headers=recorded.headers, url=request.url, body=recorded.body)
        return cls(
            url=request.url,
            status=recorded.status,
            headers=recorded.headers,
            body=recorded.body,
            request=request,
        )
