"""The evaluation set: hand-labelled pairs from real interview-question files by other authors and the seeds."""
from __future__ import annotations

from collections import Counter

from dedup_eval import evaluate, load_pairs, scores


def test_the_evaluation_set_is_large_and_self_contained():
    pairs = load_pairs()
    labels = Counter(p["label"] for p in pairs)
    assert labels["same"] >= 60 and labels["different"] >= 40
    for p in pairs:
        for side in (p["a"], p["b"]):
            assert side["title"].strip() and side["answer"].strip() and side["from"] and side["line"]
    files = {s["from"] for p in pairs for s in (p["a"], p["b"])}
    cross = Counter(p["label"] for p in pairs if p["a"]["from"] != p["b"]["from"])
    assert len(files) >= 8
    # same questions across files; look-alikes also within one file (the seeds' max / average / sum pooling)
    assert cross["same"] >= 60 and cross["different"] >= 30


def test_no_wrong_auto_merge_and_recall_targets():
    outcomes, _ = evaluate()
    s = scores(outcomes)
    wrong = [(o.a["title"], o.b["title"]) for o in outcomes if o.label == "different" and o.outcome == "merge"]
    missed = [(o.a["title"], o.b["title"]) for o in outcomes if o.label == "same" and o.outcome == "distinct"]
    assert not wrong, wrong
    assert s["auto recall"] >= 0.8, s
    assert s["auto+candidate recall"] >= 0.95, (s, missed)
