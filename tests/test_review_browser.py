"""The review page in a real browser: Playwright drives Debian's Chromium against `pledgewatch serve` on a
warehouse built by `nightly --sample`: the queue, a flag, a confirmation with a note, then the warehouse.

Set REVIEW_SCREENSHOT=docs/review-flag.png to refresh the README's screenshot of a flag page.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect, sync_playwright

from conftest import BIN, query_rows, run_cli
from crawlers.archive import ArchiveWriter

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium is not at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A warehouse from `nightly --sample` and `pledgewatch serve` on it, on a free local port."""
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "warehouse.duckdb"
    built = run_cli("nightly", "--sample", "--db", str(db))
    assert built.returncode == 0, built.stderr[-3000:]
    port = _free_port()
    log = (folder / "serve.log").open("w")
    env = {k: v for k, v in os.environ.items() if k not in ("PLEDGEWATCH_DB", "PLEDGEWATCH_REVIEW_TOKEN")}
    server = subprocess.Popen(
        [str(BIN / "pledgewatch"), "serve", "--db", str(db), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail("serve did not start: " + (folder / "serve.log").read_text()[-2000:])
        time.sleep(0.2)
    try:
        yield base, db
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_a_reviewer_confirms_a_flag_in_the_browser(served, browser, tmp_path):
    base, db = served
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(base + "/")
    expect(page.locator("h1")).to_have_text("Flags to review")
    open_count = query_rows(db, "select count(*) from flag_status where status = 'open'")[0][0]
    expect(page.locator("a.flag-link")).to_have_count(open_count)

    # filter the queue to the amount flags, with the form
    page.select_option("select[name=kind]", "amount_mismatch")
    page.click("button:text('Apply')")
    amount_flags = query_rows(db, "select flag_id, explanation from flags where kind = 'amount_mismatch'")
    expect(page.locator("a.flag-link")).to_have_count(len(amount_flags))
    assert "kind=amount_mismatch" in page.url

    link = page.locator("a.flag-link").first
    flag_id = link.get_attribute("href").rsplit("/", 1)[1]
    link.click()
    expect(page.locator(".explanation")).to_have_text(dict(amount_flags)[flag_id])
    sides = page.locator(".sides article.evidence")
    expect(sides).to_have_count(2)
    expect(sides.nth(0).locator("h2")).to_have_text("US side")
    expect(sides.nth(1).locator("h2")).to_have_text("Partner side")
    # side by side: the partner's column starts to the right of the US column, at the same height
    us_box, partner_box = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert partner_box["x"] >= us_box["x"] + us_box["width"] and abs(partner_box["y"] - us_box["y"]) < 5
    expect(sides.nth(0).locator("mark.cue-amount").first).to_be_visible()

    shot = page.screenshot(full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("REVIEW_SCREENSHOT"):
        Path(os.environ["REVIEW_SCREENSHOT"]).write_bytes(page.screenshot(full_page=False))

    page.check("input[name=decision][value=confirmed]")
    page.fill("textarea[name=note]", "Both figures checked against the transcripts.")
    page.fill("input[name=reviewer]", "Ana Ruiz")
    page.click("button:text('Record decision')")
    expect(page.locator(".notice")).to_have_text("Decision recorded.")
    expect(page.locator("#history .review").first).to_contain_text("Ana Ruiz")
    expect(page.locator("#history .note").first).to_have_text("Both figures checked against the transcripts.")

    assert query_rows(db, "select decision, note, reviewer from reviews where flag_id = ?", [flag_id]) == [
        ("confirmed", "Both figures checked against the transcripts.", "Ana Ruiz")
    ]
    assert query_rows(db, "select status from flag_status where flag_id = ?", [flag_id]) == [("confirmed",)]

    # the confirmed flag has left the open queue
    page.goto(base + "/")
    expect(page.locator("a.flag-link")).to_have_count(open_count - 1)
    expect(page.locator(f"a[href='/flags/{flag_id}']")).to_have_count(0)


def test_the_archived_copy_opens_inside_the_page(served, browser):
    base, db = served
    flag_id, title = query_rows(
        db,
        "select f.flag_id, a.title from flags f join claims c on c.claim_id = f.us_claim_id "
        "join articles a on a.canonical_url = c.article_url order by f.flag_id limit 1",
    )[0]
    page = browser.new_page()
    page.goto(f"{base}/flags/{flag_id}")
    page.locator(".sides article.evidence").first.locator("a.archive-copy").click()
    expect(page.locator("h1")).to_have_text("Archived copy")
    frame = page.frame_locator("iframe.archived-page")
    expect(frame.locator("h1").first).to_contain_text(title[:30])


def test_scripts_in_an_archived_page_do_not_run(served, browser):
    base, db = served
    port = base.rsplit(":", 1)[1]
    hostile = (
        "<html><head><title>as crawled</title></head><body><p id='text'>archived words</p>"
        "<script>document.title = 'script ran'; document.getElementById('text').textContent = 'changed';"
        "fetch('/healthz?from-script');</script>"
        f"<img src='http://127.0.0.1:{port}/healthz?from-image'></body></html>"
    ).encode()
    archive = db.parent / "archive"
    warc = archive / "hostile.warc.gz"
    writer = ArchiveWriter(warc)
    record_id = writer.write("https://example.org/hostile", 200, [("Content-Type", "text/html")], hostile)
    writer.close()
    article_id = query_rows(db, "select article_id from articles order by article_id limit 1")[0][0]
    con = duckdb.connect(str(db))
    try:
        con.execute(
            "update articles set warc_file = ?, warc_record_id = ? where article_id = ?",
            [warc.name, record_id, article_id],
        )
    finally:
        con.close()
    page = browser.new_page()
    finished: list[str] = []
    blocked: dict[str, str] = {}
    page.on("requestfinished", lambda request: finished.append(request.url))
    page.on("requestfailed", lambda request: blocked.update({request.url: request.failure or ""}))
    page.goto(f"{base}/archive/{article_id}/raw")
    expect(page.locator("#text")).to_have_text("archived words")
    page.wait_for_timeout(300)
    assert page.title() == "as crawled"
    assert not [url for url in finished if "from-" in url]  # neither the script's fetch nor the image
    assert [reason for url, reason in blocked.items() if "from-image" in url] == ["csp"]
    assert not [url for url in blocked if "from-script" in url]  # the script never ran to ask
