"""Incremental nightly runs: a page whose text changed is stored as a new revision and only it is re-extracted;
the claims of the old text give way to those of the new, and nothing else moves."""

from __future__ import annotations

import json
import shutil

import duckdb

from conftest import ROOT, run_cli
from crawlers.archive import build_archive

SAMPLE = ROOT / "crawlers" / "sample"
CHANGED_URL = "https://www.pbs.org/newshour/politics/trump-signs-order-putting-japan-trade-deal-into-effect"
CORRECTION = (
    "<p>Correction: an earlier version of this story misstated the figure; White House officials said on Friday "
    "that Japan would invest $600 billion in the United States.</p>"
)


def _changed_sample(tmp_path):
    """The sample recording with one article updated by its outlet, as a web archive."""
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("*.warc.gz"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    page = folder / manifest["responses"][CHANGED_URL]["file"]
    html = page.read_text(encoding="utf-8")
    marker = "</p>"
    at = html.index(marker, html.index("WASHINGTON")) + len(marker)
    page.write_text(html[:at] + "\n      " + CORRECTION + html[at:], encoding="utf-8")
    archive = tmp_path / "changed.warc.gz"
    build_archive(folder, archive)
    return archive


def _state(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        articles = dict(con.execute("select canonical_url, revision from articles").fetchall())
        revisions = con.execute("select count(*) from article_revisions").fetchall()[0][0]
        claims = dict(
            con.execute(
                'select article_url, list(sentence order by "start") from claims group by all'
            ).fetchall()
        )
        return articles, revisions, claims
    finally:
        con.close()


def test_a_changed_article_is_a_new_revision_and_only_it_is_re_extracted(tmp_path):
    db = tmp_path / "w.duckdb"
    first = run_cli("nightly", "--sample", "--db", str(db))
    assert first.returncode == 0, first.stderr[-2000:]
    articles_before, revisions_before, claims_before = _state(db)

    second = run_cli("nightly", "--replay", str(_changed_sample(tmp_path)), "--db", str(db))
    assert second.returncode == 0, second.stderr[-2000:]
    assert "extracting 1 articles" in second.stderr
    assert "(0 new, 1 changed, " in second.stdout

    articles_after, revisions_after, claims_after = _state(db)
    assert set(articles_after) == set(articles_before)
    assert articles_after[CHANGED_URL] == 2
    assert all(rev == 1 for url, rev in articles_after.items() if url != CHANGED_URL)
    assert revisions_after == revisions_before + 1
    # the new sentence is a claim now; every other article keeps exactly the claims it had
    assert any("$600 billion" in s for s in claims_after[CHANGED_URL])
    assert not any("$600 billion" in s for s in claims_before.get(CHANGED_URL, []))
    assert {u: c for u, c in claims_after.items() if u != CHANGED_URL} == {
        u: c for u, c in claims_before.items() if u != CHANGED_URL
    }
