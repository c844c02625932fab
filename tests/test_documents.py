"""Local documents: .txt articles read exactly, bad files refused with a one-line message naming them."""

from __future__ import annotations

import pytest

from crawlers import documents
from crawlers.documents import UnreadableDocument, iter_paths, read_document


def test_txt_headline_and_body_keep_the_file_text(tmp_path):
    path = tmp_path / "001_example.txt"
    text = "Japan to invest $550bn\nThe pledge was announced on Tuesday.\n\nA second paragraph.\n"
    path.write_text(text, encoding="utf-8")
    article = read_document(path)
    assert article.title == "Japan to invest $550bn"
    assert article.text == text
    assert documents.doc_id(path) == "001_example"


def test_crlf_newlines_read_as_python_text_mode_does(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"Headline\r\nBody line.\r\n")
    assert read_document(path).text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("Caf\u00e9 headline\nsome text".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 3)"),
    ],
    ids=["empty", "blank", "binary", "latin-1"],
)
def test_bad_files_are_refused_with_one_line_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument) as caught:
        read_document(path)
    text = str(caught.value)
    assert text.startswith(str(path)) and message in text
    assert "\n" not in text


def test_huge_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 100)
    path = tmp_path / "huge.txt"
    path.write_text("x" * 101, encoding="utf-8")
    with pytest.raises(UnreadableDocument, match="too large"):
        read_document(path)


def test_folders_expand_to_their_text_and_html_files(tmp_path):
    (tmp_path / "b.txt").write_text("B\nb", encoding="utf-8")
    (tmp_path / "a.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")
    assert [p.name for p in iter_paths([tmp_path])] == ["a.html", "b.txt"]


def test_a_manifest_beside_the_files_gives_dates_and_outlets(tmp_path):
    from crawlers.documents import apply_manifest, read_manifest

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline\nBody.", encoding="utf-8")
    (tmp_path / "MANIFEST.tsv").write_text(
        "file\turl\toutlet\tpublished_date\na.txt\thttps://news.example/a\tExample News\t2025-07-27\n"
        "b.txt\t\tunknown\t2025-05/06 (approx)\n",
        encoding="utf-8",
    )
    rows = read_manifest(folder)
    article = apply_manifest(read_document(folder / "a.txt"), rows["a.txt"])
    assert (article.published_at, article.outlet) == ("2025-07-27T00:00:00+00:00", "Example News")
    vague = apply_manifest(read_document(folder / "a.txt"), rows["b.txt"])
    assert vague.published_at is None  # an approximate date is not a date
