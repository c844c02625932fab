"""Score the extractor against a gold set, exactly as the shared eval README defines matching.

A predicted claim matches a gold claim when both are in the same document, have the same pledger,
and their sentence spans overlap by at least half of the shorter span; each gold claim matches at
most one prediction, and each prediction at most one gold claim, pairs with equal amounts taken
first. Field accuracies are over matched pairs; strict F1 counts a match only when amount,
speaker_side and stance also agree.

Example:
    report = evaluate(Path("eval/dev"), Extractor())
    print(report.format_table())
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIELDS = ("amount", "recipient", "speaker_side", "stance", "control", "conditional", "timeframe")
AMOUNT_TOLERANCE = 0.005


@dataclass
class DocScore:
    """Counts for one document, for tuning."""

    doc: str
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    missed: list[str] = field(default_factory=list)  # gold sentences (pledger) with no prediction
    spurious: list[str] = field(default_factory=list)  # predictions with no gold

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0


@dataclass
class EvalReport:
    """Claim precision/recall/F1, strict F1 and per-field accuracy over matched pairs."""

    gold: int
    predicted: int
    matched: int
    strict_matched: int
    field_correct: dict[str, int]
    docs: list[DocScore]
    field_errors: dict[str, list[str]] = field(default_factory=dict)

    @staticmethod
    def _f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return self._f1(self.precision, self.recall)

    @property
    def strict_precision(self) -> float:
        return self.strict_matched / self.predicted if self.predicted else 0.0

    @property
    def strict_recall(self) -> float:
        return self.strict_matched / self.gold if self.gold else 0.0

    @property
    def strict_f1(self) -> float:
        return self._f1(self.strict_precision, self.strict_recall)

    def accuracy(self, name: str) -> float:
        """Share of matched pairs whose field `name` agrees (0.0 with no matches)."""
        return self.field_correct.get(name, 0) / self.matched if self.matched else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Every number of the report, JSON-ready."""
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "strict_precision": self.strict_precision,
            "strict_recall": self.strict_recall,
            "strict_f1": self.strict_f1,
            "field_accuracy": {name: self.accuracy(name) for name in FIELDS},
            "docs": [
                {
                    "doc": d.doc,
                    "gold": d.gold,
                    "predicted": d.predicted,
                    "matched": d.matched,
                    "precision": d.precision,
                    "recall": d.recall,
                }
                for d in self.docs
            ],
        }

    def format_table(self, per_doc: bool = True) -> str:
        """A plain-text table: claim P/R/F1, strict F1, field accuracies, then one line per document."""
        lines = [
            f"{'metric':<22}{'value':>8}",
            "-" * 30,
            f"{'gold claims':<22}{self.gold:>8}",
            f"{'predicted claims':<22}{self.predicted:>8}",
            f"{'matched':<22}{self.matched:>8}",
            f"{'claim precision':<22}{self.precision:>8.3f}",
            f"{'claim recall':<22}{self.recall:>8.3f}",
            f"{'claim F1':<22}{self.f1:>8.3f}",
            f"{'strict F1':<22}{self.strict_f1:>8.3f}",
            "-" * 30,
        ]
        lines += [f"{'accuracy ' + name:<22}{self.accuracy(name):>8.3f}" for name in FIELDS]
        if per_doc:
            lines += ["", f"{'document':<60}{'gold':>5}{'pred':>5}{'match':>6}{'P':>7}{'R':>7}", "-" * 90]
            for d in self.docs:
                lines.append(
                    f"{d.doc[:59]:<60}{d.gold:>5}{d.predicted:>5}{d.matched:>6}{d.precision:>7.2f}{d.recall:>7.2f}"
                )
        return "\n".join(lines)


def amounts_agree(a: dict, b: dict) -> bool:
    """Equal within 0.5% in the same currency, or both null.

    >>> amounts_agree({"amount": 550e9, "currency": "USD"}, {"amount": 551e9, "currency": "USD"})
    True
    """
    x, y = a.get("amount"), b.get("amount")
    if x is None or y is None:
        return x is None and y is None
    if a.get("currency") != b.get("currency"):
        return False
    return abs(float(x) - float(y)) <= AMOUNT_TOLERANCE * max(abs(float(x)), abs(float(y)))


def field_agrees(name: str, pred: dict, gold: dict) -> bool:
    """Whether one scored field agrees between a prediction and a gold claim."""
    if name == "amount":
        return amounts_agree(pred, gold)
    if name == "conditional":
        return bool(pred.get("conditions")) == bool(gold.get("conditions"))
    if name == "timeframe":
        return bool(pred.get("timeframe")) == bool(gold.get("timeframe"))
    return pred.get(name) == gold.get(name)


