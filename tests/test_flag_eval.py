"""Flags measured against the flags gold claims call for: on the dev set through the CLI, and on tiny cases."""

from __future__ import annotations

import json

from conftest import run_cli
from warehouse.flag_eval import read_gold, score_flags

# Floors a little under what the pipeline reaches on the dev set (1.00 / 1.00 / 1.00 when written).
MIN_FLAG_PRECISION = 0.85
MIN_FLAG_RECALL = 0.85
MIN_EVIDENCE_GOLD = 0.90


def test_dev_set_flags_through_ingest_and_flags_jsonl(shared, tmp_path):
    dev = shared / "eval" / "dev"
    db = tmp_path / "dev.duckdb"
    ingest = run_cli("ingest", str(dev / "articles"), "--db", str(db))
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    result = run_cli("flags", "--db", str(db), "--format", "jsonl")
    assert result.returncode == 0, result.stderr[-2000:]
    predicted = [json.loads(line) for line in result.stdout.splitlines()]
    texts, golds = read_gold(dev)
    score = score_flags(predicted, texts, golds)
    print(score.format_table())
    assert score.precision >= MIN_FLAG_PRECISION
    assert score.recall >= MIN_FLAG_RECALL
    assert score.evidence_gold / score.evidence_checked >= MIN_EVIDENCE_GOLD


def _gold(doc, sentence, side, **fields):
    base = dict(doc=doc, sentence=sentence, pledger="JPN", recipient="USA", amount=None, currency=None,
                speaker="x", speaker_side=side, stance="asserted", control=None, conditions=[], timeframe=None)  # fmt: skip
    return {**base, **fields}


def test_score_flags_counts_deals_and_checks_evidence_sides(tmp_path):
    texts = {"a": "US says 550.\nJapan says 5.5.", "b": "Other."}
    golds = [
        _gold("a", "US says 550.", "us", amount=550e9, currency="USD"),
        _gold("a", "Japan says 5.5.", "partner", amount=5.5e9, currency="USD"),
    ]
    for g in golds:
        g["start"] = texts[g["doc"]].find(g["sentence"])
        g["end"] = g["start"] + len(g["sentence"])
    right = {"kind": "amount_mismatch", "pledger": "JPN", "recipient": "USA",
             "us": {"doc": "a", "start": 0, "end": 12, "sentence": "US says 550."},
             "partner": {"doc": "a", "start": 13, "end": 28, "sentence": "Japan says 5.5."}}  # fmt: skip
    wrong_side = {**right, "kind": "stance_mismatch", "partner": right["us"]}
    score = score_flags([right, wrong_side], texts, golds)
    assert score.expected == {("amount_mismatch", "JPN", "USA")}
    assert (score.precision, score.recall) == (0.5, 1.0)
    assert (score.evidence_gold, score.evidence_checked) == (3, 4)
