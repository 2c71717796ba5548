"""The learned question detector: the committed model is the one the labelled corpus gives, it is data
(JSON, small), and the segmenter takes its slots and questions from its scores."""

from __future__ import annotations

import json

import math

from studysite.detect import (
    MODEL_FILE,
    default_model,
    first_scores,
    load_model,
    sigmoid,
    stacked_features,
    stage_two,
    weigh,
)
from studysite.detect_train import corpus_files, corpus_hash, examples, judge_file
from studysite.readers import parse_text, read_text
from studysite.slots import BY_NAME, SLOTS, SlotKind, candidates, heading_members


def test_committed_model_matches_the_corpus_it_claims():
    """Change a corpus file or a label and this fails until scripts/train-detector is run again."""
    files = corpus_files()
    assert len(files) >= 40 and len({f.author for f in files}) >= 30
    assert json.loads(MODEL_FILE.read_text(encoding="utf-8"))["corpus_hash"] == corpus_hash(files)


def test_model_is_small_data_not_a_pickle():
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert set(data) >= {"corpus_hash", "first", "second"}
    assert MODEL_FILE.stat().st_size < 300_000
    model = load_model()
    assert 50 < len(model.first.weights) < 5000 and 50 < len(model.second.weights) < 5000


def test_fitted_model_reads_most_corpus_files_exactly():
    model = default_model()
    results = [judge_file(f, model) for f in corpus_files()]
    exact = [r for r in results if r.exact]
    assert len(exact) >= 0.75 * len(results), [(r.name, r.read, r.hand, r.junk) for r in results if not r.exact]


def test_build_scores_what_training_sees():
    """The build weighs whole columns of features (numpy); training reads the same features as one dict per
    candidate. On every labelled file both stages give each candidate the probability the model gives its
    dict (a feature weighed in one and not the other, or computed differently, fails here)."""
    model = default_model()
    checked = 0
    for f in corpus_files():
        t, _labels = examples(f)
        if not t.members:
            continue
        p1 = first_scores(t, model.first)
        p2 = sigmoid(weigh(t, model.second, stage_two(t, p1)))
        stacked = stacked_features(t, p1)
        for k, (own, both) in enumerate(zip(t.dicts, stacked, strict=True)):
            z1 = model.first.intercept + model.first.dot(own)
            z2 = model.second.intercept + model.second.dot(both)
            assert math.isclose(p1[k], 1 / (1 + math.exp(-max(-30, min(30, z1)))), rel_tol=0, abs_tol=1e-12), f.name
            assert math.isclose(p2[k], 1 / (1 + math.exp(-max(-30, min(30, z2)))), rel_tol=0, abs_tol=1e-12), f.name
            checked += 1
    assert checked > 10_000


def test_scores_decide_which_heading_is_a_question():
    text = """# Deep learning questions

Intro text.

## What is a tensor?

An n-dimensional array.

## Explain dropout

It zeroes activations at random while training.

## Why normalise inputs?

Optimisation is better conditioned.

## Further reading

See the docs.
"""
    report = read_text(text, "sources/x.md")
    assert [q.title for q in report.questions] == ["What is a tensor?", "Explain dropout", "Why normalise inputs?"]


def test_slot_kinds_are_a_table():
    assert [s.name for s in SLOTS] == list(BY_NAME) and len(BY_NAME) == len(SLOTS)
    nodes = parse_text("## What is a tensor?\n\n- an item\n- What is x?\n", "f.md").nodes
    only_headings = [SlotKind("heading", "level-{} headings", 0, frozenset({"heading"}), heading_members)]
    assert [m.key for m in candidates(nodes, only_headings)] == [("heading", 2)]
    assert {m.key[0] for m in candidates(nodes)} == {"heading", "item"}


def test_numbered_lines_run_together_are_questions_each():
    """ "3 what is …" lines after "2. …" are, for markdown, the text of item 2: a slot kind of their own."""
    text = "Questions:\n\n1. What is a layer?\n2. What are weights?\n3 what is dense layer\n4 name few optimizers\n5 explain adam\n"
    report = read_text(text, "sources/lines.md")
    got = [(q.title, q.ref.line) for q in report.questions]
    assert got[-3:] == [("what is dense layer", 5), ("name few optimizers", 6), ("explain adam", 7)]
    assert "numbered lines" in report.layout
