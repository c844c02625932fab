"""The evidence archive: every response of a run kept in a WARC file, and WARC files replayed as recordings.

`ArchiveMiddleware` writes each HTTP exchange (robots.txt, feeds, articles, error pages) as a request and a
response record with warcio, so a fact-checker can cite what a page said the night it was crawled; the
spiders put the response record's WARC-Record-ID on each `Article`. `WarcResponses` reads such a file back
as a `RecordedResponses` source for `run_crawl(replay=...)`.

Build the bundled sample's archive from its folder (the editable source):
    python -m crawlers.archive build crawlers/sample crawlers/sample/sample.warc.gz
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from w3lib.url import canonicalize_url
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawlers.replay import Recorded
from crawlers.urls import redact_url

logger = logging.getLogger(__name__)

WARC_META = "pledgewatch_warc"  # request.meta key: (archive file name, response WARC-Record-ID)
SOFTWARE = "pledgewatch/0.1 (warcio)"
# Twisted has already undone chunking, so the stored payload is not chunked and must not say it is.
DROP_RESPONSE_HEADERS = {"transfer-encoding"}
SAMPLE_NAMESPACE = uuid.UUID("6f1d3c1e-4f0b-4d8e-9a51-2b1f3c9a7e10")  # stable record ids for the sample


class ArchiveWriter:
    """Appends HTTP exchanges to one WARC file (gzipped per record when it ends in .gz).

    Several writers of one process may share a file: each record is written and flushed in one go on the
    reactor thread, and the file is opened for appending, so records never interleave.
    """

    def __init__(self, path: Path, *, date: str | None = None) -> None:
        self.path = Path(path)
        self.date = date  # a fixed WARC-Date (and stable record ids) for reproducible archives
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    def write(
        self,
        url: str,
        status: int,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        method: str = "GET",
        request_headers: Iterable[tuple[str, str]] = (),
        date: str | None = None,
        record_id: str | None = None,
    ) -> str:
        """Write one response record and its request record; returns the response's WARC-Record-ID."""
        url = redact_url(url)  # an API key in a query string must not end up in the evidence
        writer = self._open()
        request_id = _new_id(f"request {record_id}") if record_id else _new_id()
        record_id = record_id or _new_id()
        date = date or self.date or _warc_date(datetime.now(UTC))
        reason = _reason(status)
        http_headers = StatusAndHeaders(
            f"{status} {reason}".strip(),
            [(k, _redact(v)) for k, v in headers if k.lower() not in DROP_RESPONSE_HEADERS],
            protocol="HTTP/1.1",
        )
        response = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Record-ID": record_id, "WARC-Date": date},
        )
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = [
            ("Host", parts.netloc),
            *((k, _redact(v)) for k, v in request_headers if k.lower() != "host"),
        ]
        request = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(f"{method} {target} HTTP/1.1", req_headers, is_http_request=True),
            warc_headers_dict={"WARC-Record-ID": request_id},
        )
        writer.write_request_response_pair(request, response)
        return record_id

    def write_scrapy(self, request: Request, response: Response) -> str:
        """Write a Scrapy request and the response it got, as they crossed the network."""
        return self.write(
            response.url,
            response.status,
            _header_pairs(response.headers),
            response.body,
            method=request.method,
            request_headers=_header_pairs(request.headers),
        )

    def close(self) -> None:
        """Flush and close the file (a later write reopens it for appending)."""
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not self.path.exists() or self.path.stat().st_size == 0
            self._file = self.path.open("ab")
            self._writer = WARCWriter(self._file, gzip=self.path.name.endswith(".gz"))
            if fresh:
                self._write_warcinfo(self._writer)
        return self._writer

    def _write_warcinfo(self, writer: WARCWriter) -> None:
        date = self.date
        info = f"software: {SOFTWARE}\r\nformat: WARC File Format 1.0\r\n".encode()
        record = writer.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(info),
            length=len(info),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Filename": self.path.name,
                "WARC-Record-ID": _new_id(f"warcinfo {self.path.name} {date}") if date else _new_id(),
                "WARC-Date": date or _warc_date(datetime.now(UTC)),
            },
        )
        writer.write_record(record)


