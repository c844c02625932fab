"""Replaying recordings through the real spiders, Scrapy engine and downloader (one crawl per subprocess)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawlers.replay import DirectoryResponses, ReplayMiddleware, open_recording
from crawlers.run import SAMPLE_DIR, run_crawl

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((SAMPLE_DIR / "expected.json").read_text(encoding="utf-8"))
SPIDERS = ["pbs", "guardian", "warzone"]
CRAWL = """
import dataclasses, json, sys
from crawlers.run import run_crawl
args = json.loads(sys.argv[1])
result = run_crawl(args["spiders"], replay_dir=args["replay_dir"], max_articles=args.get("max_articles"),
                   settings={"LOG_LEVEL": "WARNING", **args.get("settings", {})})
print(json.dumps(dataclasses.asdict(result), default=str))
"""


def crawl(replay_dir: Path, spiders: list[str] = SPIDERS, **kwargs) -> dict:
    """run_crawl in a fresh interpreter, since Twisted's reactor starts once per process."""
    args = json.dumps({"spiders": spiders, "replay_dir": str(replay_dir), **kwargs})
    done = subprocess.run(
        [sys.executable, "-c", CRAWL, args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {**json.loads(done.stdout.splitlines()[-1]), "log": done.stderr}


@pytest.fixture(scope="module")
def sample_crawl() -> dict:
    return crawl(SAMPLE_DIR, settings={"LOG_LEVEL": "INFO"})


def test_sample_replay_returns_every_sample_article(sample_crawl):
    got = {a["url"]: a for a in sample_crawl["articles"]}
    assert sorted(got) == sorted(EXPECTED["articles"])
    for url, expected in EXPECTED["articles"].items():
        article = got[url]
        assert {k: article[k] for k in ("outlet", "title", "authors", "published_at")} == {
            k: expected[k] for k in ("outlet", "title", "authors", "published_at")
        }
        assert article["fetched_at"] == "2025-10-31T06:00:00+00:00"  # the recording's Date header


def test_sample_replay_counts_skipped_and_failed_pages(sample_crawl):
    assert sample_crawl["stats"] == {
        "pbs": {"fetched": 7, "parsed": 6, "skipped": 1, "failed": 0, "unchanged": 0},
        "guardian": {"fetched": 7, "parsed": 6, "skipped": 0, "failed": 1, "unchanged": 0},
        "warzone": {"fetched": 4, "parsed": 4, "skipped": 0, "failed": 0, "unchanged": 0},
    }
    assert sample_crawl["failures"] == [[EXPECTED["failed"][0], "HTTP 404"]]
    # one clear line per bad page; a page that is gone is the site's choice, logged below warning level
    line = next(x for x in sample_crawl["log"].splitlines() if f"failed {EXPECTED['failed'][0]}: HTTP 404" in x)
    assert "INFO" in line and "WARNING" not in line


def test_robots_txt_server_errors_and_limits_apply_to_replays(tmp_path):
    recording = tmp_path / "recording"
    shutil.copytree(SAMPLE_DIR, recording)
    manifest = json.loads((recording / "manifest.json").read_text())
    twz = [
        u
        for u in manifest["responses"]
        if u.startswith("https://www.twz.com/") and u.endswith(("-play", "-missiles"))
    ]
    (recording / "warzone" / "robots.txt").write_text("User-agent: *\nDisallow: /sea/\n")
    manifest["responses"][twz[1]]["status"] = 503
    (recording / "manifest.json").write_text(json.dumps(manifest))

    result = crawl(recording, ["warzone"])
    reasons = dict(map(tuple, result["failures"]))
    assert "robots.txt" in reasons[twz[0]]
    assert reasons[twz[1]] == "HTTP 503"
    assert result["stats"]["warzone"] == {
        "fetched": 3,
        "parsed": 2,
        "skipped": 0,
        "failed": 2,
        "unchanged": 0,
    }
    assert "Retrying" in result["log"] or "Gave up retrying" in result["log"]

    limited = crawl(SAMPLE_DIR, ["pbs", "warzone"], max_articles=3)
    assert sorted(a["outlet"] for a in limited["articles"]) == ["PBS NewsHour"] * 3 + ["The War Zone"] * 3


def test_middleware_is_off_without_a_replay_dir():
    with pytest.raises(NotConfigured):
        ReplayMiddleware.from_crawler(get_crawler(settings_dict={}))


def test_middleware_answers_from_the_recording_and_404s_the_rest():
    middleware = ReplayMiddleware.from_crawler(
        get_crawler(settings_dict={"PLEDGEWATCH_REPLAY_DIR": str(SAMPLE_DIR)})
    )
    feed = middleware.process_request(Request("https://www.twz.com/feed"))
    page = middleware.process_request(Request(next(iter(EXPECTED["articles"])) + "#comments"))
    robots = middleware.process_request(Request("https://www.pbs.org/robots.txt"))
    missing = middleware.process_request(Request("https://www.pbs.org/newshour/nothing-here"))
    assert isinstance(feed, XmlResponse) and feed.status == 200
    assert isinstance(page, HtmlResponse) and page.status == 200 and b"<h1" in page.body
    assert isinstance(robots, TextResponse) and b"User-agent" in robots.body
    assert missing.status == 404


def test_recording_lookup_ignores_fragments_and_query_order():
    recording = DirectoryResponses(SAMPLE_DIR)
    assert recording.get("https://www.pbs.org/robots.txt#x") is not None
    assert recording.get("https://www.pbs.org/robots.txt?b=2&a=1") is None


def test_open_recording_refuses_a_folder_without_manifest(tmp_path):
    with pytest.raises(ValueError, match=r"no manifest\.json"):
        open_recording(tmp_path)


def test_a_folder_that_is_not_a_recording_is_refused_before_crawling(tmp_path):
    with pytest.raises(ValueError, match=r"is not a replay folder: it has no manifest\.json"):
        run_crawl(["pbs"], replay_dir=tmp_path)


def test_unknown_spider_is_refused_before_crawling():
    with pytest.raises(ValueError, match="choose from pbs, guardian, warzone"):
        run_crawl(["pbs", "reuters"])


def test_a_spider_that_cannot_run_does_not_lose_what_the_others_found():
    # a feed override that is not a list of URLs makes the warzone spider fail while it is built
    result = crawl(SAMPLE_DIR, ["pbs", "warzone"], settings={"PLEDGEWATCH_FEEDS": {"warzone": 5}})
    assert sorted(a["url"] for a in result["articles"]) == sorted(
        u for u, a in EXPECTED["articles"].items() if a["outlet"] == "PBS NewsHour"
    )
    (name, reason), *others = result["failures"]
    assert name == "warzone" and reason.startswith("spider could not run: TypeError") and not others
    assert result["stats"]["warzone"]["failed"] == 1
    assert result["stats"]["pbs"]["parsed"] == 6
