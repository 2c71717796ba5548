"""The hand-labelled pairs of tests/data/dedup-pairs*.yaml: loading, features, grouped cross-validation.

Each pair has two sides (title, answer excerpt, the file it came from); each origin names its author (the
GitHub owner). Used by scripts/train-dedup (fits the committed model), bench/bench_dedup.py (reports it)
and the tests.

* ``evaluate()`` runs the real deduplication over every side at once (one collection, the project's
  glossary and model, no decisions): a labelled pair ends as "merge", "candidate" or "distinct".
* ``grouped_cv()`` is the held-out figure: authors are split into folds of about equal weight, in an
  order fixed by a seed (``author_folds``); a fold's model is trained on the pairs that touch none of
  its authors and scores the pairs that touch one, with thresholds chosen by an inner grouped CV on the
  training pairs only. No test author is in any training pair. ``held_out()`` reports it over the
  seeds of ``FOLD_SEEDS``: the mean, its range over the seeds and the spread of single folds (one fold
  assignment alone moved auto-merge recall by ±0.05; single folds by ±0.15).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from studysite import pairmodel, similarity
from studysite.dedup import find_duplicates
from studysite.embeddings import shared_encoder
from studysite.model import Block, SourceRef
from studysite.readers.base import RawQuestion
from studysite.similarity import Glossary

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
PAIRS = DATA / "dedup-pairs.yaml"
AUTO_PRECISION = 0.99  # the auto-merge threshold is the lowest with at least this precision held out
CANDIDATE_RECALL = 0.98  # the candidate threshold is the highest keeping this recall held out


def pair_files() -> list[Path]:
    return sorted(DATA.glob("dedup-pairs*.yaml"))


def data_hash(paths: list[Path] | None = None) -> str:
    """SHA-256 of the labelled pair files (names and bytes): the committed model records it."""
    h = hashlib.sha256()
    for p in paths or pair_files():
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@dataclass
class Outcome:
    label: str  # "same" | "different"
    outcome: str  # "merge" | "candidate" | "distinct"
    a: dict
    b: dict
    score: float | None = None


def load_pairs(paths: list[Path] | None = None) -> list[dict]:
    """Every labelled pair; each side gains `author` (from its file's origin) and a unique `key`."""
    pairs = []
    for path in paths or pair_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        origins = data.get("origins") or {}
        for p in data["pairs"]:
            for side in (p["a"], p["b"]):
                origin = origins.get(side["from"]) or _origin_elsewhere(side["from"])
                side["author"] = origin["author"]
                side["key"] = (side["from"], str(side["line"]), side["title"])
            pairs.append(p)
    return pairs


_ALL_ORIGINS: dict[str, dict] = {}


def _origin_elsewhere(name: str) -> dict:
    """An origin declared in another pair file (the seeds are declared once, in dedup-pairs.yaml)."""
    if not _ALL_ORIGINS:
        for path in pair_files():
            _ALL_ORIGINS.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("origins") or {})
    return _ALL_ORIGINS[name]


def glossary() -> Glossary:
    return Glossary.load(REPO / "sources" / "glossary.yaml", "sources/glossary.yaml")


@dataclass
class PairSet:
    """The labelled pairs as a feature matrix (every feature of every method), labels and authors."""

    pairs: list[dict]
    names: list[str]
    rows: np.ndarray
    labels: np.ndarray  # 1 = same question
    authors: list[tuple[str, str]]

    def columns(self, names: list[str]) -> np.ndarray:
        return self.rows[:, [self.names.index(n) for n in names]]


def pair_set(pairs: list[dict] | None = None, with_wordllama: bool = True, g: Glossary | None = None) -> PairSet:
    pairs = pairs if pairs is not None else load_pairs()
    g = g or glossary()
    sides: dict[tuple, int] = {}
    titles: list[str] = []
    answers: list[str] = []
    for p in pairs:
        for s in (p["a"], p["b"]):
            if s["key"] not in sides:
                sides[s["key"]] = len(titles)
                titles.append(s["title"])
                answers.append(s["answer"])
    encoders = {"emb": shared_encoder(similarity.default_cache_dir())}
    if with_wordllama:
        encoders["wl"] = shared_encoder(similarity.default_cache_dir(), "wordllama")
    collection = similarity.prepare(titles, answers, g, encoders)
    index = [(sides[p["a"]["key"]], sides[p["b"]["key"]]) for p in pairs]
    names = sorted({n for m, fs in pairmodel.METHODS.items() for n in fs if with_wordllama or m != "wordllama"})
    rows = similarity.features(collection, g, index, names)
    labels = np.array([p["label"] == "same" for p in pairs], dtype=int)
    return PairSet(pairs, names, rows, labels, [(p["a"]["author"], p["b"]["author"]) for p in pairs])


