"""The evaluation set: hand-labelled pairs from real files by other authors, and the model trained on it."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np

from dedup_eval import data_hash, evaluate, load_pairs, pair_set, scores
from studysite import pairmodel


def test_the_evaluation_set_is_large_grouped_by_author_and_self_contained():
    pairs = load_pairs()
    labels = Counter(p["label"] for p in pairs)
    assert labels["same"] >= 300 and labels["different"] >= 300
    for p in pairs:
        for side in (p["a"], p["b"]):
            assert side["title"].strip() and side["answer"].strip() and side["from"] and side["line"] and side["author"]
    files = {s["from"] for p in pairs for s in (p["a"], p["b"])}
    authors = {s["author"] for p in pairs for s in (p["a"], p["b"])}
    assert len(files) >= 20 and len(authors) >= 20
    cross = Counter(p["label"] for p in pairs if p["a"]["author"] != p["b"]["author"])
    assert cross["same"] >= 250 and cross["different"] >= 200


def test_the_hard_look_alikes_are_in_the_set_and_labelled_different():
    pairs = load_pairs()
    different = {
        frozenset((p["a"]["title"].lower(), p["b"]["title"].lower())) for p in pairs if p["label"] == "different"
    }
    for a, b in [
        (
            "can you train a neural network model by initializing all biases as 0?",
            "can you train a neural network model by initializing all the weights to 0?",
        ),
        ("what is max pooling?", "what is average pooling?"),
        ("what is max pooling?", "what is sum pooling?"),
        ("what is the cifar-10 dataset?", "what is the difference between cifar-10 and cifar-100 dataset?"),
        ("what do you mean by stride?", "what do you mean by padding?"),
        (
            "what are supervised and unsupervised learning algorithms in deep learning?",
            "list the supervised and unsupervised tasks in deep learning.",
        ),
    ]:
        assert frozenset((a, b)) in different, (a, b)


def test_the_committed_model_was_trained_on_this_data_and_reads_as_sklearn_would():
    model = pairmodel.load()
    assert model.trained_on == data_hash(), "run scripts/train-dedup"
    data = json.loads(pairmodel.MODEL_FILE.read_text())
    assert data["features"] == pairmodel.METHODS[pairmodel.PRODUCTION]
    assert 0 < model.candidate < model.auto < 1
    # the JSON predictor agrees with scikit-learn's calibrated classifier on the same fit
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    ps = pair_set(with_wordllama=False)
    x = ps.columns(model.features)
    fitted = pairmodel.fit(x, ps.labels, model.features)
    z = (x - fitted.mean) / fitted.scale
    lr = LogisticRegression(C=1.0, max_iter=2000)
    clf = CalibratedClassifierCV(lr, method=pairmodel.CALIBRATION, cv=5).fit(z, ps.labels)
    assert np.allclose(fitted.predict(x), clf.predict_proba(z)[:, 1], atol=1e-6)


def test_no_wrong_auto_merge_on_the_hard_pairs_and_candidates_keep_recall():
    outcomes, _ = evaluate()
    s = scores(outcomes)
    hard = {"max pooling", "average pooling", "sum pooling", "cifar-100", "stride", "padding", "biases", "weights"}
    wrong = [(o.a["title"], o.b["title"]) for o in outcomes if o.label == "different" and o.outcome == "merge"]
    assert not [w for w in wrong if any(h in (w[0] + w[1]).lower() for h in hard)], wrong
    assert s["auto precision"] >= 0.97, s
    assert s["auto+candidate recall"] >= 0.9, s
