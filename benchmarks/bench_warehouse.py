"""Warehouse at scale: load 1,000,000 synthetic claims through Arrow, recompute the flags, time the named queries.

Run: .venv/bin/python benchmarks/bench_warehouse.py [--claims 1000000] [--repeat 3] [--db PATH]

Prints load rows per second through the warehouse's own bulk path (`load_tables`, in one transaction with
its bookkeeping) beside a bare `insert into claims select * from arrow` of the same rows in the same run
(the baseline), the time to recompute all flags, the p50 of each named query (to an Arrow result, as DuckDB hands it to
analysts' tools, and to Python row tuples, as the CLI formats it), and the size on disk.
The synthetic data mimics real coverage: ten deals, sixty speakers per deal who mostly repeat their own line,
a handful of amounts per deal, so many mentions share one canonical claim (the count is printed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extract.model import CLAIM_FIELDS, EXTRACTOR_VERSION  # noqa: E402
from warehouse import queries  # noqa: E402
from warehouse.db import connect  # noqa: E402
from warehouse.flags import recompute_flags  # noqa: E402
from warehouse.load import ARTICLE_SCHEMA, CLAIM_SCHEMA, load_tables  # noqa: E402

DEALS = [("JPN", "USA"), ("KOR", "USA"), ("EU", "USA"), ("SAU", "USA"), ("ARE", "USA"), ("QAT", "USA"),
         ("TWN", "USA"), ("IND", "USA"), ("CHE", "USA"), ("GBR", "USA")]  # fmt: skip
AMOUNTS = [350e9, 400e9, 550e9, 600e9, 650e9, 1.4e12, 20e9, 150e9, 200e9, 100e9]
SIDES = np.array(["us", "partner", "third_party", "author"])
STANCES = np.array(["asserted", "hedged", "disputed"])
CONTROLS = np.array([None, "us", "partner"], dtype=object)
TIMEFRAMES = np.array([None, None, None, "upfront", "over the next four years", "by 2029"], dtype=object)


def synthetic(n_claims: int, seed: int = 7) -> tuple[pa.Table, pa.Table]:
    """(articles, claims) Arrow tables: ten claims per article, months spread over two years."""
    rng = np.random.default_rng(seed)
    n_articles = max(1, n_claims // 10)
    urls = np.array([f"https://news.example/{i:07d}" for i in range(n_articles)], dtype=object)
    months = rng.integers(0, 24, n_articles)
    published = np.array(
        [f"{2025 + m // 12}-{m % 12 + 1:02d}-15T12:00:00+00:00" for m in months], dtype=object
    )
    articles = pa.table(
        {
            "article_id": [f"{i:016x}" for i in range(n_articles)],
            "url": urls, "canonical_url": urls, "outlet": rng.choice(["PBS NewsHour", "The Guardian", "The War Zone"], n_articles),
            "title": [f"Headline {i}" for i in range(n_articles)], "authors": [["Staff"]] * n_articles,
            "published_at": published, "section": ["Politics"] * n_articles, "body": ["Body text."] * n_articles,
            "language": ["en"] * n_articles, "content_hash": [f"h{i}" for i in range(n_articles)],
            "fetched_at": published, "etag": [None] * n_articles, "last_modified": [None] * n_articles,
            "warc_file": [None] * n_articles, "warc_record_id": [None] * n_articles,
        },
        schema=ARTICLE_SCHEMA,
    )  # fmt: skip
    article_of = np.arange(n_claims) // 10
    deal = rng.integers(0, len(DEALS), n_claims)
    # Coverage repeats itself: each speaker keeps a usual line on a deal (side, stance, control, amount, timing),
    # departing from it in one claim in five. Speakers: 60 per deal across the sides.
    speaker_no = rng.integers(0, 60, n_claims)
    profile_rng = np.random.default_rng(seed + 1)
    n_profiles = len(DEALS) * 60
    p_side = SIDES[np.repeat([0, 1, 2, 3], [15, 15, 25, 5])][np.arange(n_profiles) % 60]
    p_stance = profile_rng.choice(3, n_profiles, p=[0.6, 0.2, 0.2])
    p_control = profile_rng.choice(3, n_profiles, p=[0.8, 0.1, 0.1])
    p_amount = np.where(profile_rng.random(n_profiles) < 0.5, profile_rng.choice(AMOUNTS, n_profiles), np.nan)
    p_timing = profile_rng.integers(0, len(TIMEFRAMES), n_profiles)
    profile = deal * 60 + speaker_no
    usual = rng.random(n_claims) < 0.8
    side = p_side[profile]
    stance_i = np.where(usual, p_stance[profile], rng.choice(3, n_claims, p=[0.6, 0.2, 0.2]))
    control_i = np.where(usual, p_control[profile], rng.choice(3, n_claims, p=[0.8, 0.1, 0.1]))
    random_amount = np.where(
        rng.random(n_claims) < 0.5, np.array(AMOUNTS)[rng.integers(0, len(AMOUNTS), n_claims)], np.nan
    )
    amount = np.where(usual, p_amount[profile], random_amount)
    timing_i = np.where(usual, p_timing[profile], rng.integers(0, len(TIMEFRAMES), n_claims))
    conditions = [["loans and loan guarantees"] if c else [] for c in rng.random(n_claims) < 0.2]
    speaker_names = np.array([f"Speaker {n}" if n >= 0 else "author" for n in range(60)], dtype=object)
    speaker = np.where(side == "author", "author", speaker_names[speaker_no])
    columns = {
        "claim_id": [f"{i:016x}" for i in range(n_claims)],
        "doc": urls[article_of], "sentence": ["A sentence about the pledge."] * n_claims,
        "pledger": [DEALS[d][0] for d in deal], "recipient": [DEALS[d][1] for d in deal],
        "amount": pa.array(amount, from_pandas=True), "currency": np.where(np.isnan(amount), None, "USD"),
        "speaker": speaker, "speaker_side": side, "stance": STANCES[stance_i], "control": CONTROLS[control_i],
        "conditions": conditions, "timeframe": TIMEFRAMES[timing_i],
        "amount_high": [None] * n_claims, "timeframe_until": [None] * n_claims, "article_url": urls[article_of],
        "start": (np.arange(n_claims) % 10) * 100, "end": (np.arange(n_claims) % 10) * 100 + 90,
        "rule_id": ["bench"] * n_claims, "confidence": [1.0] * n_claims,
        "extractor_version": [EXTRACTOR_VERSION] * n_claims,
    }  # fmt: skip
    return articles, pa.table({name: columns[name] for name in CLAIM_FIELDS}, schema=CLAIM_SCHEMA)


def p50_ms(run, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="loads to time (the median is printed)")
    parser.add_argument("--db", type=Path, help="warehouse file to create (default: a temporary folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pledgewatch-bench-"))
    db = args.db or folder / "bench.duckdb"

    t = time.perf_counter()
    articles, claims = synthetic(args.claims)
    print(
        f"generated {claims.num_rows:,} claims in {articles.num_rows:,} articles in {time.perf_counter() - t:.1f}s"
    )

    # Loads alternate with the baseline, a bare Arrow insert of the same claims into an empty claims table
    # (same process, same machine), each into a new file; the medians are compared.
    columns = ", ".join(f'"{name}"' for name in CLAIM_FIELDS)
    extracted = set(articles.column("canonical_url").to_pylist())
    bare_times, our_times = [], []
    for i in range(args.repeat):
        base = connect(folder / f"baseline-{i}.duckdb")
        base.register("arrow_claims", claims)
        t = time.perf_counter()
        base.execute(f"insert into claims ({columns}) select {columns} from arrow_claims")
        bare_times.append(time.perf_counter() - t)
        base.close()
        (folder / f"baseline-{i}.duckdb").unlink()
        target = db if i == args.repeat - 1 else folder / f"load-{i}.duckdb"
        con = connect(target)
        t = time.perf_counter()
        load_tables(con, articles, claims, extracted=extracted)
        our_times.append(time.perf_counter() - t)
        if target != db:
            con.close()
            target.unlink()
    ours, bare = statistics.median(our_times), statistics.median(bare_times)
    rate, bare_rate = claims.num_rows / ours, claims.num_rows / bare
    runs = f"median of {args.repeat}"
    print(f"load (pledgewatch load_tables)   {rate:>12,.0f} rows/s  ({ours:.2f}s for articles and claims, {runs})")
    print(f"load (bare arrow insert)         {bare_rate:>12,.0f} rows/s  ({bare:.2f}s, claims only, {runs})")
    print(f"ratio load/bare                  {rate / bare_rate:>12.2f}")

    t = time.perf_counter()
    stats = recompute_flags(con)
    print(
        f"recompute all flags              {time.perf_counter() - t:>12.2f} s  ({stats.open_total} flags open)"
    )
    t = time.perf_counter()
    recompute_flags(con)
    print(f"recompute again (no change)      {time.perf_counter() - t:>12.2f} s")

    params = {"pledge_timeline": {"pledger": "JPN", "recipient": "USA"}}
    print("named query                      p50 to an Arrow result   p50 to Python rows   rows")
    for name in queries.list_queries():
        sql = queries.query_text(name)
        arrow_ms = p50_ms(lambda: queries.run_arrow(con, sql, params.get(name)))
        rows_ms = p50_ms(lambda: queries.run(con, sql, params.get(name)))
        rows = queries.run_arrow(con, sql, params.get(name)).num_rows
        print(f"query {name:<26} {arrow_ms:>15.1f} ms {rows_ms:>17.1f} ms {rows:>7,}")
    con.execute("checkpoint")
    con.close()
    size = db.stat().st_size
    print(
        f"warehouse size on disk           {size / 1e6:>12.1f} MB  ({size / claims.num_rows:.0f} bytes per claim)"
    )


if __name__ == "__main__":
    main()