class ArchiveMiddleware:
    """Downloader middleware writing every response it sees to the run's WARC file.

    It sits nearest the network (after the replay middleware), so it sees each response exactly as it
    arrived: every retry, every redirect hop, robots.txt and error pages included, bodies still
    content-encoded. It puts (file name, record id) in `request.meta[WARC_META]` for the spider.
    Enabled by the PLEDGEWATCH_ARCHIVE setting (a .warc or .warc.gz path); raises NotConfigured otherwise.
    """

    def __init__(self, path: Path) -> None:
        self.writer = ArchiveWriter(path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveMiddleware:
        """Build from the crawler's settings; close the file when the spider closes."""
        path = crawler.settings.get("PLEDGEWATCH_ARCHIVE")
        if not path:
            raise NotConfigured  # no message: Scrapy would log it as a warning on every unarchived crawl
        middleware = cls(Path(path))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        """Archive the exchange and tell the spider where it went."""
        try:
            record_id = self.writer.write_scrapy(request, response)
        except OSError as exc:  # a full disk must be loud, but must not lose the crawl
            logger.error("could not archive %s to %s: %s", response.url, self.writer.path, exc)
            return response
        request.meta[WARC_META] = (self.writer.path.name, record_id)
        return response

    def spider_closed(self) -> None:
        """Close the archive file."""
        self.writer.close()


class WarcResponses:
    """Responses recorded in a WARC file, looked up by URL; the last response for a URL wins.

    Only offsets are kept in memory; each lookup reads its one record. Payloads are handed back decoded
    (no transfer or content encoding), so archives written by other tools replay too.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.offsets: dict[str, int] = {}
        with self.path.open("rb") as f:
            records = ArchiveIterator(f)
            for record in records:
                if record.rec_type == "response" and record.http_headers is not None:
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    self.offsets[_key(url)] = records.get_record_offset()

    def get(self, url: str) -> Recorded | None:
        """The response recorded for `url`, or None."""
        offset = self.offsets.get(_key(url))
        if offset is None:
            return None
        with self.path.open("rb") as f:
            f.seek(offset)
            record = next(iter(ArchiveIterator(f)))
            body = record.content_stream().read()
            status = int(record.http_headers.get_statuscode())
            headers = {
                k: v
                for k, v in record.http_headers.headers
                if k.lower() not in {"transfer-encoding", "content-encoding", "content-length"}
            }
        return Recorded(status, headers, body)

    def urls(self) -> list[str]:
        """Every URL with a recorded response (canonicalised)."""
        return list(self.offsets)


def iter_records(path: Path) -> Iterator[dict]:
    """Each record of a WARC file as a plain dict (type, URI, ids, HTTP status and headers, payload)."""
    with Path(path).open("rb") as f:
        for record in ArchiveIterator(f):
            http = record.http_headers
            yield {
                "type": record.rec_type,
                "uri": record.rec_headers.get_header("WARC-Target-URI"),
                "record_id": record.rec_headers.get_header("WARC-Record-ID"),
                "date": record.rec_headers.get_header("WARC-Date"),
                "concurrent_to": record.rec_headers.get_header("WARC-Concurrent-To"),
                "payload_digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                "status": http.get_statuscode()
                if http is not None and record.rec_type == "response"
                else None,
                "http": http.protocol if http is not None and record.rec_type == "request" else None,
                "headers": list(http.headers) if http is not None else [],
                "payload": record.content_stream().read(),
            }


def build_archive(src: Path, dest: Path) -> int:
    """Write the recording folder `src` (manifest.json) as the WARC file `dest`; returns the response count.

    The output is a function of the folder alone (record ids from the URLs, dates from `recorded_at`),
    so rebuilding an unchanged folder gives the same records.
    """
    src, dest = Path(src), Path(dest)
    manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    recorded_at = manifest.get("recorded_at")
    when = parsedate_to_datetime(recorded_at) if recorded_at else datetime(2000, 1, 1, tzinfo=UTC)
    dest.unlink(missing_ok=True)
    writer = ArchiveWriter(dest, date=_warc_date(when))
    try:
        for url, entry in manifest["responses"].items():
            body = (src / entry["file"]).read_bytes()
            headers = [
                ("Content-Type", entry.get("content_type", "text/html; charset=utf-8")),
                ("Content-Length", str(len(body))),
            ]
            if recorded_at:
                headers.append(("Date", recorded_at))
            writer.write(
                url,
                entry.get("status", 200),
                headers,
                body,
                request_headers=[("User-Agent", SOFTWARE)],
                record_id=_new_id(url),
            )
    finally:
        writer.close()
    return len(manifest["responses"])


def _redact(value: str) -> str:
    """Header values that are URLs (Referer, Location) lose their credentials too."""
    return redact_url(value) if value.startswith(("http://", "https://")) else value


def _key(url: str) -> str:
    """Lookup key of a URL: archived URLs had their credentials redacted, so redact the question too."""
    return canonicalize_url(redact_url(url))


def _new_id(seed: str | None = None) -> str:
    value = uuid.uuid5(SAMPLE_NAMESPACE, seed) if seed is not None else uuid.uuid4()
    return f"<urn:uuid:{value}>"


def _warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _header_pairs(headers: object) -> list[tuple[str, str]]:
    """Scrapy's Headers (bytes keys, lists of bytes values) as (name, value) text pairs."""
    return [
        (key.decode("latin-1"), value.decode("latin-1"))
        for key, values in headers.items()  # type: ignore[attr-defined]
        for value in values
    ]


def main(argv: list[str] | None = None) -> int:
    """`python -m crawlers.archive build SRC DEST`: write a recording folder as a WARC file."""
    parser = argparse.ArgumentParser(prog="python -m crawlers.archive", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write a recording folder (manifest.json) as a .warc.gz")
    build.add_argument("src", type=Path)
    build.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    if not (args.src / "manifest.json").is_file():
        parser.error(f"{args.src} has no manifest.json; give a recording folder such as crawlers/sample")
    count = build_archive(args.src, args.dest)
    print(f"wrote {count} responses from {args.src} to {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
