"""Throughput of the claim extractor: documents and sentences per second, cold start apart.

Reads the shared dev articles when present (../shared/eval/dev/articles), else a built-in sample
repeated; prints numbers, asserts nothing.

Example: python benchmarks/bench_extract.py --repeat 5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extract.claims import Extractor
from extract.sentences import split_sentences

SAMPLE = (
    "Seoul confirms $350bn pledge\n"
    "South Korea agreed to invest $350 billion in the United States, officials said.\n"
    "“Most of it will be loans and guarantees,” a finance ministry official said.\n"
    "President Donald Trump said the money would be invested at his direction.\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the documents")
    args = parser.parse_args()
    articles = ROOT.parent / "shared" / "eval" / "dev" / "articles"
    texts = (
        [p.read_text(encoding="utf-8") for p in sorted(articles.glob("*.txt"))] if articles.is_dir() else []
    )
    texts = texts or [SAMPLE] * 20

    start = time.perf_counter()
    extractor = Extractor()
    load = time.perf_counter() - start

    items = [(t, {"doc": f"d{i}"}) for i, t in enumerate(texts)] * args.repeat
    sentences = sum(len(split_sentences(t)) for t, _ in items)
    chars = sum(len(t) for t, _ in items)
    start = time.perf_counter()
    claims = sum(len(c) for c in extractor.extract_many(items))
    elapsed = time.perf_counter() - start
    print(f"model load        {load:8.2f} s")
    print(f"documents         {len(items):8d}")
    print(f"sentences         {sentences:8d}")
    print(f"claims            {claims:8d}")
    print(f"elapsed           {elapsed:8.2f} s")
    print(f"docs/s            {len(items) / elapsed:8.1f}")
    print(f"sentences/s       {sentences / elapsed:8.1f}")
    print(f"chars/s           {chars / elapsed:8.0f}")


if __name__ == "__main__":
    main()
