"""The review page (`pledgewatch serve`): queue, flag page, archived copies, decisions, CSRF, access token,
a busy warehouse, and the ClaimReview export, all against warehouses the real pipeline builds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from conftest import query_rows, run_cli
from crawlers.archive import iter_records
from review.app import ARCHIVE_CSP, ReviewConfig, allowed_hosts, create_app
from review.highlight import Cue, highlight, segments
from review.security import Guard
from warehouse.db import connect
from warehouse.reviews import KINDS, QUEUE_STATUSES, confirmed_flags, record_review

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')
LOCAL = "http://127.0.0.1:8000"
FLAG_LINK = re.compile(r'href="/flags/([0-9a-f]{16})"')


# --- warehouses built by the real pipeline ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    """`nightly --sample` once: a warehouse with flags and the run's web archive beside it."""
    db = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    result = run_cli("nightly", "--sample", "--db", str(db))
    assert result.returncode == 0, result.stderr[-3000:]
    return db


@pytest.fixture
def db(sample_db, tmp_path) -> Path:
    """A private copy of the sample warehouse and its archive, for tests that record decisions."""
    shutil.copy(sample_db, tmp_path / sample_db.name)
    shutil.copytree(sample_db.parent / "archive", tmp_path / "archive")
    return tmp_path / sample_db.name


def _client(db: Path, base_url: str = LOCAL, **config) -> TestClient:
    app = create_app(ReviewConfig(db=db, archive_dir=db.parent / "archive", **config))
    return TestClient(app, base_url=base_url)


def _csrf(page: str) -> str:
    return CSRF.search(page).group(1)


def _hidden(page: str) -> dict[str, str]:
    """The hidden fields of the page's decision form: the CSRF token and the evidence it shows."""
    form = page[page.index('class="decision"') :]
    return dict(HIDDEN.findall(form[: form.index("</form>")]))


def _decide(client: TestClient, flag_id: str, decision: str, note: str, reviewer: str = "Ana Ruiz", **extra):
    hidden = _hidden(client.get(f"/flags/{flag_id}").text)
    return client.post(
        f"/flags/{flag_id}/reviews",
        data=hidden | {"decision": decision, "note": note, "reviewer": reviewer} | extra,
        follow_redirects=False,
    )


# Our own two articles: the US side's figure (with markup inside the quote) and the partner's smaller one.
US_TEXT = (
    "Trump says Japan will pay $550 billion\n"
    "President Donald Trump said on Tuesday that Japan will invest \"$550 billion <script>alert('pw')</script> "
    '<b onmouseover=alert(2)>right now</b>" in the United States at his direction.\n'
)
JP_TEXT = (
    "Japan's negotiator says the figure is far smaller\n"
    "Japan's chief negotiator Ryosei Akazawa said Japan would provide only $10 billion in equity, with the rest "
    "made up of loans and loan guarantees.\n"
)
MANIFEST = "file\turl\toutlet\tpublished_date\nus.txt\t\tExample Times\t2025-07-23\njp.txt\t\tExample Post\t2025-07-27\n"


def _ingest(folder: Path, db: Path, prefix: str = "") -> None:
    folder.mkdir(exist_ok=True)
    for name, text in (("us.txt", US_TEXT), ("jp.txt", JP_TEXT)):
        (folder / name).write_text(prefix + text, encoding="utf-8")
    (folder / "MANIFEST.tsv").write_text(MANIFEST, encoding="utf-8")
    result = run_cli("ingest", str(folder), "--db", str(db))
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture
def own_db(tmp_path) -> Path:
    db = tmp_path / "own.duckdb"
    _ingest(tmp_path / "articles", db)
    return db


def _amount_flag(db: Path) -> str:
    return query_rows(db, "select flag_id from flags where kind = 'amount_mismatch' order by flag_id")[0][0]


# --- the queue ---------------------------------------------------------------------------------------------


def test_queue_lists_the_open_flags_with_counts_per_status(sample_db):
    page = _client(sample_db).get("/")
    assert page.status_code == 200
    open_ids = {r[0] for r in query_rows(sample_db, "select flag_id from flag_status where status = 'open'")}
    assert open_ids and set(FLAG_LINK.findall(page.text)) == open_ids
    for status in QUEUE_STATUSES:
        assert f"status={status}" in page.text
    counts = dict(
        re.findall(r'class="status status-(\w+)[^"]*">\s*[\w ]+ <span class="count">(\d+)</span>', page.text)
    )
    assert counts["open"] == str(len(open_ids)) and counts["all"] == str(len(open_ids))
    assert counts["confirmed"] == "0"


