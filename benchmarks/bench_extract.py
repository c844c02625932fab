"""Throughput of the claim extractor against the bare spaCy model, in one run over the same texts.

Prints words per second for

- `bare nlp.pipe`: the loaded model with all its components over the whole articles;
- `extract (gated)`: the full extraction, where the cheap first pass (gate.py) decides which
  sentences get tagged, and of those which also get the dependency parse;
- `extract (ungated)`: the full extraction parsing every sentence (`Extractor(gated=False)`);

their ratios, the share of sentences the gate sends to the parser, whether the gated and ungated
claims are identical, claim recall of both against the gold set when one is given (default: the
shared dev set, when present), and the peak resident memory of the process.

Reads the shared dev articles when present (../shared/eval/dev/articles), else a built-in sample
repeated; prints numbers, asserts nothing.

Example: python benchmarks/bench_extract.py --repeat 3
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extract.claims import Extractor  # noqa: E402
from extract.evaluate import evaluate  # noqa: E402

SAMPLE = (
    "Seoul confirms $350bn pledge\n"
    "South Korea agreed to invest $350 billion in the United States, officials said.\n"
    "“Most of it will be loans and guarantees,” a finance ministry official said.\n"
    "President Donald Trump said the money would be invested at his direction.\n"
    "Car sales in the country rose 4% last month, and the central bank kept rates on hold.\n"
)


def _timed(run) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def _identities(claims: list[list]) -> list[set]:
    """What makes a claim a claim: its sentence, pledger and amount (fields aside)."""
    return [{(c.doc, c.start, c.end, c.pledger, c.amount) for c in doc} for doc in claims]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed passes of each kind (best is kept)")
    parser.add_argument(
        "--gold", type=Path, default=ROOT.parent / "shared" / "eval" / "dev", help="eval folder"
    )
    args = parser.parse_args()
    articles = args.gold / "articles"
    texts = (
        [p.read_text(encoding="utf-8") for p in sorted(articles.glob("*.txt"))] if articles.is_dir() else []
    )
    texts = texts or [SAMPLE] * 20

    load, gated = _timed(Extractor)
    ungated = Extractor(nlp=gated.nlp, gated=False)
    nlp = gated.nlp
    items = [(t, {"doc": f"d{i}"}) for i, t in enumerate(texts)]
    words = sum(len(nlp.make_doc(t)) for t in texts)  # per pass
    # warm both paths once (first calls allocate), then time them interleaved in the same process
    list(nlp.pipe(texts[:3]))
    list(gated.extract_many(items[:3]))
    # Best of `repeat` passes for each, interleaved, so a busy neighbour on a shared machine slows
    # a pass of one kind without skewing the ratio.
    bare_s = gated_s = ungated_s = float("inf")
    claims_gated = claims_ungated = None
    gated.stats.clear()
    for _ in range(args.repeat):
        seconds, _ = _timed(lambda: list(nlp.pipe(texts)))
        bare_s = min(bare_s, seconds)
        seconds, claims_gated = _timed(lambda: list(gated.extract_many(items)))
        gated_s = min(gated_s, seconds)
        seconds, claims_ungated = _timed(lambda: list(ungated.extract_many(items)))
        ungated_s = min(ungated_s, seconds)
    same = _identities(claims_gated) == _identities(claims_ungated)
    fields = sum(
        a.to_dict() | {"rule_id": ""} != b.to_dict() | {"rule_id": ""}
        for x, y in zip(claims_gated, claims_ungated, strict=True)
        for a, b in zip(x, y, strict=False)
    )
    stats = gated.stats

    print(f"model load               {load:9.2f} s")
    print(f"documents per pass       {len(items):9d}   (best of {args.repeat} passes each)")
    print(f"words per pass           {words:9d}")
    print(f"claims (gated/ungated)   {sum(map(len, claims_gated)):5d} / {sum(map(len, claims_ungated))}")
    print(
        f"parsed sentences (gated) {stats['parsed'] / max(1, stats['sentences']):9.1%}"
        f"  ({stats['parsed_words'] / max(1, stats['words']):.1%} of words)"
    )
    print(
        f"parser skipped (gated)   {stats['parser_skipped'] / max(1, stats['parsed']):9.1%}"
        "  of tagged sentences (attribution read from the surface)"
    )
    print(f"bare nlp.pipe            {words / bare_s:9.0f} words/s")
    print(f"extract (gated)          {words / gated_s:9.0f} words/s")
    print(f"extract (ungated)        {words / ungated_s:9.0f} words/s")
    print(f"ratio gated / bare       {bare_s / gated_s:9.2f} x")
    print(f"ratio ungated / bare     {bare_s / ungated_s:9.2f} x")
    print(f"same claims both ways    {'yes' if same else 'NO'}  ({fields} differ in some field)")
    if (args.gold / "gold.jsonl").is_file():
        for name, extractor in (("gated", gated), ("ungated", ungated)):
            report = evaluate(args.gold, extractor)
            print(
                f"recall {name:<10}        {report.recall:9.3f}   (F1 {report.f1:.3f}, strict F1 {report.strict_f1:.3f})"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(f"peak RSS                 {peak:9.0f} MB")


if __name__ == "__main__":
    main()