def thresholds(p: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(auto, candidate): the lowest p with AUTO_PRECISION among pairs at or above it, and the highest
    p keeping CANDIDATE_RECALL of the same-question pairs at or above it."""
    order = np.argsort(-p, kind="stable")
    ps, ls = p[order], labels[order]
    tp = np.cumsum(ls)
    precision = tp / np.arange(1, len(ls) + 1)
    ok = np.nonzero(precision >= AUTO_PRECISION)[0]
    auto = float(ps[ok[-1]]) if len(ok) else 1.0
    positives = np.sort(p[labels == 1])
    drop = int(np.floor((1 - CANDIDATE_RECALL) * len(positives)))
    candidate = float(positives[drop]) if len(positives) else 0.5
    return max(auto, 0.5), min(candidate, auto)


FOLD_SEEDS = (0, 1, 2, 3, 4)  # the fixed fold assignments the held-out figure is reported over


def author_folds(authors: list[tuple[str, str]], n_splits: int, seed: int = 0) -> list[set[str]]:
    """Authors split into folds of about equal weight (the pairs each takes part in): in an order
    shuffled by `seed`, heaviest first, each author joins the lightest fold. The same seed gives the
    same folds on any machine (no dependence on set or hash order)."""
    weight = Counter(a for pair in authors for a in pair)
    names = sorted(weight)
    rng = np.random.default_rng(seed)
    names = [names[i] for i in rng.permutation(len(names))]
    names.sort(key=lambda a: -weight[a])  # stable: authors of equal weight stay in the shuffled order
    n = min(n_splits, len(names))
    folds: list[set[str]] = [set() for _ in range(n)]
    load = [0] * n
    for a in names:
        k = load.index(min(load))
        folds[k].add(a)
        load[k] += weight[a]
    return folds


def _fit(rows: np.ndarray, labels: np.ndarray, names: list[str], calibration: str) -> pairmodel.PairModel:
    return pairmodel.fit(rows, labels, names, calibration=calibration)


def _touching(authors: list[tuple[str, str]], fold: set[str]) -> np.ndarray:
    return np.array([a in fold or b in fold for a, b in authors])


def grouped_cv(
    ps: PairSet, names: list[str], n_splits: int = 5, seed: int = 0, calibration: str = pairmodel.CALIBRATION
) -> dict:
    """Held-out probabilities and outcomes per pair, and each fold's own rates (its thresholds from an
    inner grouped CV of its training pairs, folds seeded by `seed`)."""
    x = ps.columns(names)
    prob_sum, outcome_votes, seen = np.zeros(len(x)), [[] for _ in x], np.zeros(len(x))
    per_fold = []
    for test_authors in author_folds(ps.authors, n_splits, seed):
        touches = _touching(ps.authors, test_authors)
        train = ~touches
        if ps.labels[train].sum() < 4 or (1 - ps.labels[train]).sum() < 4:
            continue
        model = _fit(x[train], ps.labels[train], names, calibration)
        inner_authors = [ps.authors[i] for i in np.nonzero(train)[0]]
        inner = _inner_oof(x[train], ps.labels[train], inner_authors, names, seed + 1, calibration)
        auto, candidate = thresholds(inner, ps.labels[train])
        p = model.predict(x[touches])
        contrast = x[touches][:, names.index("contrast")] > 0 if "contrast" in names else np.zeros(len(p), bool)
        fold_outcomes = [_outcome(v, auto, candidate, c) for v, c in zip(p, contrast, strict=True)]
        for k, i in enumerate(np.nonzero(touches)[0]):
            prob_sum[i] += p[k]
            seen[i] += 1
            outcome_votes[i].append(fold_outcomes[k])
        per_fold.append(rates(ps.labels[touches], fold_outcomes, np.ones(len(p), bool)))
    tested = seen > 0
    outcomes = [_worst(v) for v in outcome_votes]
    p_mean = np.where(tested, prob_sum / np.maximum(seen, 1), np.nan)
    return {"p": p_mean, "outcomes": outcomes, "tested": tested, "folds": per_fold}


def _inner_oof(
    x: np.ndarray,
    labels: np.ndarray,
    authors: list[tuple[str, str]],
    names: list[str],
    seed: int = 1,
    calibration: str = pairmodel.CALIBRATION,
) -> np.ndarray:
    p, seen = np.zeros(len(x)), np.zeros(len(x))
    for test_authors in author_folds(authors, 4, seed):
        touches = _touching(authors, test_authors)
        train = ~touches
        if labels[train].sum() < 4 or (1 - labels[train]).sum() < 4:
            continue
        p[touches] += _fit(x[train], labels[train], names, calibration).predict(x[touches])
        seen[touches] += 1
    return np.where(seen > 0, p / np.maximum(seen, 1), 0.5)


KEYS = ("auto precision", "auto recall", "wrong auto-merges", "auto+candidate recall")


def held_out(
    ps: PairSet, names: list[str], seeds: tuple[int, ...] = FOLD_SEEDS, calibration: str = pairmodel.CALIBRATION
) -> dict:
    """The held-out figure over every seeded fold assignment: per key, the pooled rates' mean and
    (min, max) over the seeds, and the spread (standard deviation) of the single folds' rates."""
    pooled, folds = [], []
    for seed in seeds:
        cv = grouped_cv(ps, names, seed=seed, calibration=calibration)
        pooled.append(rates(ps.labels, cv["outcomes"], cv["tested"]))
        folds += cv["folds"]
    out: dict = {}
    for k in KEYS:
        values = [r[k] for r in pooled]
        out[k] = float(np.mean(values))
        out[k + " range"] = (float(min(values)), float(max(values)))
        out[k + " fold sd"] = float(np.std([r[k] for r in folds]))
    return out


