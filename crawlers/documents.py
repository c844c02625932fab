"""Read local files (plain-text articles or saved HTML pages) as Articles, with one-line errors for bad ones."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

SUFFIXES = (".txt", ".html", ".htm")
MAX_BYTES = 20_000_000  # larger files are not articles; refuse them rather than stall the run


class UnreadableDocument(ValueError):
    """Raised by `read_document` for a file that holds no readable article; the message names the file."""


def iter_paths(paths: list[Path]) -> Iterator[Path]:
    """Files named directly, and the .txt/.html files inside named folders (sorted)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def _decode_text(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableDocument(
            f"{path}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); re-encode it as UTF-8"
        ) from None
    # Same newlines as Python's text mode, so offsets agree with open(path).read().
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_document(path: Path, url: str | None = None, *, html: bool | None = None):
    """Read one file as an Article.

    A .txt file holds the headline on line 1 and the body after it; doc id = file name without extension.
    An .html file (or any file with `html=True`) goes through the article parser that would handle `url`
    (a file:// URL by default).
    """
    from crawlers.items import Article

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UnreadableDocument(
                f"{path}: {size:,} bytes is too large for an article (limit {MAX_BYTES:,})"
            )
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableDocument(f"{path}: cannot read ({error.strerror or error})") from None
    if not data.strip():
        raise UnreadableDocument(f"{path}: empty file")
    if b"\x00" in data[:8192]:
        raise UnreadableDocument(f"{path}: binary file, not text or HTML")
    file_url = url or path.resolve().as_uri()
    if html if html is not None else path.suffix.lower() in (".html", ".htm"):
        from crawlers.parsing import parse_html

        article = parse_html(data, file_url)
        if article is None:
            raise UnreadableDocument(f"{path}: no article found in the page (no headline or no body text)")
        return article
    text = _decode_text(path, data)
    title, _, body = text.partition("\n")
    return Article(url=file_url, canonical_url=file_url, outlet="file", title=title, body=body)


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """Rows of a MANIFEST.tsv in `folder` or its parent (file, url, outlet, published_date), by file name.

    Lets local copies of articles keep their source URL, outlet and publication date.
    """
    for candidate in (folder / "MANIFEST.tsv", folder.parent / "MANIFEST.tsv"):
        if candidate.is_file():
            with candidate.open(encoding="utf-8", newline="") as handle:
                return {
                    Path(row.get("file") or "").name: row for row in csv.DictReader(handle, delimiter="\t")
                }
    return {}


def apply_manifest(article, row: dict[str, str] | None):
    """Fill an Article's date, outlet and source URL from its manifest row, where the row gives them."""
    if not row:
        return article
    raw = (row.get("published_date") or "").strip()
    if len(raw) >= 10 and raw[4] == "-" and raw[7] == "-" and raw[:10].replace("-", "").isdigit():
        article.published_at = f"{raw[:10]}T00:00:00+00:00"
    if (row.get("outlet") or "").strip():
        article.outlet = row["outlet"].strip()
    return article


def doc_id(path: Path) -> str:
    """The document id the guidelines use: the file name without its extension."""
    return path.stem
