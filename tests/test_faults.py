"""Fault drills: the real nightly job in real processes, offline (the bundled sample, or pages served on
127.0.0.1), killed or starved at each step. The next run puts things right with nothing lost and nothing
doubled, reviewers' decisions survive, and every run records what it did with an honest exit status.

A killed run is compared with the same runs never killed: same articles, claims, canonical claims, flags and
reviews. Kills land in the step they are meant for by waiting for that step's log event (and, while
crawling, for the request the local server is holding; inside the load, for the test hook's pause).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from conftest import BIN, ROOT
from crawlers.localsite import LocalSite, Route
from ops.runlock import lock_path, read_holder
from ops.runs import pending_path
from warehouse.db import connect
from test_concurrency import _hold
from test_local_server import article
from warehouse.reviews import record_review

EXPECTED = json.loads((ROOT / "crawlers" / "sample" / "expected.json").read_text(encoding="utf-8"))[
    "articles"
]
WARZONE = {url for url, a in EXPECTED.items() if a["outlet"] == "The War Zone"}
# Live crawls of 127.0.0.1 without politeness delays, one quick retry: the drills stay short.
FAST = """
[crawl.scrapy]
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = false
RETRY_TIMES = 1
RETRY_BACKOFF_BASE = 0.1
DOWNLOAD_TIMEOUT = 10
"""


def _env(**extra: str) -> dict[str, str]:
    """The caller's environment without our variables (a developer's shell must not leak in), plus `extra`."""
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith("PLEDGEWATCH_") and k != "GUARDIAN_API_KEY"
    }
    return keep | {"PLEDGEWATCH_LOG_FORMAT": "json"} | extra


def nightly(
    *args: str, env: dict | None = None, program: list[str] | None = None
) -> subprocess.CompletedProcess:
    """One nightly run to its end; the log is parsed into `.events` (one dict per JSON line)."""
    done = subprocess.run(
        [*(program or [str(BIN / "pledgewatch")]), *args],
        capture_output=True,
        text=True,
        env=_env(**(env or {})),
        timeout=300,
        cwd=ROOT,
    )
    done.events = _events(done.stderr.splitlines())
    return done


def _events(lines) -> list[dict]:
    found = []
    for line in lines:
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found


class Watched:
    """A nightly process whose JSON log lines are read as they come, so a test can act at a given step."""

    def __init__(self, *args: str, env: dict | None = None) -> None:
        self.proc = subprocess.Popen(
            [str(BIN / "pledgewatch"), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(**(env or {})),
            cwd=ROOT,
        )
        self.events: list[dict] = []
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line)
                self.events += _events([line])
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, name: str, timeout: float = 120) -> dict:
        """The first event called `name`; fails if the process ends or the time runs out first."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = next((e for e in self.events if e.get("event") == name), None)
                if found:
                    return found
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(f"nightly ended before {name}:\n" + "".join(self.lines[-20:]))
                if time.monotonic() > deadline:
                    raise AssertionError(f"no {name} event in {timeout}s:\n" + "".join(self.lines[-20:]))
                self._changed.wait(0.2)

    def kill(self) -> None:
        """SIGKILL: no handler runs, no end is recorded, the kernel drops the run lock."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=60)
        self._reader.join(timeout=10)

    def names(self) -> list[str]:
        return [e["event"] for e in self.events]


def snapshot(db: Path) -> dict:
    """What a warehouse holds, without times and archive file names (those differ between runs)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = lambda sql: sorted(con.execute(sql).fetchall())  # noqa: E731
        return {
            "articles": q("select canonical_url, content_hash, revision from articles"),
            "revisions": q("select article_id, revision from article_revisions"),
            "claims": q("select claim_id from claims"),  # a duplicated claim would show twice
            "canonical_claims": q("select canonical_claim_id, mentions from canonical_claims"),
            "flags": q("select flag_id, kind, pledger, recipient, is_open, evidence_pairs from flags"),
            "reviews": q("select review_id, flag_id, decision, note, reviewer, reviewed_at from reviews"),
        }
    finally:
        con.close()


def runs(db: Path) -> dict[str, dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute("select * from runs order by started_at")
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}
    finally:
        con.close()


