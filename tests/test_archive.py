"""The evidence archive: WARC records written per exchange, the bundled sample as a WARC, WARC replays."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawlers.archive import WARC_META, ArchiveMiddleware, ArchiveWriter, WarcResponses, iter_records, main
from crawlers.replay import DirectoryResponses, open_recording
from crawlers.run import SAMPLE_ARCHIVE, SAMPLE_DIR

ROOT = Path(__file__).resolve().parents[1]
CRAWL = """
import dataclasses, json, sys
from crawlers.run import run_crawl
a = json.loads(sys.argv[1])
result = run_crawl(["pbs", "guardian", "warzone"], replay=a["replay"], archive_dir=a.get("archive_dir"),
                   settings={"LOG_LEVEL": "WARNING"})
print(json.dumps(dataclasses.asdict(result), default=str))
"""
WARC_FIELDS = ("warc_file", "warc_record_id")


def crawl(replay: Path, archive_dir: Path | None = None) -> dict:
    args = json.dumps({"replay": str(replay), "archive_dir": str(archive_dir) if archive_dir else None})
    done = subprocess.run(
        [sys.executable, "-c", CRAWL, args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def comparable(records: list[dict]) -> list[tuple]:
    return [
        (r["type"], r["uri"], r["record_id"], r["date"], r["status"], r["headers"], r["payload"])
        for r in records
    ]


def test_the_committed_sample_archive_is_up_to_date_with_the_sample_folder(tmp_path):
    """Rebuild with `python -m crawlers.archive build crawlers/sample crawlers/sample/sample.warc.gz`."""
    fresh = tmp_path / SAMPLE_ARCHIVE.name
    assert main(["build", str(SAMPLE_DIR), str(fresh)]) == 0
    assert comparable(iter_records(SAMPLE_ARCHIVE)) == comparable(iter_records(fresh))


def test_the_sample_archive_holds_every_recorded_response():
    folder, archive = DirectoryResponses(SAMPLE_DIR), WarcResponses(SAMPLE_ARCHIVE)
    assert sorted(archive.urls()) == sorted(folder.entries)
    for url in folder.entries:
        assert archive.get(url) == folder.get(url), url


@pytest.fixture(scope="module")
def replays(tmp_path_factory):
    archive_dir = tmp_path_factory.mktemp("warc")
    return crawl(SAMPLE_DIR), crawl(SAMPLE_ARCHIVE, archive_dir)


def test_replaying_the_archive_yields_what_replaying_the_folder_does(replays):
    from_folder, from_archive = replays

    def articles(result: dict) -> list[dict]:
        return sorted(
            ({k: v for k, v in a.items() if k not in WARC_FIELDS} for a in result["articles"]), key=str
        )

    assert len(from_folder["articles"]) == 16
    assert articles(from_archive) == articles(from_folder)
    assert from_archive["stats"] == from_folder["stats"]
    assert from_archive["failures"] == from_folder["failures"]


def test_a_replayed_run_writes_its_own_archive_and_articles_cite_it(replays):
    _, result = replays
    archive = Path(result["archive"])
    records = {r["record_id"]: r for r in iter_records(archive)}
    assert archive.name.startswith("pledgewatch-") and archive.name.endswith(".warc.gz")
    uris = {r["uri"] for r in records.values() if r["type"] == "response"}
    assert {"https://www.pbs.org/robots.txt", "https://www.twz.com/feed"} <= uris
    assert all(a["warc_file"] == archive.name for a in result["articles"])
    for a in result["articles"]:
        record = records[a["warc_record_id"]]
        assert (record["type"], record["uri"]) == ("response", a["url"])
        assert a["title"].encode() in record["payload"] or a["title"][:20].encode() in record["payload"]


def test_writer_pairs_request_and_response_records(tmp_path):
    path = tmp_path / "run.warc.gz"
    writer = ArchiveWriter(path)
    record_id = writer.write(
        "https://example.com/a?x=1&api-key=hush",
        200,
        [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
        b"<html>hello</html>",
        request_headers=[
            ("User-Agent", "pledgewatch-test"),
            ("Referer", "https://example.com/?api-key=hush"),
        ],
    )
    writer.write("https://example.com/missing", 404, [("Content-Type", "text/plain")], b"gone")
    writer.close()
    info, response, request, *rest = list(iter_records(path))
    assert info["type"] == "warcinfo" and len(rest) == 2
    assert response["record_id"] == record_id and request["concurrent_to"] == record_id
    assert response["uri"] == request["uri"] == "https://example.com/a?x=1&api-key=REDACTED"
    assert response["status"] == "200" and response["payload"] == b"<html>hello</html>"
    assert response["payload_digest"].startswith("sha1:") and response["date"].endswith("Z")
    assert ("Transfer-Encoding", "chunked") not in response["headers"]  # the payload is not chunked
    assert ("Host", "example.com") in request["headers"]
    assert b"hush" not in gzip.decompress(path.read_bytes())
    assert rest[0]["status"] == "404"


def test_writer_appends_to_an_existing_archive_with_one_warcinfo(tmp_path):
    path = tmp_path / "run.warc"
    for n in range(2):  # two spiders of one run, each with its own writer
        writer = ArchiveWriter(path)
        writer.write(f"https://example.com/{n}", 200, [], b"x")
        writer.close()
    types = [r["type"] for r in iter_records(path)]
    assert types == ["warcinfo", "response", "request", "response", "request"]


def test_warc_replay_gives_the_last_response_decoded(tmp_path):
    path = tmp_path / "run.warc.gz"
    writer = ArchiveWriter(path)
    writer.write("https://example.com/a", 500, [("Content-Type", "text/html")], b"error")
    body = gzip.compress(b"<html>second try</html>")
    headers = [
        ("Content-Type", "text/html"),
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(len(body))),
    ]
    writer.write("https://example.com/a", 200, headers, body)
    writer.close()
    recorded = open_recording(path).get("https://example.com/a#frag")
    assert (recorded.status, recorded.body) == (200, b"<html>second try</html>")
    assert recorded.headers == {"Content-Type": "text/html"}
    assert open_recording(path).get("https://example.com/b") is None


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.warc.gz", "does not exist"), ("notes.txt", "is not a web archive")],
)
def test_open_recording_refuses_what_it_cannot_replay(tmp_path, name, message):
    if name == "notes.txt":
        (tmp_path / name).write_text("x")
    with pytest.raises(ValueError, match=message):
        open_recording(tmp_path / name)


def test_middleware_is_off_without_an_archive_path():
    with pytest.raises(NotConfigured):
        ArchiveMiddleware.from_crawler(get_crawler(settings_dict={}))


def test_middleware_archives_the_response_and_tells_the_spider_where(tmp_path):
    path = tmp_path / "run.warc.gz"
    middleware = ArchiveMiddleware.from_crawler(get_crawler(settings_dict={"PLEDGEWATCH_ARCHIVE": str(path)}))
    request = Request("https://example.com/p", headers={"User-Agent": "pledgewatch-test"})
    response = HtmlResponse(request.url, body=b"<p>page</p>", headers={"ETag": '"1"'}, request=request)
    assert middleware.process_response(request, response) is response
    middleware.spider_closed()
    file_name, record_id = request.meta[WARC_META]
    record = next(r for r in iter_records(path) if r["record_id"] == record_id)
    assert (
        file_name == path.name
        and record["payload"] == b"<p>page</p>"
        and ("Etag", '"1"') in record["headers"]
    )


def test_build_refuses_a_folder_without_manifest(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["build", str(tmp_path), str(tmp_path / "x.warc.gz")])
    assert "has no manifest.json" in capsys.readouterr().err