def test_queue_filters_by_deal_kind_outlet_and_date(sample_db):
    client = _client(sample_db)
    all_flags = query_rows(sample_db, "select flag_id, kind, pledger, recipient from flags")
    kind = all_flags[0][1]
    page = client.get("/", params={"kind": kind})
    assert set(FLAG_LINK.findall(page.text)) == {f for f, k, _, _ in all_flags if k == kind}
    pledger, recipient = all_flags[0][2], all_flags[0][3]
    page = client.get("/", params={"deal": f"{pledger}-{recipient}"})
    assert set(FLAG_LINK.findall(page.text)) == {
        f for f, _, p, r in all_flags if (p, r) == (pledger, recipient)
    }
    # outlet: a flag is listed when an outlet carried either of its claims
    carried = query_rows(
        sample_db,
        "select distinct f.flag_id from flags f join canonical_claims c "
        "on c.canonical_claim_id in (f.us_canonical_claim_id, f.other_canonical_claim_id) "
        "where list_contains(c.outlets, 'The War Zone')",
    )
    page = client.get("/", params={"outlet": "The War Zone"})
    assert set(FLAG_LINK.findall(page.text)) == {r[0] for r in carried}
    assert len(carried) < len(all_flags)
    # date range: the later of the two evidence publication days
    dated = query_rows(sample_db, "select flag_id, evidence_published_at from review_queue")
    day = sorted(d for _, d in dated)[len(dated) // 2].date()
    page = client.get("/", params={"from": day.isoformat(), "to": "2030-01-01"})
    assert set(FLAG_LINK.findall(page.text)) == {f for f, d in dated if d.date() >= day}
    page = client.get("/", params={"to": day.isoformat()})
    assert set(FLAG_LINK.findall(page.text)) == {f for f, d in dated if d.date() <= day}
    assert "No flag matches" in client.get("/", params={"deal": "XXX-YYY"}).text


def test_queue_sorts_by_newest_evidence_and_by_amount_gap(sample_db):
    client = _client(sample_db)
    known = dict(query_rows(sample_db, "select flag_id, evidence_published_at from review_queue"))
    newest = FLAG_LINK.findall(client.get("/", params={"sort": "newest"}).text)
    dates = [known[f] for f in newest]
    assert dates == sorted(dates, reverse=True)
    gaps = dict(query_rows(sample_db, "select flag_id, amount_gap from review_queue"))
    by_gap = FLAG_LINK.findall(client.get("/", params={"sort": "gap"}).text)
    stated = [gaps[f] for f in by_gap if gaps[f] is not None]
    assert len(stated) >= 2 and stated == sorted(stated, reverse=True)
    assert by_gap[: len(stated)] == [
        f for f in by_gap if gaps[f] is not None
    ]  # flags without a gap come last


def test_queue_is_paginated(sample_db):
    client = _client(sample_db, per_page=4)
    total = query_rows(sample_db, "select count(*) from flag_status where status = 'open'")[0][0]
    seen, page_no = [], 1
    while True:
        page = client.get("/", params={"page": page_no})
        ids = FLAG_LINK.findall(page.text)
        assert len(ids) <= 4
        seen += ids
        if 'rel="next"' not in page.text:
            break
        page_no += 1
    assert page_no == -(-total // 4) > 1
    assert len(seen) == len(set(seen)) == total


@pytest.mark.parametrize(
    "params, message",
    [
        ({"status": "maybe"}, "status='maybe' is not one of"),
        ({"kind": "size_mismatch"}, "kind='size_mismatch' is not one of"),
        ({"deal": "japan"}, "write it as PLEDGER-RECIPIENT"),
        ({"from": "2025-13-01"}, "write it as YYYY-MM-DD"),
        ({"to": "yesterday"}, "write it as YYYY-MM-DD"),
        ({"from": "2025-08-01", "to": "2025-07-01"}, "is after"),
        ({"page": "0"}, "is not a page number"),
        ({"sort": "random"}, "sort='random' is not one of"),
    ],
)
def test_bad_filter_values_are_refused_with_one_clear_message(sample_db, params, message):
    page = _client(sample_db).get("/", params=params)
    assert page.status_code == 400
    assert message in page.text.replace("&#39;", "'")
    assert "Traceback" not in page.text


@pytest.mark.parametrize("flag_id", ["0123456789abcdef", "not-a-flag", "..%2f..%2fetc"])
def test_an_unknown_flag_is_a_404_page(sample_db, flag_id):
    page = _client(sample_db).get(f"/flags/{flag_id}")
    assert page.status_code == 404
    assert "There is no flag" in page.text or "Not found" in page.text


def test_every_kind_can_be_filtered():
    assert set(KINDS) == {
        "amount_mismatch", "stance_mismatch", "control_mismatch", "timing_mismatch", "condition_mismatch",
        "us_self_inconsistency",
    }  # fmt: skip


# --- the flag page --------------------------------------------------------------------------------------------


def test_flag_page_shows_both_sides_with_their_sources_and_cues(sample_db):
    flag_id = _amount_flag(sample_db)
    evidence = query_rows(
        sample_db,
        "select c.speaker, c.speaker_side, a.outlet, strftime(a.published_at, '%Y-%m-%d'), c.sentence, "
        "c.article_url, a.article_id from flags f join claims c on c.claim_id in (f.us_claim_id, f.other_claim_id) "
        "join articles a on a.canonical_url = c.article_url where f.flag_id = ? order by c.speaker_side desc",
        [flag_id],
    )
    page = _client(sample_db).get(f"/flags/{flag_id}")
    assert page.status_code == 200
    html = page.text
    us_at, partner_at = html.index("<h2>US side</h2>"), html.index("<h2>Partner side</h2>")
    assert us_at < partner_at
    for speaker, side, outlet, day, sentence, url, article_id in evidence:
        at = us_at if side == "us" else partner_at
        assert html.index(speaker, at) > at
        assert outlet in html and day in html
        assert f'href="{url}"' in html
        assert f'href="/archive/{article_id}"' in html
        plain = re.sub(r"<[^>]+>", "", html).replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
        assert sentence in plain  # the whole sentence, whatever is marked inside it
    sides = html[html.index('<div class="sides">') :]
    marked = re.findall(r'<mark class="cue cue-amount"[^>]*>([^<]+)</mark>', sides)
    assert len(marked) >= 2 and all("$" in m for m in marked)


def test_flag_page_lists_the_other_outlets_that_carried_the_claim(sample_db):
    flag_id, canonical_id = query_rows(
        sample_db,
        "select f.flag_id, c.canonical_claim_id from flags f join canonical_claims c "
        "on c.canonical_claim_id in (f.us_canonical_claim_id, f.other_canonical_claim_id) "
        "where c.articles > 1 order by c.articles desc, f.flag_id limit 1",
    )[0]
    articles = query_rows(
        sample_db,
        "select distinct m.article_url, a.outlet from claim_mentions m join articles a on a.canonical_url = m.article_url "
        "where m.canonical_claim_id = ?",
        [canonical_id],
    )
    assert len(articles) > 1
    html = _client(sample_db).get(f"/flags/{flag_id}").text
    carried = html[html.index("Also carried by") :]
    for url, outlet in articles:
        assert url in html and outlet in html
    assert sum(url in carried for url, _ in articles) >= len(articles) - 1


def test_the_archived_copy_is_the_crawled_response_served_sandboxed(sample_db):
    article_id, warc_file, record_id, url = query_rows(
        sample_db,
        "select article_id, warc_file, warc_record_id, canonical_url from articles order by article_id",
    )[0]
    records = {r["record_id"]: r for r in iter_records(sample_db.parent / "archive" / warc_file)}
    client = _client(sample_db)
    wrapper = client.get(f"/archive/{article_id}")
    assert (
        wrapper.status_code == 200
        and f"/archive/{article_id}/raw" in wrapper.text
        and "sandbox" in wrapper.text
    )
    raw = client.get(f"/archive/{article_id}/raw")
    assert raw.status_code == 200
    assert raw.content == records[record_id]["payload"]
    csp = raw.headers["content-security-policy"]
    assert csp == ARCHIVE_CSP and csp.startswith("sandbox;") and "script-src" not in csp
    assert "default-src 'none'" in csp
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert client.get("/archive/0123456789abcdef/raw").status_code == 404


def test_an_archive_file_gone_missing_is_a_404_not_a_crash(db):
    article_id = query_rows(db, "select article_id from articles order by article_id")[0][0]
    shutil.rmtree(db.parent / "archive")
    page = _client(db).get(f"/archive/{article_id}/raw")
    assert page.status_code == 404 and "archived copy is missing" in page.text


# --- decisions ----------------------------------------------------------------------------------------------


def test_decisions_are_recorded_with_note_and_name_and_kept_as_history(db):
    client = _client(db)
    flag_id = _amount_flag(db)
    first = _decide(client, flag_id, "needs_info", "Need the transcript of the briefing.", "Ana Ruiz")
    assert first.status_code == 303 and first.headers["location"].startswith(f"/flags/{flag_id}")
    second = _decide(
        client, flag_id, "confirmed", "Transcript checked: both figures as quoted.", "Ben Okafor"
    )
    assert second.status_code == 303
    rows = query_rows(
        db, "select decision, note, reviewer from reviews where flag_id = ? order by reviewed_at", [flag_id]
    )
    assert rows == [
        ("needs_info", "Need the transcript of the briefing.", "Ana Ruiz"),
        ("confirmed", "Transcript checked: both figures as quoted.", "Ben Okafor"),
    ]
    page = client.get(f"/flags/{flag_id}?recorded=1").text
    history = page[page.index('id="history"') :]
    assert history.index("Ben Okafor") < history.index("Ana Ruiz")  # newest first
    assert "Decision recorded." in page
    assert 'value="Ben Okafor"' in page  # the name is remembered for the next decision
    assert query_rows(db, "select status from flag_status where flag_id = ?", [flag_id]) == [("confirmed",)]
    # settled: no longer in the open queue, listed under confirmed
    assert flag_id not in client.get("/").text
    assert flag_id in client.get("/", params={"status": "confirmed"}).text


def test_a_post_without_a_valid_csrf_token_is_refused(db):
    client = _client(db)
    flag_id = _amount_flag(db)
    client.get(f"/flags/{flag_id}")  # has a session cookie now
    form = {"decision": "confirmed", "note": "forged", "reviewer": "mallory"}
    no_token = client.post(f"/flags/{flag_id}/reviews", data=form, follow_redirects=False)
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    wrong = client.post(
        f"/flags/{flag_id}/reviews", data=form | {"csrf_token": "0" * 64}, follow_redirects=False
    )
    assert wrong.status_code == 403
    # a token read from another browser's session does not work with this one's cookie
    other = _client(db)
    stolen = _csrf(other.get(f"/flags/{flag_id}").text)
    assert client.post(f"/flags/{flag_id}/reviews", data=form | {"csrf_token": stolen}).status_code == 403
    assert query_rows(db, "select count(*) from reviews") == [(0,)]


@pytest.mark.parametrize(
    "decision, reviewer, message",
    [("approved", "Ana", "unknown decision"), ("confirmed", "   ", "give the reviewer&#39;s name")],
)
def test_an_incomplete_decision_is_refused_and_the_form_kept(db, decision, reviewer, message):
    client = _client(db)
    flag_id = _amount_flag(db)
    response = _decide(client, flag_id, decision, "my careful note", reviewer)
    assert response.status_code == 400
    assert message in response.text and "my careful note" in response.text
    assert query_rows(db, "select count(*) from reviews") == [(0,)]


def test_a_decision_on_an_unknown_flag_is_a_404(db):
    client = _client(db)
    hidden = _hidden(client.get(f"/flags/{_amount_flag(db)}").text)
    response = client.post(
        "/flags/0123456789abcdef/reviews", data=hidden | {"decision": "confirmed", "reviewer": "a"}
    )
    assert response.status_code == 404


def test_decisions_survive_a_recrawl_through_the_pipeline(db):
    flag_id = _amount_flag(db)
    assert _decide(_client(db), flag_id, "confirmed", "checked", "Ana Ruiz").status_code == 303
    again = run_cli("nightly", "--sample", "--db", str(db))
    assert again.returncode == 0, again.stderr[-2000:]
    assert query_rows(db, "select status, reviewer, note from flag_status where flag_id = ?", [flag_id]) == [
        ("confirmed", "Ana Ruiz", "checked")
    ]
    assert "Ana Ruiz" in _client(db).get(f"/flags/{flag_id}").text


def test_decisions_survive_reextraction_with_new_claim_ids(own_db, tmp_path):
    flag_id = _amount_flag(own_db)
    before = query_rows(own_db, "select us_claim_id, other_claim_id from flags where flag_id = ?", [flag_id])[0]
    assert _decide(_client(own_db), flag_id, "dismissed", "a quote taken out of context").status_code == 303
    # the articles change (their headlines are marked as updated): re-extracted, every offset and claim id moves
    _ingest(tmp_path / "articles", own_db, prefix="Updated: ")
    after = query_rows(own_db, "select us_claim_id, other_claim_id from flags where flag_id = ?", [flag_id])[0]
    assert set(after).isdisjoint(before)
    assert query_rows(own_db, "select count(*) from claims where claim_id in (?, ?)", before) == [(0,)]
    assert query_rows(own_db, "select status, note from flag_status where flag_id = ?", [flag_id]) == [
        ("dismissed", "a quote taken out of context")
    ]
    page = _client(own_db).get(f"/flags/{flag_id}").text
    assert "a quote taken out of context" in page and "Updated: " in page


# --- safety ---------------------------------------------------------------------------------------------------


def test_markup_in_an_article_renders_inert(own_db):
    client = _client(own_db)
    flag_id = _amount_flag(own_db)
    page = client.get(f"/flags/{flag_id}")
    assert page.status_code == 200
    html = page.text
    assert "<script>alert" not in html and "<b onmouseover" not in html
    assert "&lt;script&gt;alert(&#39;pw&#39;)&lt;/script&gt;" in html
    assert "&lt;b onmouseover=alert(2)&gt;" in html
    assert "<script" not in html.lower()  # our pages carry no script of their own either
    assert "script-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in client.get("/", params={"status": "all"}).text.lower()


HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"


def test_a_decision_posted_while_the_nightly_job_holds_the_warehouse_says_busy(db):
    client = _client(db, busy_wait=0.5)
    flag_id = _amount_flag(db)
    form = _hidden(client.get(f"/flags/{flag_id}").text) | {
        "decision": "confirmed",
        "note": "seen both transcripts",
        "reviewer": "Ana Ruiz",
    }
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        busy = client.post(f"/flags/{flag_id}/reviews", data=form, follow_redirects=False)
        queue = client.get("/")
    finally:
        holder.kill()
        holder.wait()
    assert busy.status_code == 503 and queue.status_code == 503
    assert "The warehouse is busy" in busy.text and "Try again" in busy.text
    assert busy.headers["retry-after"]
    assert "seen both transcripts" in busy.text  # the note is kept for sending again
    assert "Traceback" not in busy.text and "IOException" not in busy.text
    assert query_rows(db, "select count(*) from reviews") == [(0,)]
    resend = _hidden(busy.text)  # the busy page's form sends the same decision, evidence included
    assert resend["us_canonical_claim_id"] == form["us_canonical_claim_id"]
    done = client.post(f"/flags/{flag_id}/reviews", data=form | resend, follow_redirects=False)
    assert done.status_code == 303
    assert query_rows(db, "select reviewer from reviews") == [("Ana Ruiz",)]


def test_with_an_access_token_every_page_asks_to_sign_in(sample_db):
    token = "correct-horse-battery-staple"
    client = _client(sample_db, access_token=token)
    first = client.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login")
    flag_id = _amount_flag(sample_db)
    assert client.get(f"/flags/{flag_id}", follow_redirects=False).status_code == 303
    assert client.post(f"/flags/{flag_id}/reviews", data={}).status_code == 401
    login = client.get("/login?next=/")
    wrong = client.post("/login", data={"csrf_token": _csrf(login.text), "token": "guess", "next": "/"})
    assert wrong.status_code == 401
    right = client.post(
        "/login", data={"csrf_token": _csrf(login.text), "token": token, "next": "https://evil.example/"},
        follow_redirects=False,
    )  # fmt: skip
    assert right.status_code == 303 and right.headers["location"] == "/"  # never off-site
    assert client.get("/").status_code == 200
    bearer = _client(sample_db, access_token=token)
    assert bearer.get("/", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_serve_refuses_other_hosts_without_a_token_in_one_line(sample_db):
    result = run_cli(
        "serve", "--host", "0.0.0.0", "--db", str(sample_db), env={"PLEDGEWATCH_REVIEW_TOKEN": ""}
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PLEDGEWATCH_REVIEW_TOKEN" in lines[0] and "0.0.0.0" in lines[0]
    short = run_cli(
        "serve", "--host", "0.0.0.0", "--db", str(sample_db), env={"PLEDGEWATCH_REVIEW_TOKEN": "abc"}
    )
    assert short.returncode == 2 and "shorter than" in short.stderr


def test_serve_without_a_warehouse_says_what_to_do(tmp_path):
    result = run_cli("serve", "--db", str(tmp_path / "none.duckdb"))
    assert result.returncode == 1
    assert "no warehouse here yet" in result.stderr and "Traceback" not in result.stderr


def test_csrf_tokens_belong_to_their_session():
    guard = Guard()
    assert guard.csrf_ok("session-a", guard.csrf_token("session-a"))
    assert not guard.csrf_ok("session-b", guard.csrf_token("session-a"))
    assert not guard.csrf_ok(None, guard.csrf_token("session-a"))
    assert not Guard().csrf_ok("session-a", guard.csrf_token("session-a"))  # another server's secret


# --- highlighting ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim, marked",
    [
        ({"sentence": "Japan will invest $550 billion by 2029.", "amount": 550e9, "timeframe": "by 2029"},
         [("$550 billion", ("amount",)), ("by 2029", ("timeframe",))]),
        ({"sentence": "It pledged $20bn, not the $350bn Trump cited.", "amount": 350e9},
         [("$350bn", ("amount",))]),
        ({"sentence": "The fund would be loans and loan guarantees.", "amount": None,
          "conditions": ["loans and loan guarantees"]},
         [("loans and loan guarantees", ("condition",))]),
        ({"sentence": "No amount here.", "amount": None}, []),
    ],
)  # fmt: skip
def test_highlight_marks_the_claims_cues(claim, marked):
    found = highlight(claim)
    assert "".join(s.text for s in found) == claim["sentence"]
    assert [(s.text, s.cues) for s in found if s.cues] == marked


def test_overlapping_cues_share_a_segment():
    found = segments(
        "capped at $20 billion a year", [Cue("condition", 0, 28, "c"), Cue("amount", 10, 21, "a")]
    )
    assert [(s.text, s.cues) for s in found] == [
        ("capped at ", ("condition",)), ("$20 billion", ("condition", "amount")), (" a year", ("condition",)),
    ]  # fmt: skip


def test_stance_cues_come_from_the_rules_that_fired(sample_db):
    flag_id = query_rows(sample_db, "select flag_id from flags where kind = 'stance_mismatch' order by flag_id")[
        0
    ][0]
    html = _client(sample_db).get(f"/flags/{flag_id}").text
    titles = re.findall(r'<mark class="cue[^"]*cue-stance[^"]*" title="([^"]+)"', html)
    rules = query_rows(
        sample_db,
        "select c.rule_id from flags f join claims c on c.claim_id = f.other_claim_id where f.flag_id = ?",
        [flag_id],
    )[0][0]
    assert titles and all(re.search(r"\((stance\.[\w-]+)\)", t).group(1) in rules for t in titles)


# --- ClaimReview export ---------------------------------------------------------------------------------------


def test_claimreview_export_of_confirmed_flags(db, tmp_path):
    confirmed, dismissed = query_rows(
        db, "select flag_id from flags where kind = 'amount_mismatch' order by flag_id"
    )[:2]
    # decided at a fixed time, so the date it is published under does not depend on when the test runs
    decided_at = datetime(2025, 8, 1, 12, 0, tzinfo=UTC)
    con = connect(db)
    try:
        for flag_id, decision in ((confirmed[0], "confirmed"), (dismissed[0], "dismissed")):
            seen = con.execute(
                "select us_canonical_claim_id, other_canonical_claim_id from flags where flag_id = ?",
                [flag_id],
            ).fetchone()
            record_review(con, flag_id, decision, "checked", "Ana Ruiz", now=decided_at, seen=seen)
    finally:
        con.close()
    out = tmp_path / "out" / "claimreview.json"
    result = run_cli(
        "export",
        "--claimreview",
        str(out),
        "--db",
        str(db),
        env={"PLEDGEWATCH_ORGANISATION": "Example Fact Check"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "1 ClaimReview" in result.stdout
    (review,) = json.loads(out.read_text(encoding="utf-8"))
    us_sentence, speaker, canonical_id = query_rows(
        db,
        "select c.sentence, c.speaker, cc.canonical_claim_id from flags f join claims c on c.claim_id = f.us_claim_id "
        "join canonical_claims cc on cc.canonical_claim_id = f.us_canonical_claim_id where f.flag_id = ?",
        confirmed,
    )[0]
    urls = {
        r[0]
        for r in query_rows(
            db, "select article_url from claim_mentions where canonical_claim_id = ?", [canonical_id]
        )
    }
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == us_sentence
    item = review["itemReviewed"]
    assert item["@type"] == "Claim" and item["author"] == {"@type": "Person", "name": speaker}
    assert {a["url"] for a in item["appearance"]} == urls
    assert review["reviewRating"]["@type"] == "Rating" and review["reviewRating"]["alternateName"]
    assert review["datePublished"] == decided_at.date().isoformat()
    assert review["author"] == {"@type": "Organization", "name": "Example Fact Check"}
    assert date.fromisoformat(item["datePublished"][:10]) <= date.today()


def test_claimreview_export_needs_an_organisation(sample_db, tmp_path):
    result = run_cli("export", "--claimreview", str(tmp_path / "c.json"), "--db", str(sample_db),
                     env={"PLEDGEWATCH_ORGANISATION": ""})  # fmt: skip
    assert result.returncode == 2 and "--organisation" in result.stderr
    assert not (tmp_path / "c.json").exists()
    nothing = run_cli("export", "--db", str(sample_db))
    assert nothing.returncode == 2 and "--claimreview" in nothing.stderr


# --- decisions and evidence that changes ---------------------------------------------------------------------


def _shift_evidence(db: Path, flag_id: str) -> tuple[str, str]:
    """What a recompute does when another pair becomes the flag's strongest: the flag cites another US-side
    claim of its deal. Returns the new canonical claim id and its sentence."""
    con = duckdb.connect(str(db))
    try:
        new_id, claim_id, sentence = con.execute(
            """
            select cc.canonical_claim_id, cc.example_claim_id, cc.example_sentence
            from canonical_claims cc join flags f using (pledger, recipient)
            where f.flag_id = ? and cc.speaker_side = 'us' and cc.canonical_claim_id <> f.us_canonical_claim_id
                and cc.example_claim_id is not null
            order by cc.canonical_claim_id limit 1
            """,
            [flag_id],
        ).fetchone()
        con.execute(
            "update flags set us_canonical_claim_id = ?, us_claim_id = ? where flag_id = ?",
            [new_id, claim_id, flag_id],
        )
    finally:
        con.close()
    return new_id, sentence


def test_a_decision_on_evidence_that_changed_since_the_page_was_shown_is_refused(db):
    client = _client(db)
    flag_id = _amount_flag(db)
    shown = _hidden(client.get(f"/flags/{flag_id}").text)
    new_id, new_sentence = _shift_evidence(db, flag_id)  # the nightly job recomputes the flags meanwhile
    form = shown | {"decision": "confirmed", "note": "checked both figures", "reviewer": "Ana Ruiz"}
    stale = client.post(f"/flags/{flag_id}/reviews", data=form, follow_redirects=False)
    assert stale.status_code == 409
    assert "The evidence for this flag changed" in stale.text and "not recorded" in stale.text
    # the page shows the new evidence (its sentence, between the highlights' markup)
    assert str(escape(new_sentence)) in re.sub(r"<[^>]+>", "", stale.text)
    assert "checked both figures" in stale.text  # and keeps the note
    assert query_rows(db, "select count(*) from reviews") == [(0,)]
    again = _hidden(stale.text)
    assert again["us_canonical_claim_id"] == new_id
    done = client.post(f"/flags/{flag_id}/reviews", data=form | again, follow_redirects=False)
    assert done.status_code == 303
    assert query_rows(db, "select us_canonical_claim_id from reviews") == [(new_id,)]
    # a form that does not say which evidence it was about is refused too
    bare = {k: v for k, v in form.items() if k not in ("us_canonical_claim_id", "other_canonical_claim_id")}
    assert client.post(f"/flags/{flag_id}/reviews", data=bare).status_code == 400


def test_a_flag_whose_evidence_changed_since_its_decision_is_back_in_the_queue(db, tmp_path):
    client = _client(db)
    flag_id = _amount_flag(db)
    assert _decide(client, flag_id, "confirmed", "checked", "Ana Ruiz").status_code == 303
    assert flag_id not in client.get("/").text
    _shift_evidence(db, flag_id)
    assert query_rows(
        db,
        "select status, decision, latest_decision, evidence_changed from flag_status where flag_id = ?",
        [flag_id],
    ) == [("open", None, "confirmed", True)]
    queue = client.get("/").text
    assert flag_id in queue and "evidence changed since confirmed" in queue
    page = client.get(f"/flags/{flag_id}").text
    assert "evidence changed since confirmed" in page and "Ana Ruiz" in page  # the history stays
    assert query_rows(db, "select count(*) from reviews where flag_id = ?", [flag_id]) == [(1,)]
    # `pledgewatch flags` lists it as to review; the ClaimReview export leaves it out
    listed = run_cli("flags", "--db", str(db), "--format", "jsonl")
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert flag_id in listed.stdout
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert confirmed_flags(con) == []
    finally:
        con.close()
    # decided again on the new evidence: settled and published again
    assert _decide(client, flag_id, "confirmed", "new figure checked too", "Ben Okafor").status_code == 303
    assert query_rows(db, "select status, evidence_changed from flag_status where flag_id = ?", [flag_id]) == [
        ("confirmed", False)
    ]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert [f["flag_id"] for f in confirmed_flags(con)] == [flag_id]
    finally:
        con.close()


def test_a_confirmed_flag_the_claims_no_longer_support_is_not_published(db):
    flag_id = _amount_flag(db)
    assert _decide(_client(db), flag_id, "confirmed", "checked").status_code == 303
    con = duckdb.connect(str(db))
    try:
        assert [f["flag_id"] for f in confirmed_flags(con)] == [flag_id]
        con.execute("update flags set is_open = false, closed_at = now() where flag_id = ?", [flag_id])
        assert con.execute("select status from flag_status where flag_id = ?", [flag_id]).fetchall() == [
            ("confirmed",)
        ]
        assert confirmed_flags(con) == []
    finally:
        con.close()


# --- hosts, origins, cookies and errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url", ["http://evil.example", "http://evil.example:8000", "http://127.0.0.2:8000"]
)
def test_a_request_for_another_host_name_is_refused(sample_db, base_url):
    # DNS rebinding: a page on evil.example whose name now resolves to this machine sends Host: evil.example
    response = _client(sample_db, base_url=base_url).get("/")
    assert response.status_code in (400, 403)
    assert "flag-link" not in response.text and "csrf_token" not in response.text


@pytest.mark.parametrize("base_url", ["http://localhost:8000", "http://127.0.0.1", "http://[::1]:8000"])
def test_local_host_names_are_served(sample_db, base_url):
    assert _client(sample_db, base_url=base_url).get("/").status_code == 200


def test_the_served_host_name_is_allowed_with_or_without_a_port(sample_db):
    for host in ("review.example.org", "review.example.org:8443"):
        client = _client(sample_db, base_url=f"http://{host}", allowed_hosts=("review.example.org",))
        assert client.get("/healthz").status_code == 200
    ipv6 = _client(sample_db, base_url="http://[2001:db8::1]:8000", allowed_hosts=("2001:db8::1",))
    assert ipv6.get("/healthz").status_code == 200
    assert _client(sample_db, base_url="http://other.example.org").get("/healthz").status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:9999"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/page"},
    ],
)
def test_a_post_from_another_site_is_refused(db, headers):
    client = _client(db)
    flag_id = _amount_flag(db)
    form = _hidden(client.get(f"/flags/{flag_id}").text) | {"decision": "confirmed", "reviewer": "mallory"}
    refused = client.post(f"/flags/{flag_id}/reviews", data=form, headers=headers, follow_redirects=False)
    assert refused.status_code == 403
    assert len(refused.text.strip().splitlines()) == 1 and "another site" in refused.text
    assert query_rows(db, "select count(*) from reviews") == [(0,)]
    # the same form from this server's own page is recorded
    own = client.post(
        f"/flags/{flag_id}/reviews", data=form, headers={"Origin": LOCAL}, follow_redirects=False
    )
    assert own.status_code == 303


def test_an_oversized_post_is_a_413_without_exception_text(db):
    client = _client(db)
    flag_id = _amount_flag(db)
    form = _hidden(client.get(f"/flags/{flag_id}").text) | {"decision": "confirmed", "reviewer": "Ana"}
    response = client.post(f"/flags/{flag_id}/reviews", data=form | {"note": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Too large" in response.text
    assert "Exception" not in response.text and "Traceback" not in response.text
    # the same body sent in chunks, without a Content-Length
    body = urlencode(form | {"note": "x" * (2 * 1024 * 1024)}).encode()
    chunked = client.post(
        f"/flags/{flag_id}/reviews",
        content=(body[i : i + 65536] for i in range(0, len(body), 65536)),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413 and "Too large" in chunked.text and "Exception" not in chunked.text
    assert query_rows(db, "select count(*) from reviews") == [(0,)]


def test_an_unexpected_error_is_logged_not_shown(sample_db, monkeypatch, caplog):
    def broken(con, query):
        raise RuntimeError("secret detail at /srv/private/warehouse.duckdb")

    monkeypatch.setattr("warehouse.reviews.queue", broken)
    app = create_app(ReviewConfig(db=sample_db, archive_dir=sample_db.parent / "archive"))
    client = TestClient(app, base_url=LOCAL, raise_server_exceptions=False)
    response = client.get("/")
    assert response.status_code == 500 and "Something went wrong" in response.text
    assert "secret detail" not in response.text and "RuntimeError" not in response.text
    assert "secret detail" in caplog.text


def _cookie(response, name: str) -> str:
    found = [v for v in response.headers.get_list("set-cookie") if v.startswith(f"{name}=")]
    assert found, f"no {name} cookie set"
    return found[0].lower()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_access_cookie_is_strict_and_expires_and_secure_over_https(sample_db, scheme):
    token = "correct-horse-battery-staple"
    client = _client(sample_db, base_url=f"{scheme}://review.example.org", access_token=token,
                     allowed_hosts=("review.example.org",))  # fmt: skip
    login = client.get("/login?next=/")
    session = _cookie(login, "pw_session")
    signed_in = client.post(
        "/login", data={"csrf_token": _csrf(login.text), "token": token, "next": "/"}, follow_redirects=False
    )
    assert signed_in.status_code == 303
    access = _cookie(signed_in, "pw_access")
    for cookie in (session, access):
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert ("; secure" in cookie) == (scheme == "https")
    assert "max-age=43200" in access
    # signing out removes the access cookie: the next page asks to sign in again
    page = client.get("/")
    assert page.status_code == 200 and "sign out" in page.text
    out = client.post("/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert 'pw_access=""' in _cookie(out, "pw_access") or "max-age=0" in _cookie(out, "pw_access")
    client.cookies.clear()  # what the browser does with a cookie that has expired
    assert client.get("/", follow_redirects=False).status_code == 303


def test_an_access_cookie_stops_working_after_its_max_age():
    guard = Guard("correct-horse-battery-staple", max_age=3600)
    cookie = guard.access_cookie(now=1_000_000)
    assert guard.access_cookie_ok(cookie, now=1_000_000 + 3599)
    assert not guard.access_cookie_ok(cookie, now=1_000_000 + 3601)
    assert not guard.access_cookie_ok("1000000." + "0" * 64, now=1_000_000)  # not signed with the token
    assert not Guard("another-token-entirely-xx").access_cookie_ok(cookie, now=1_000_000)
    forged = str(1_000_000 + 7200) + cookie[cookie.index(".") :]  # a later date on an old signature
    assert not guard.access_cookie_ok(forged, now=1_000_000 + 7200)


def test_the_host_names_served_besides_localhost():
    assert allowed_hosts(("0.0.0.0", "::", "::1", "2001:db8::1", "Review.Example.org:443", "[fe80::1]:80")) == [
        "localhost", "127.0.0.1", "[::1]", "[2001:db8::1]", "review.example.org", "[fe80::1]",
    ]  # fmt: skip
