"""Run the real deduplication over the hand-labelled pairs of tests/data/dedup-pairs.yaml.

Every distinct side becomes a source question (its title and answer excerpt); all of them go through
find_duplicates together, as one collection, with the project's glossary and no decisions. A labelled
pair then ended as "merge" (one published question), "candidate" (listed for a person) or "distinct".
Used by tests/test_dedup_eval.py and bench/bench_dedup.py.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from studysite.dedup import find_duplicates
from studysite.model import Block, SourceRef
from studysite.readers.base import RawQuestion
from studysite.similarity import Glossary

REPO = Path(__file__).resolve().parents[1]
PAIRS = REPO / "tests" / "data" / "dedup-pairs.yaml"


@dataclass
class Outcome:
    label: str  # "same" | "different"
    outcome: str  # "merge" | "candidate" | "distinct"
    a: dict
    b: dict
    score: float | None = None


def load_pairs(path: Path = PAIRS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["pairs"]


def evaluate(glossary: Glossary | None = None, pairs: list[dict] | None = None) -> tuple[list[Outcome], int]:
    glossary = glossary or Glossary.load(REPO / "sources" / "glossary.yaml", "sources/glossary.yaml")
    pairs = pairs if pairs is not None else load_pairs()
    sides: dict[tuple, RawQuestion] = {}

    def side(s: dict) -> RawQuestion:
        key = (s["from"], str(s["line"]), s["title"])
        if key not in sides:
            ref = SourceRef(f"{s['from']}:{s['line']}", len(sides) + 1, s["title"], "dump")
            sides[key] = RawQuestion(ref, s["title"], [Block("para", s["answer"])])
        return sides[key]

    labelled = [(p["label"], side(p["a"]), side(p["b"]), p) for p in pairs]
    result = find_duplicates(list(sides.values()), glossary=glossary)
    home = {(ref.file, ref.line): q.id for q in result.questions for ref in q.sources}
    candidates = {frozenset(c.ids): c.score for c in result.candidates}
    outcomes = []
    for label, a, b, p in labelled:
        qa, qb = home[a.ref.file, a.ref.line], home[b.ref.file, b.ref.line]
        if qa == qb:
            outcome, score = "merge", None
        elif frozenset((qa, qb)) in candidates:
            outcome, score = "candidate", candidates[frozenset((qa, qb))]
        else:
            outcome, score = "distinct", None
        outcomes.append(Outcome(label, outcome, p["a"], p["b"], score))
    return outcomes, result.comparisons


def scores(outcomes: list[Outcome]) -> dict[str, float]:
    """Precision and recall of auto-merges, and of auto-merges + candidates, for the "same" label."""
    n = Counter((o.label, o.outcome) for o in outcomes)
    same = n["same", "merge"] + n["same", "candidate"] + n["same", "distinct"]

    def precision(tp: int, fp: int) -> float:
        return tp / (tp + fp) if tp + fp else 1.0

    return {
        "same pairs": same,
        "different pairs": n["different", "merge"] + n["different", "candidate"] + n["different", "distinct"],
        "auto precision": precision(n["same", "merge"], n["different", "merge"]),
        "auto recall": n["same", "merge"] / same,
        "wrong auto-merges": n["different", "merge"],
        "auto+candidate precision": precision(n["same", "merge"] + n["same", "candidate"],
                                              n["different", "merge"] + n["different", "candidate"]),
        "auto+candidate recall": (n["same", "merge"] + n["same", "candidate"]) / same,
    }
