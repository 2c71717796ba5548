"""The learned pair decision: features of two questions, and the calibrated classifier that weighs them.

Features (one row per candidate pair, all in [0, 1] or small counts):

* ``emb_title`` / ``emb_full`` — cosine of the sentence embeddings of the titles, and of title + answer;
  ``emb_terms`` — of the titles written in the glossary's terms ("BN" → "batch norm");
* ``wl_title`` / ``wl_full`` — the same with wordllama's static embeddings (measured, not used in builds);
* ``tfidf_title`` / ``tfidf_answer`` — TF-IDF cosine of the titles' glossary terms and of the answers';
* ``same_terms``, ``contained``, ``jaccard`` — how the two term sets overlap; ``same_question`` — the
  same terms asked the same way (no aspect apart);
* ``synonym`` — a glossary term both titles reach through different wordings ("CNN" / "convolutional
  neural network");
* ``contrast`` — a glossary contrast set tells them apart (max / average pooling); also a hard veto;
* ``aspect`` — the titles ask different things about a subject (why / how to implement / compare / …).

The classifier is a logistic regression over standardised features, calibrated by isotonic regression
(scikit-learn ``CalibratedClassifierCV``; Platt scaling is the other choice, measured beside it in
bench/bench_dedup.py: held out by author over five seeded fold assignments, isotonic keeps auto-merge
precision at 0.993 where Platt scaling falls to 0.981, for recall 0.33 instead of 0.43), trained by
``scripts/train-dedup`` from the hand-labelled pairs of ``tests/data/`` and committed as JSON
(``dedup-model.json`` beside this file: coefficients, calibration, thresholds, and the SHA-256 of the
data it was trained on). Reading it needs no pickle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).with_name("dedup-model.json")

# Feature sets of the methods compared in bench/bench_dedup.py; PRODUCTION is what builds use.
LEXICAL = [
    "tfidf_title",
    "tfidf_answer",
    "same_terms",
    "same_question",
    "contained",
    "jaccard",
    "synonym",
    "contrast",
    "aspect",
]
METHODS: dict[str, list[str]] = {
    "tfidf": LEXICAL,
    "minilm": ["emb_title", "emb_full", "emb_terms", "contrast", "aspect"],
    "wordllama": ["wl_title", "wl_full", "wl_terms", "contrast", "aspect"],
    "combined": ["emb_title", "emb_full", "emb_terms", *LEXICAL],
}
PRODUCTION = "combined"  # see bench/bench_dedup.py: the only method meeting precision >= 0.99 held out
CALIBRATIONS = ("isotonic", "sigmoid")
CALIBRATION = "isotonic"  # what builds use; bench/bench_dedup.py measures both


@dataclass
class PairModel:
    """A calibrated logistic regression read from JSON: p(same question | features)."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    # each: coef, intercept, and its calibration: a, b (Platt: 1/(1+exp(a*f+b))) or x, y (isotonic: the
    # step points, interpolated linearly and clipped at the ends, as scikit-learn's IsotonicRegression)
    members: list[dict] = field(default_factory=list)
    auto: float = 0.9  # p from which a pair merges without a person
    candidate: float = 0.3  # p from which a pair is shown to a person
    trained_on: str = ""  # SHA-256 of the labelled pairs

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """Probabilities for rows of features (columns in self.features order)."""
        if len(rows) == 0:
            return np.zeros(0)
        x = (rows - self.mean) / self.scale
        total = np.zeros(len(rows))
        for m in self.members:
            f = x @ np.asarray(m["coef"]) + m["intercept"]
            if "x" in m:
                total += np.interp(f, m["x"], m["y"])
            else:
                total += 1.0 / (1.0 + np.exp(m["a"] * f + m["b"]))
        return total / len(self.members)

    def to_json(self) -> dict:
        return {
            "features": self.features,
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "members": self.members,
            "thresholds": {"auto": self.auto, "candidate": self.candidate},
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_json(cls, data: dict) -> PairModel:
        return cls(
            features=list(data["features"]),
            mean=np.asarray(data["mean"], dtype=float),
            scale=np.asarray(data["scale"], dtype=float),
            members=list(data["members"]),
            auto=float(data["thresholds"]["auto"]),
            candidate=float(data["thresholds"]["candidate"]),
            trained_on=str(data.get("trained_on", "")),
        )


def fit(
    rows: np.ndarray, labels: np.ndarray, features: list[str], folds: int = 5, calibration: str = CALIBRATION
) -> PairModel:
    """Fit the calibrated classifier (its thresholds are set by the caller, on held-out folds)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    x = (rows - mean) / scale
    folds = max(2, min(folds, int(labels.sum()), int(len(labels) - labels.sum())))
    clf = CalibratedClassifierCV(LogisticRegression(C=1.0, max_iter=2000), method=calibration, cv=folds)
    clf.fit(x, labels)
    members = []
    for cc in clf.calibrated_classifiers_:
        lr, cal = cc.estimator, cc.calibrators[0]
        member: dict = {
            "coef": [round(float(v), 8) for v in lr.coef_[0]],
            "intercept": round(float(lr.intercept_[0]), 8),
        }
        if calibration == "isotonic":
            member["x"] = [round(float(v), 8) for v in cal.X_thresholds_]
            member["y"] = [round(float(v), 8) for v in cal.y_thresholds_]
        else:
            member["a"], member["b"] = round(float(cal.a_), 8), round(float(cal.b_), 8)
        members.append(member)
    return PairModel(features, mean, scale, members)


_LOADED: dict[tuple[str, int], PairModel] = {}


def load(path: Path = MODEL_FILE) -> PairModel:
    mtime = path.stat().st_mtime_ns
    key = (str(path), mtime)
    if key not in _LOADED:
        _LOADED[key] = PairModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    return _LOADED[key]
