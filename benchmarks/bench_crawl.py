"""Crawl throughput: 2,000 of our own pages from a local server through the real spider stack.

Prints pages per second for the whole crawl (feeds, robots.txt, downloader, middlewares, the WARC archive,
parsing), then the per-page parse time of the PBS parser and of bare `trafilatura.extract` on the same
pages in the same run, with their ratio. The server runs in its own process so it does not compete with
the crawler for the GIL. Not part of the test suite.

Example: .venv/bin/python benchmarks/bench_crawl.py --pages 2000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.localsite import LocalSite, Route  # noqa: E402 - after the path set-up above

TOPICS = ["Japan", "South Korea", "the EU", "Taiwan", "India", "Vietnam", "the UK", "Canada"]
AMOUNTS = ["$550 billion", "$350 billion", "$600 billion", "$100 billion", "$25 billion"]
FEED_SIZE = 100


def page(n: int) -> str:
    """Article `n` in PBS NewsHour's structure: JSON-LD, a byline, 9-14 paragraphs of templated text."""
    topic, amount = TOPICS[n % len(TOPICS)], AMOUNTS[n % len(AMOUNTS)]
    title = f"Benchmark story {n}: {topic} weighs a {amount} investment pledge"
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": f"2025-08-{1 + n % 28:02d}T{n % 24:02d}:00:00-04:00",
        "author": [{"@type": "Person", "name": f"Reporter {n % 17}"}],
        "articleSection": "Economy",
    }
    paragraphs = "".join(
        f"<p>Paragraph {i} of story {n}. Officials from {topic} said on day {i} that the {amount} package "
        f"would be split between loans, guarantees and equity, and that talks with Washington would "
        f"continue next week in {'Tokyo' if i % 2 else 'Seoul'}. Analysts called the figure {i * n % 97} "
        f"percent more ambitious than last year's plan.</p>"
        for i in range(9 + n % 6)
    )
    boiler = "".join(f"<li><a href='/newshour/x{i}'>Related coverage {i}</a></li>" for i in range(12))
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<!-- written for pledgewatch's crawl benchmark; not published by any outlet -->"
        f"<title>{title} | PBS News</title><meta property='og:type' content='article'>"
        f"<script type='application/ld+json'>{json.dumps(ld)}</script></head><body>"
        f"<header><nav><ul>{boiler}</ul></nav></header><main><article><h1>{title}</h1>"
        f"<div class='body-text'>{paragraphs}</div></article><aside><ul>{boiler}</ul></aside></main>"
        "<footer><p>Copyright benchmark footer text that is not part of the article.</p></footer></body></html>"
    )


def routes(pages: int, base: str) -> dict[str, Route]:
    """robots.txt, one feed per FEED_SIZE pages, and the pages."""
    out = {"/robots.txt": Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")}
    for n in range(pages):
        out[f"/newshour/economy/story-{n}"] = Route(page(n).encode())
    for f in range(0, pages, FEED_SIZE):
        items = "".join(
            f"<item><title>s{n}</title><link>{base}/newshour/economy/story-{n}</link></item>"
            for n in range(f, min(f + FEED_SIZE, pages))
        )
        feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>bench</title>{items}</channel></rss>"
        out[f"/feeds/{f // FEED_SIZE}.xml"] = Route(feed.encode(), content_type="application/rss+xml")
    return out


def serve(pages: int, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    """The server process: build the site, report its base URL, serve until told to stop."""
    site = LocalSite({})
    site.routes.update(routes(pages, site.base))
    with site:
        ready.put(site.base)
        stop.wait()


def crawl(base: str, pages: int, archive_dir: Path) -> tuple[float, object]:
    from crawlers.run import run_crawl

    feeds = [f"{base}/feeds/{f}.xml" for f in range((pages + FEED_SIZE - 1) // FEED_SIZE)]
    settings = {
        "PLEDGEWATCH_FEEDS": {"pbs": feeds},
        # Our own server: no politeness needed, so measure the stack rather than the delays.
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
        "LOG_LEVEL": "WARNING",
    }
    start = time.perf_counter()
    result = run_crawl(["pbs"], settings=settings, archive_dir=archive_dir)
    return time.perf_counter() - start, result


def parse_times(pages: int, base: str) -> tuple[list[float], list[float]]:
    """Milliseconds per page: the PBS spider's parser, then bare trafilatura, on the same pages."""
    import trafilatura
    from scrapy.http import HtmlResponse

    from crawlers.spiders.pbs import PbsSpider

    spider = PbsSpider()
    htmls = [(f"{base}/newshour/economy/story-{n}", page(n).encode()) for n in range(pages)]
    ours, bare = [], []
    for url, body in htmls:
        start = time.perf_counter()
        spider.parse_article(HtmlResponse(url, body=body))
        ours.append((time.perf_counter() - start) * 1000)
    for url, body in htmls:
        start = time.perf_counter()
        trafilatura.extract(body.decode(), url=url)
        bare.append((time.perf_counter() - start) * 1000)
    return ours, bare


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()

    ready: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.pages, ready, stop), daemon=True)
    server.start()
    base = ready.get(timeout=120)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            seconds, result = crawl(base, args.pages, Path(tmp))
            archive_mb = result.archive.stat().st_size / 1e6 if result.archive else 0.0
    finally:
        stop.set()
        server.join(timeout=10)
    ours, bare = parse_times(args.pages, base)

    stats = result.stats["pbs"]
    print(f"crawl: {len(result.articles)} articles of {args.pages} pages in {seconds:.1f} s "
          f"= {args.pages / seconds:.0f} pages/s  (stats {stats}, WARC {archive_mb:.1f} MB)")  # fmt: skip
    print(f"parse (pbs spider):   median {statistics.median(ours):.2f} ms  p95 {p95(ours):.2f} ms per page")
    print(f"trafilatura.extract:  median {statistics.median(bare):.2f} ms  p95 {p95(bare):.2f} ms per page")
    print(f"ratio trafilatura/ours (median): {statistics.median(bare) / statistics.median(ours):.1f}x")
    if len(result.articles) != args.pages or result.failures:
        sys.exit(f"expected {args.pages} articles and no failures; got {len(result.failures)} failures")


if __name__ == "__main__":
    main()