def _outcome(p: float, auto: float, candidate: float, contrast: bool) -> str:
    if p >= auto and not contrast:
        return "merge"
    return "candidate" if p >= candidate else "distinct"


def _worst(votes: list[str]) -> str:
    """A pair tested in two folds (its authors in both) counts as merged only if both folds merged it."""
    if not votes:
        return "untested"
    for o in ("distinct", "candidate"):
        if o in votes:
            return o
    return "merge"


def fitted(ps: PairSet, names: list[str], calibration: str = pairmodel.CALIBRATION) -> dict:
    """The figure on the data the model was fitted on (printed beside the held-out one, never instead)."""
    x = ps.columns(names)
    model = _fit(x, ps.labels, names, calibration)
    auto, candidate = thresholds(model.predict(x), ps.labels)
    p = model.predict(x)
    contrast = x[:, names.index("contrast")] > 0
    return {
        "p": p,
        "outcomes": [_outcome(v, auto, candidate, c) for v, c in zip(p, contrast, strict=False)],
        "tested": np.ones(len(p), bool),
    }


def rates(labels: np.ndarray, outcomes: list[str], tested: np.ndarray) -> dict[str, float]:
    """Precision/recall of auto-merges and of auto-merges + candidates for the pairs that were tested."""
    n = Counter((int(lab), o) for lab, o, t in zip(labels, outcomes, tested, strict=False) if t)
    same = sum(v for (lab, _), v in n.items() if lab == 1)
    merged, wrong = n[1, "merge"], n[0, "merge"]
    shown = merged + n[1, "candidate"]
    return {
        "pairs": int(tested.sum()),
        "auto precision": merged / (merged + wrong) if merged + wrong else 1.0,
        "auto recall": merged / same if same else 0.0,
        "wrong auto-merges": wrong,
        "auto+candidate recall": shown / same if same else 0.0,
        "candidates": n[0, "candidate"] + n[1, "candidate"],
    }


def evaluate(g: Glossary | None = None, pairs: list[dict] | None = None) -> tuple[list[Outcome], int]:
    """The real find_duplicates over every side as one collection: how each labelled pair ended."""
    g = g or glossary()
    pairs = pairs if pairs is not None else load_pairs()
    sides: dict[tuple, RawQuestion] = {}

    def side(s: dict) -> RawQuestion:
        if s["key"] not in sides:
            ref = SourceRef(f"{s['from']}:{s['line']}", len(sides) + 1, s["title"], "dump")
            sides[s["key"]] = RawQuestion(ref, s["title"], [Block("para", s["answer"])])
        return sides[s["key"]]

    labelled = [(p["label"], side(p["a"]), side(p["b"]), p) for p in pairs]
    result = find_duplicates(list(sides.values()), glossary=g, review_budget=None)
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
    labels = np.array([o.label == "same" for o in outcomes], dtype=int)
    r = rates(labels, [o.outcome for o in outcomes], np.ones(len(outcomes), bool))
    r["same pairs"] = int(labels.sum())
    r["different pairs"] = int(len(labels) - labels.sum())
    return r
