"""The Article item every spider yields and every later stage reads."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field


@dataclass
class Article:
    """One news article as published at one URL.

    `published_at` is ISO 8601 with offset ("2025-07-27T09:30:00+09:00") or None when the page
    gives no date. `body` is plain text, paragraphs separated by blank lines.
    """

    url: str
    canonical_url: str
    outlet: str
    title: str
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    section: str | None = None
    body: str = ""
    language: str | None = None
    fetched_at: str | None = None
    etag: str | None = None  # the server's validators, sent back next run to skip unchanged pages
    last_modified: str | None = None
    warc_file: str | None = None  # the run's web archive (file name) and the record of this page in it,
    warc_record_id: str | None = None  # so a fact-checker can cite what the page said that night

    @property
    def text(self) -> str:
        """The document the extractor reads: headline on line 1, then the body."""
        return f"{self.title}\n{self.body}" if self.title else self.body

    @property
    def content_hash(self) -> str:
        """A stable hash of what the article says (headline and body), for change detection."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        """The article's fields as a plain dict (JSON-ready)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class KnownPage:
    """What an earlier run stored for one article URL: its validators and the hash of what it said.

    Spiders send `etag`/`last_modified` back as If-None-Match/If-Modified-Since, and compare
    `content_hash` with a re-downloaded page's `Article.content_hash` to skip unchanged articles.
    """

    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
