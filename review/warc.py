"""Read one archived response back from the evidence archive (the WARC files the crawls wrote)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


class ArchiveMissing(LookupError):
    """Raised by `ArchiveReader.read` when the WARC file or the record is not in the archive folder."""


@dataclass(frozen=True)
class ArchivedResponse:
    """A response as it was crawled: target URL, WARC date, HTTP status, content type and decoded payload."""

    url: str
    date: str
    status: int
    content_type: str
    body: bytes


class ArchiveReader:
    """Finds records by WARC-Record-ID in the WARC files of one folder.

    Each file is indexed once (record id -> offset) and re-indexed when it changes, so a page reads one record.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._index: dict[Path, tuple[tuple[int, int], dict[str, int]]] = {}

    def path_of(self, warc_file: str) -> Path:
        """The file in the archive folder; only a bare file name is accepted (no way out of the folder)."""
        name = Path(warc_file).name
        if not name or name != warc_file or name in (".", ".."):
            raise ArchiveMissing(f"{warc_file!r} is not a file name in the archive")
        return self.folder / name

    def _offsets(self, path: Path) -> dict[str, int]:
        try:
            stat = path.stat()
        except OSError:
            raise ArchiveMissing(f"{path.name} is not in the archive folder {self.folder}") from None
        key = (stat.st_size, stat.st_mtime_ns)
        with self._lock:
            cached = self._index.get(path)
            if cached and cached[0] == key:
                return cached[1]
        offsets: dict[str, int] = {}
        with path.open("rb") as f:
            records = ArchiveIterator(f)
            for record in records:
                if record.rec_type == "response":
                    offsets[record.rec_headers.get_header("WARC-Record-ID")] = records.get_record_offset()
        with self._lock:
            self._index[path] = (key, offsets)
        return offsets

    def read(self, warc_file: str, record_id: str) -> ArchivedResponse:
        """The response record `record_id` of `warc_file`, payload decoded (no chunking or content encoding)."""
        path = self.path_of(warc_file)
        offset = self._offsets(path).get(record_id)
        if offset is None:
            raise ArchiveMissing(f"record {record_id} is not in {path.name}")
        with path.open("rb") as f:
            f.seek(offset)
            record = next(iter(ArchiveIterator(f)))
            body = record.content_stream().read()
            http = record.http_headers
            return ArchivedResponse(
                url=record.rec_headers.get_header("WARC-Target-URI") or "",
                date=record.rec_headers.get_header("WARC-Date") or "",
                status=int(http.get_statuscode()) if http else 0,
                content_type=(http.get_header("Content-Type") if http else None)
                or "application/octet-stream",
                body=body,
            )