def copy_warehouse(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "warehouse.duckdb"
    shutil.copy(source, target)
    return target


def add_review(db: Path) -> None:
    """A fact-checker's decision on a flag, recorded before the drill; it must survive."""
    con = connect(db)
    try:
        (flag_id,) = con.execute("select min(flag_id) from flags").fetchone()
        record_review(
            con, flag_id, "confirmed", "Both statements checked against the sources.", "Drill Reviewer"
        )
    finally:
        con.close()


def without_reviews_ids(snap: dict) -> dict:
    """Review ids and times differ between two warehouses where the same decision was recorded."""
    return snap | {"reviews": [r[1:5] for r in snap["reviews"]]}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A warehouse after one clean nightly run of the sample's PBS pages (its flags include KOR and JPN deals)."""
    db = tmp_path_factory.mktemp("base") / "warehouse.duckdb"
    done = nightly("nightly", "--sample", "--spider", "pbs", "--db", str(db))
    assert done.returncode == 0, done.stderr[-3000:]
    assert snapshot(db)["flags"]
    return db


@pytest.fixture(scope="module")
def sample_reference(base, tmp_path_factory) -> dict:
    """The base, a review, then a whole-sample run never interrupted: what every sample drill must end with."""
    db = copy_warehouse(base, tmp_path_factory.mktemp("reference"))
    add_review(db)
    done = nightly("nightly", "--sample", "--db", str(db))
    assert done.returncode == 0, done.stderr[-3000:]
    snap = snapshot(db)
    assert {a[0] for a in snap["articles"]} == set(EXPECTED)
    return snap


def _rerun_puts_it_right(db: Path, killed: Watched, reference: dict, before: dict) -> None:
    """The run after a killed one: exit 0, the killed run marked aborted, the warehouse as if never killed."""
    killed_id = killed.events[0]["run_id"]
    assert runs(db)[killed_id]["status"] == "running"  # a killed run could record no end
    assert json.loads(lock_path(db).read_text())["run_id"] == killed_id  # its note stays, its lock is gone
    assert read_holder(db) is None
    rerun = nightly("nightly", "--sample", "--db", str(db))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    aborted = [e for e in rerun.events if e["event"] == "run.aborted"]
    assert [e["aborted_run"] for e in aborted] == [killed_id]
    after = snapshot(db)
    assert len(after["claims"]) == len(set(after["claims"]))
    assert without_reviews_ids(after) == without_reviews_ids(reference)
    assert after["reviews"] == before["reviews"]  # the very review row, untouched
    rows = runs(db)
    assert rows[killed_id]["status"] == "aborted" and rows[killed_id]["finished_at"] is None
    assert rerun.events[0]["run_id"] in rows[killed_id]["error"]
    assert rows[rerun.events[0]["run_id"]]["status"] == "ok"


def test_killed_while_extracting_then_rerun(base, sample_reference, tmp_path):
    db = copy_warehouse(base, tmp_path)
    add_review(db)
    before = snapshot(db)
    run = Watched("nightly", "--sample", "--db", str(db))
    run.wait_for("extract.start")
    run.kill()
    assert "crawl.done" in run.names() and "load.start" not in run.names()  # killed in the extraction step
    assert snapshot(db) == before  # nothing was written while extracting
    _rerun_puts_it_right(db, run, sample_reference, before)


def test_killed_inside_the_load_transaction_then_rerun(base, sample_reference, tmp_path):
    db = copy_warehouse(base, tmp_path)
    add_review(db)
    before = snapshot(db)
    run = Watched("nightly", "--sample", "--db", str(db), env={"PLEDGEWATCH_TEST_PAUSE": "load"})
    run.wait_for("test.paused")  # every article and claim written, not yet committed
    run_id = run.events[0]["run_id"]

    # meanwhile a second run exits at once, naming the run in progress
    second = nightly("nightly", "--sample", "--db", str(db))
    assert second.returncode == 1
    assert "another nightly run is in progress" in second.stderr.splitlines()[-1]
    assert f"run {run_id}" in second.stderr.splitlines()[-1] and "loading" in second.stderr.splitlines()[-1]
    assert [e["event"] for e in second.events] == ["run.skipped"]
    # and status says in one line that the warehouse is busy, and by whom
    busy = subprocess.run([str(BIN / "pledgewatch"), "--lock-wait", "0", "status", "--db", str(db)], capture_output=True, text=True,
                          env=_env(), timeout=60)  # fmt: skip
    assert busy.returncode == 1 and busy.stdout == ""
    assert len(busy.stderr.strip().splitlines()) == 1  # one line
    assert "is busy" in busy.stderr and run_id in busy.stderr

    run.kill()
    assert "load.start" in run.names() and "load.done" not in run.names()
    assert snapshot(db) == before  # the uncommitted load left nothing behind
    _rerun_puts_it_right(db, run, sample_reference, before)


# --- killed while crawling: pages served on 127.0.0.1, one of them held until the kill -------------------------


def _page(slug: str, title: str, paragraphs: list[str]) -> bytes:
    """A page in PBS NewsHour's structure, our own text, published after the sample's articles."""
    return article(slug, title, paragraphs, published="2025-11-20T09:00:00-05:00").encode()


PAGES = {
    "/news/eu-promise": _page("eu-promise", "EU leaders weigh the $600 billion promise", [
        "President Donald Trump said the European Union would invest $600 billion in the United States on top of "
        "what it already spends.",
        "European Commission President Ursula von der Leyen said the $600 billion reflected the plans of private "
        "companies and could not be guaranteed by Brussels.",
    ]),
    "/news/taiwan-chips": _page("taiwan-chips", "Taiwan's chip pledge under scrutiny", [
        "Commerce Secretary Howard Lutnick said Taiwan would invest $250 billion in American chip factories, with "
        "Washington choosing the projects.",
        "Taiwan's economy minister Kung Ming-hsin said Taiwanese companies, not the United States, would decide "
        "where the $250 billion goes.",
    ]),
    "/news/korea-fund": _page("korea-fund", "Korean shipyards wait for the fund", [
        "Trump said South Korea would hand over $350 billion upfront for projects he selects.",
        "Seoul's policy chief Kim Yong-beom said only $200 billion would be paid in cash, in yearly installments.",
    ]),
}  # fmt: skip
HELD = "/news/korea-fund"


def _feed(site: LocalSite, paths) -> Route:
    items = "".join(f"<item><title>item</title><link>{site.url(p)}</link></item>" for p in paths)
    body = f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>"
    return Route(body.encode(), content_type="application/rss+xml; charset=utf-8")


def _config(folder: Path, feeds: dict[str, str]) -> Path:
    path = folder / "pledgewatch.toml"
    lines = ["[crawl.feeds]", *(f"{name} = ['{url}']" for name, url in feeds.items())]
    path.write_text("\n".join(lines) + "\n" + FAST, encoding="utf-8")
    return path


def test_killed_while_crawling_then_rerun(base, tmp_path):
    requested, release = threading.Event(), threading.Event()

    def held(path: str) -> Route:  # answers only when the test lets it (or after 60 s)
        requested.set()
        release.wait(60)
        return Route(PAGES[HELD])

    routes = {"/robots.txt": Route(b"User-agent: *\nAllow: /\n", content_type="text/plain"), **{
        p: Route(html) for p, html in PAGES.items()}}  # fmt: skip
    with LocalSite(routes) as site:
        routes["/feed.xml"] = _feed(site, PAGES)
        config = _config(tmp_path, {"pbs": site.url("/feed.xml")})
        # the same runs never interrupted, against the same pages
        reference_db = copy_warehouse(base, tmp_path / "reference")
        add_review(reference_db)
        done = nightly("--config", str(config), "nightly", "--spider", "pbs", "--db", str(reference_db))
        assert done.returncode == 0, done.stderr[-3000:]
        reference = snapshot(reference_db)
        assert {site.url(p) for p in PAGES} <= {a[0] for a in reference["articles"]}
        assert len(reference["claims"]) > len(snapshot(base)["claims"])

        db = copy_warehouse(base, tmp_path / "drill")
        add_review(db)
        before = snapshot(db)
        routes[HELD] = held
        run = Watched("--config", str(config), "nightly", "--spider", "pbs", "--db", str(db))
        run.wait_for("crawl.start")
        assert requested.wait(60), "the held page was never asked for"
        # status meanwhile (the warehouse is free while crawling) names the run and its step
        shown = subprocess.run([str(BIN / "pledgewatch"), "status", "--db", str(db), "--format", "json"],
                               capture_output=True, text=True, env=_env(), timeout=60)  # fmt: skip
        running = json.loads(shown.stdout)["running"]
        assert (running["run_id"], running["phase"]) == (run.events[0]["run_id"], "crawling")
        run.kill()  # while the crawler waits for the held page
        release.set()
        assert "crawl.done" not in run.names()
        assert snapshot(db) == before
        routes[HELD] = Route(PAGES[HELD])
        killed_id = run.events[0]["run_id"]
        rerun = nightly("--config", str(config), "nightly", "--spider", "pbs", "--db", str(db))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    after = snapshot(db)
    assert without_reviews_ids(after) == without_reviews_ids(reference)
    assert after["reviews"] == before["reviews"]
    assert runs(db)[killed_id]["status"] == "aborted"
    # the archive the killed run was writing does not get in the way: the rerun writes its own
    con = duckdb.connect(str(db), read_only=True)
    warcs = con.execute(
        "select distinct warc_file from articles where canonical_url like 'http://127.0.0.1%'"
    ).fetchall()
    con.close()
    assert len(warcs) == 1 and (db.parent / "archive" / warcs[0][0]).is_file()


# --- failing outlets and spiders -------------------------------------------------------------------------------

RAISING_SPIDER = """
import sys
from crawlers.spiders.pbs import PbsSpider

def parse_page(self, response):  # the fault: the outlet changed its pages and the spider raises on each
    raise RuntimeError("layout changed: no article body")

PbsSpider.parse_page = parse_page
import pipeline
pipeline.main()
"""


def test_one_spider_raising_on_every_page(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    done = nightly(
        "nightly", "--sample", "--spider", "pbs", "--spider", "warzone", "--db", str(db),
        program=[sys.executable, "-c", RAISING_SPIDER],
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-3000:]
    run_id = done.events[0]["run_id"]
    assert f"run {run_id}: partial" in done.stdout
    row = runs(db)[run_id]
    assert row["status"] == "partial" and row["finished_at"] is not None
    stats = json.loads(row["spider_stats"])
    assert stats["pbs"]["parsed"] == 0 and stats["pbs"]["failed"] > 0
    assert stats["warzone"]["parsed"] == len(WARZONE) and stats["warzone"]["failed"] == 0
    con = duckdb.connect(str(db), read_only=True)
    failures = con.execute("select url, reason from crawl_failures where run_id = ?", [run_id]).fetchall()
    stored = {r[0] for r in con.execute("select canonical_url from articles").fetchall()}
    con.close()
    assert len(failures) == stats["pbs"]["failed"]
    assert all("pbs.org" in url and reason == "spider error: RuntimeError: layout changed: no article body"
               for url, reason in failures)  # fmt: skip
    assert stored == WARZONE  # the other spider's work is kept
    assert {e["run_id"] for e in done.events} == {run_id}  # every log line, Scrapy's too, carries the run id
    assert any(e["logger"].startswith("scrapy") for e in done.events)


def test_an_outlet_answering_503_to_everything(tmp_path):
    good = {"/robots.txt": Route(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
            **{p: Route(html) for p, html in PAGES.items() if p != HELD}}  # fmt: skip
    down = Route(b"<h1>Service Unavailable</h1>", status=503)
    with LocalSite(good) as working, LocalSite({}) as broken:
        broken.routes = _AlwaysDown(down)
        good["/feed.xml"] = _feed(working, [p for p in PAGES if p != HELD])
        config = _config(tmp_path, {"pbs": broken.url("/feed.xml"), "warzone": working.url("/feed.xml")})
        db = tmp_path / "warehouse.duckdb"
        done = nightly(
            "--config", str(config), "nightly", "--spider", "pbs", "--spider", "warzone", "--db", str(db)
        )
        first_hits = [h.path for h in broken.hits]
        failed_alone = nightly("--config", str(config), "nightly", "--spider", "pbs", "--db", str(db))
    assert done.returncode == 1, done.stderr[-3000:]
    run_id = done.events[0]["run_id"]
    row = runs(db)[run_id]
    assert row["status"] == "partial"
    stats = json.loads(row["spider_stats"])
    assert stats["pbs"]["parsed"] == 0 and stats["pbs"]["failed"] >= 1 and stats["warzone"]["parsed"] == 2
    assert {"url": broken.url("/feed.xml"), "reason": "HTTP 503"} in json.loads(row["failures"])
    assert first_hits.count("/feed.xml") == 2  # asked again once, after a pause, then given up
    # the outlet alone: nothing came in, the run failed, and says so
    assert failed_alone.returncode == 1
    assert runs(db)[failed_alone.events[0]["run_id"]]["status"] == "failed"
    assert "partial" not in failed_alone.stdout and ": failed" in failed_alone.stdout
    # status shows the outlet failing and the other healthy
    shown = subprocess.run([str(BIN / "pledgewatch"), "status", "--db", str(db), "--format", "json"],
                           capture_output=True, text=True, env=_env(), timeout=60)  # fmt: skip
    outlets = {o["outlet"]: o for o in json.loads(shown.stdout)["outlets"]}
    assert outlets["pbs"]["last_success_at"] is None and outlets["pbs"]["recent_failed_runs"] == 2
    assert outlets["warzone"]["last_success_at"] is not None and outlets["warzone"]["recent_failed_runs"] == 0
    assert outlets["warzone"]["articles"] == 2


class _AlwaysDown(dict):
    """Routes answering every path with the same route."""

    def __init__(self, route: Route) -> None:
        super().__init__()
        self.route = route

    def get(self, path, default=None):
        return self.route


# --- the warehouse held by another process ------------------------------------------------------------------------


def _release(holder: subprocess.Popen) -> None:
    holder.kill()
    holder.wait()


def test_the_warehouse_held_by_another_process_at_the_start_and_at_the_load(base, tmp_path):
    db = copy_warehouse(base, tmp_path)
    before = snapshot(db)

    holder = _hold(db, 120)
    try:
        at_start = nightly("--lock-wait", "1", "nightly", "--sample", "--spider", "warzone", "--db", str(db))
    finally:
        _release(holder)
    assert at_start.returncode == 1
    last = at_start.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "locked by another process" in last and "Retry" in last
    assert "crawl.start" not in [e["event"] for e in at_start.events]
    assert snapshot(db) == before and pending_path(db).is_file()  # its record waits beside the warehouse

    run = Watched("--lock-wait", "1", "nightly", "--sample", "--spider", "warzone", "--db", str(db))
    run.wait_for("crawl.start")  # the run has let go of the warehouse; someone else takes it
    holder = _hold(db, 120)
    try:
        run.proc.wait(timeout=120)
        run._reader.join(timeout=10)
    finally:
        _release(holder)
    assert run.proc.returncode == 1
    assert "Nothing of this run was stored" in run.lines[-1]
    assert "extract.done" in run.names() and "load.done" not in run.names()
    assert snapshot(db) == before

    after = nightly("nightly", "--sample", "--spider", "warzone", "--db", str(db))
    assert after.returncode == 0, after.stderr[-3000:]
    # each record waiting beside the warehouse is stored by the next run that can open it
    stored = [e["stored_run"] for e in run.events if e["event"] == "run.stored"]
    stored += [e["stored_run"] for e in after.events if e["event"] == "run.stored"]
    assert stored == [at_start.events[0]["run_id"], run.events[0]["run_id"]]
    rows = runs(db)
    assert rows[stored[0]]["status"] == "failed" and "warehouse busy" in rows[stored[0]]["error"]
    assert rows[stored[1]]["status"] == "failed" and "at load time" in rows[stored[1]]["error"]
    assert json.loads(rows[stored[1]]["spider_stats"])["warzone"]["parsed"] == len(WARZONE)
    assert rows[after.events[0]["run_id"]]["status"] == "ok"
    final = snapshot(db)
    assert {a[0] for a in final["articles"]} == {a[0] for a in before["articles"]} | WARZONE  # brought in now
    assert len(final["claims"]) == len(set(final["claims"]))
    assert not pending_path(db).exists()


# --- the web archive cannot be written; the run's bounds ------------------------------------------------------


def test_an_archive_that_cannot_be_written_and_a_bounded_run(tmp_path):
    in_the_way = tmp_path / "disk"
    in_the_way.write_text("a file where the archive's disk should be", encoding="utf-8")
    db = tmp_path / "warehouse.duckdb"
    # a file named as the archive folder is a mistake in the configuration, found before anything runs
    mistake = nightly("nightly", "--sample", "--db", str(db), "--archive-dir", str(in_the_way))
    assert mistake.returncode == 2 and "is a file" in mistake.stderr and not db.exists()
    # an archive folder that cannot be made or written when the run gets to it: the run goes on without it
    log_file = tmp_path / "logs" / "nightly.jsonl"
    done = nightly("--log-file", str(log_file), "nightly", "--sample", "--db", str(db), "--archive-dir",
                   str(in_the_way / "archive"), "--since", "2025-10-01", "--max-articles", "1")  # fmt: skip
    assert done.returncode == 1, done.stderr[-3000:]
    # with a log file, every event goes there and stderr keeps the warnings and errors only
    logged = _events(log_file.read_text(encoding="utf-8").splitlines())
    run_id = logged[0]["run_id"]
    assert {e["run_id"] for e in logged} == {run_id} and "run.end" in [e["event"] for e in logged]
    assert done.events and all(e["level"] in ("warning", "error") for e in done.events)
    assert "archive.unwritable" in [e["event"] for e in done.events]
    row = runs(db)[run_id]
    assert row["status"] == "partial"
    reasons = [f["reason"] for f in json.loads(row["failures"])]
    assert any(r.startswith("archive: cannot write the web archive (Not a directory") for r in reasons)
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("select outlet, published_at, warc_file from articles").fetchall()
    con.close()
    # bounded: at most one article per outlet, none published before --since; kept without an archive record
    outlets = [s[0] for s in stored]
    assert stored and len(outlets) == len(set(outlets))
    assert all(s[1].isoformat() >= "2025-10-01" and s[2] is None for s in stored)
    assert in_the_way.read_text(encoding="utf-8").startswith("a file")
