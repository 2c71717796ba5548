"""Metadata markers ([E]/[M]/[H], (Hard), difficulty emoji, `Topic:`/`Level:`) become hints on the
question (level, topic), never part of its title and never a question of their own."""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from studysite.markers import lift, load_vocabulary, vocabulary
from studysite.model import SourceError
from studysite.readers import read_text


@pytest.mark.parametrize(
    "text, title, level, topic",
    [
        ("[E] What is a tensor?", "What is a tensor?", "basic", ""),
        ("What is a tensor? [H]", "What is a tensor?", "advanced", ""),
        ("What is LoRA? (Medium)", "What is LoRA?", "intermediate", ""),
        ("🔴 Explain the KV cache", "Explain the KV cache", "advanced", ""),
        ("What is dropout? ⭐⭐", "What is dropout?", "intermediate", ""),
        (
            "Topic: Attention | Level: Hard | What is multi-head attention?",
            "What is multi-head attention?",
            "advanced",
            "Attention",
        ),
        ("**Level**: Advanced", "", "advanced", ""),
        # brackets that are part of the question stay
        ("What is the difference between [CLS] and [SEP]?", "What is the difference between [CLS] and [SEP]?", "", ""),
        ("What is an RNN (recurrent network)?", "What is an RNN (recurrent network)?", "", ""),
        ("Explain [M] in the middle", "Explain [M] in the middle", "", ""),
    ],
)
def test_markers_are_lifted_off_the_text(text, title, level, topic):
    marked = lift(text)
    assert (marked.text, marked.level, marked.topic) == (title, level, topic)


def test_markers_in_a_file_are_hints_not_titles_or_questions():
    text = """# Questions

## 1. [E] What is a tensor?
Level: Advanced

An array.

## 2. What is LoRA? (Hard)

Low rank.

## 3. 🟢 Explain dropout

Zeroes.
"""
    report = read_text(text, "sources/x.md")
    assert [(q.title, q.ref.level) for q in report.questions] == [
        ("What is a tensor?", "basic"),
        ("What is LoRA?", "advanced"),
        ("Explain dropout", "basic"),
    ]
    assert [b.plain() for b in report.questions[0].blocks] == ["An array."]  # the Level line is no answer text
    assert report.dropped["metadata lines (level/topic hints)"] == 1


def test_a_line_of_markers_over_the_question():
    text = """**12) Topic:** Architectures, **Level**: Advanced
What is a residual connection?

It adds the input.

**13) Topic:** Training, **Level**: Basic
Why normalise inputs?

Faster.
"""
    report = read_text(text, "sources/y.md")
    assert [(q.title, q.ref.level, q.ref.section) for q in report.questions] == [
        ("What is a residual connection?", "advanced", "Architectures"),
        ("Why normalise inputs?", "basic", "Training"),
    ]


def test_json_levels_and_topics_are_hints():
    data = [
        {"question": "What is a tensor?", "answer": "An array.", "difficulty": "Easy", "category": "Basics"},
        {"question": "What is LoRA?", "answer": "Low rank.", "level": "advanced"},
    ]
    report = read_text(json.dumps(data, indent=1), "sources/q.json")
    assert [(q.ref.level, q.ref.section) for q in report.questions] == [("basic", "Basics"), ("advanced", "")]


def test_the_vocabulary_is_data_and_a_bad_entry_names_file_and_line(tmp_path):
    assert vocabulary().levels["[h]".strip("[]")] == "advanced"
    assert (REPO / "hooks" / "studysite" / "data" / "markers.yaml").is_file()
    bad = tmp_path / "markers.yaml"
    bad.write_text("levels:\n  basic: [easy]\n  extreme: [x]\nlabels:\n  level: [level]\n", encoding="utf-8")
    with pytest.raises(SourceError) as e:
        load_vocabulary(bad, "sources/markers.yaml")
    assert str(e.value).startswith("sources/markers.yaml:3: level 'extreme'")