def overlap_ok(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Spans overlap by at least half of the shorter one.

    >>> overlap_ok((0, 10), (5, 30)), overlap_ok((0, 10), (8, 30))
    (True, False)
    """
    inter = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return shorter > 0 and inter >= 0.5 * shorter


def match_claims(preds: list[dict], golds: list[dict]) -> list[tuple[int, int]]:
    """Pair predictions with gold claims of one document: (pred index, gold index) pairs."""
    candidates = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            if p["pledger"] != g["pledger"] or not overlap_ok(p["_span"], g["_span"]):
                continue
            inter = min(p["_span"][1], g["_span"][1]) - max(p["_span"][0], g["_span"][0])
            candidates.append((not amounts_agree(p, g), -inter, j, i))
    candidates.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, _, j, i in candidates:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return pairs


def _gold_span(text: str, sentence: str) -> tuple[int, int]:
    at = text.find(sentence)
    if at < 0:
        stripped = sentence.strip()
        at = text.find(stripped)
        sentence = stripped
    return (at, at + len(sentence)) if at >= 0 else (-1, -1)


def read_manifest(directory: Path) -> dict[str, str | None]:
    """Publication dates by document id from MANIFEST.tsv (ISO date or None)."""
    path = directory / "MANIFEST.tsv"
    dates: dict[str, str | None] = {}
    if not path.exists():
        return dates
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            raw = (row.get("published_date") or "").strip()
            doc = Path(row.get("file") or "").stem
            dates[doc] = raw[:10] if len(raw) >= 10 and raw[4] == "-" and raw[7] == "-" else None
    return dates


def evaluate(directory: Path, extractor) -> EvalReport:
    """Run `extractor` over `directory/articles/*.txt` and score it against `directory/gold.jsonl`."""
    directory = Path(directory)
    gold_by_doc: dict[str, list[dict]] = {}
    for line in (directory / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            gold_by_doc.setdefault(record["doc"], []).append(record)
    dates = read_manifest(directory)
    paths = sorted((directory / "articles").glob("*.txt"))
    texts = {p.stem: p.read_text(encoding="utf-8") for p in paths}
    items = [(texts[p.stem], {"doc": p.stem, "published_at": dates.get(p.stem)}) for p in paths]
    predictions = dict(zip([p.stem for p in paths], extractor.extract_many(items), strict=True))

    total_gold = total_pred = matched = strict = 0
    correct = dict.fromkeys(FIELDS, 0)
    errors: dict[str, list[str]] = {name: [] for name in FIELDS}
    docs: list[DocScore] = []
    for doc in sorted(set(texts) | set(gold_by_doc)):
        text = texts.get(doc, "")
        golds = [dict(g, _span=_gold_span(text, g["sentence"])) for g in gold_by_doc.get(doc, [])]
        preds = [dict(c.to_dict(), _span=(c.start, c.end)) for c in predictions.get(doc, [])]
        pairs = match_claims(preds, golds)
        score = DocScore(doc, len(golds), len(preds), len(pairs))
        for i, j in pairs:
            p, g = preds[i], golds[j]
            ok = {name: field_agrees(name, p, g) for name in FIELDS}
            for name, agrees in ok.items():
                correct[name] += agrees
                if not agrees:
                    errors[name].append(
                        f"{doc}: pred={_show(name, p)} gold={_show(name, g)} | {g['sentence'][:90]}"
                    )
            strict += ok["amount"] and ok["speaker_side"] and ok["stance"]
        paired_g = {j for _, j in pairs}
        paired_p = {i for i, _ in pairs}
        score.missed = [
            f"[{g['pledger']}] {g['sentence'][:100]}" for j, g in enumerate(golds) if j not in paired_g
        ]
        score.spurious = [
            f"[{p['pledger']}] {p['sentence'][:100]} <{p.get('rule_id', '')}>"
            for i, p in enumerate(preds)
            if i not in paired_p
        ]
        total_gold += len(golds)
        total_pred += len(preds)
        matched += len(pairs)
        docs.append(score)
    return EvalReport(total_gold, total_pred, matched, strict, correct, docs, errors)


def _show(name: str, record: dict) -> str:
    if name == "amount":
        return f"{record.get('amount')} {record.get('currency')}"
    if name == "conditional":
        return str(record.get("conditions"))
    return str(record.get(name))
