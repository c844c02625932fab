"""Score flags against the flags a gold set of claims calls for, deal by deal.

The gold flags are computed from the gold claims by the same SQL views that compute ours, so the
measure isolates what extraction errors do to the flags a fact-checker sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from crawlers.items import Article
from extract.evaluate import overlap_ok
from extract.model import Claim
from warehouse.db import connect
from warehouse.flags import fetch_flags, recompute_flags
from warehouse.load import load

GOLD_FIELDS = ("sentence", "pledger", "recipient", "amount", "currency", "speaker", "speaker_side", "stance",
               "control", "conditions", "timeframe")  # fmt: skip
EXPECTED_SIDE = {"us": "us", "partner": "partner", "us_earlier": "us"}


def read_gold(directory: Path) -> tuple[dict[str, str], list[dict]]:
    """(text by doc id, gold claims with their spans) of a gold set: DIR/articles/*.txt and DIR/gold.jsonl."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((directory / "articles").glob("*.txt"))}
    golds = []
    for line in (directory / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            gold = json.loads(line)
            start = texts.get(gold["doc"], "").find(gold["sentence"])
            golds.append({**gold, "start": start, "end": start + len(gold["sentence"])})
    return texts, golds


def gold_flags(texts: dict[str, str], golds: list[dict]) -> list[dict]:
    """The flags the gold claims call for, through the warehouse's own views (in memory)."""
    con = connect(":memory:")
    try:
        articles = [Article(url=doc, canonical_url=doc, outlet="gold", title=doc, body="") for doc in texts]
        claims = [
            Claim(
                doc=g["doc"],
                article_url=g["doc"],
                start=g["start"],
                end=g["end"],
                **{k: g[k] for k in GOLD_FIELDS},
            )
            for g in golds
            if g["doc"] in texts
        ]
        load(con, articles, claims)
        recompute_flags(con)
        return fetch_flags(con)
    finally:
        con.close()


@dataclass
class FlagScore:
    """Deal-level precision and recall of flags, and how much of their evidence the gold supports."""

    predicted: set[tuple[str, str, str]]
    expected: set[tuple[str, str, str]]
    evidence_checked: int = 0
    evidence_gold: int = 0
    evidence_misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return len(self.predicted & self.expected) / len(self.predicted) if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return len(self.predicted & self.expected) / len(self.expected) if self.expected else 0.0

    def format_table(self) -> str:
        """A table for the terminal: per kind, then totals."""
        kinds = sorted({k for k, _, _ in self.predicted | self.expected})
        lines = [f"{'flags (pledger, recipient, kind)':<34}{'pred':>6}{'gold':>6}{'both':>6}", "-" * 52]
        for kind in kinds:
            p = {f for f in self.predicted if f[0] == kind}
            g = {f for f in self.expected if f[0] == kind}
            lines.append(f"{kind:<34}{len(p):>6}{len(g):>6}{len(p & g):>6}")
        lines.append("-" * 52)
        lines.append(f"{'flag precision':<34}{self.precision:>18.3f}")
        lines.append(f"{'flag recall':<34}{self.recall:>18.3f}")
        share = self.evidence_gold / self.evidence_checked if self.evidence_checked else 0.0
        lines.append(
            f"{'evidence = gold claim, right side':<34}{share:>18.3f}  ({self.evidence_gold}/{self.evidence_checked})"
        )
        missed = sorted(self.expected - self.predicted)
        extra = sorted(self.predicted - self.expected)
        if missed:
            lines.append("missed: " + ", ".join(f"{k} {p}->{r}" for k, p, r in missed))
        if extra:
            lines.append("extra:  " + ", ".join(f"{k} {p}->{r}" for k, p, r in extra))
        return "\n".join(lines)


def score_flags(predicted: list[dict], texts: dict[str, str], golds: list[dict]) -> FlagScore:
    """Compare predicted flags (as `fetch_flags` or `flags --format jsonl` give them) with the gold's flags."""
    expected = {(f["kind"], f["pledger"], f["recipient"]) for f in gold_flags(texts, golds)}
    score = FlagScore({(f["kind"], f["pledger"], f["recipient"]) for f in predicted}, expected)
    for flag in predicted:
        for key, side in EXPECTED_SIDE.items():
            evidence = flag.get(key)
            if not evidence:
                continue
            score.evidence_checked += 1
            doc = evidence.get("doc")
            span = (evidence.get("start", -1), evidence.get("end", -1))
            ok = any(
                g["doc"] == doc and g["speaker_side"] == side and g["pledger"] == flag["pledger"]
                and (overlap_ok(span, (g["start"], g["end"])) or g["sentence"] == evidence.get("sentence"))
                for g in golds
            )  # fmt: skip
            score.evidence_gold += ok
            if not ok:
                score.evidence_misses.append(
                    f"{flag['kind']} {flag['pledger']} {key}: {evidence.get('sentence', '')[:90]}"
                )
    return score
