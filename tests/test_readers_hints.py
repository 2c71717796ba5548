"""sources/reading.yaml: a person says per file how its questions are marked (a slot kind, line ranges
to skip, a pattern); mistakes name reading.yaml and the line; "no questions found" says what to write."""

from __future__ import annotations

import pytest

from studysite.model import SourceError
from studysite.readers import read_file

NOTES = """# Notes

## Tensors

### A tensor is an array

It has a shape and a dtype.

### Broadcasting

Shapes are aligned from the right.

## Contents

- Q1 What is autograd
- Q2 What is a module
"""


def write(tmp_path, reading: str | None, name: str = "notes.md", text: str = NOTES):
    (tmp_path / name).write_text(text, encoding="utf-8")
    if reading is not None:
        (tmp_path / "reading.yaml").write_text(reading, encoding="utf-8")
    return tmp_path / name


def test_a_named_slot_reads_what_detection_does_not(tmp_path):
    path = write(tmp_path, "files:\n  notes.md:\n    questions: heading 3\n")
    report = read_file(path, "sources/notes.md")
    assert [q.title for q in report.questions] == ["A tensor is an array", "Broadcasting"]
    assert report.questions[0].ref.section == "Tensors"


def test_skip_and_pattern(tmp_path):
    path = write(tmp_path, "files:\n  notes.md:\n    questions: item\n    pattern: '^Q\\d+'\n    skip: [1-3]\n")
    report = read_file(path, "sources/notes.md")
    assert [q.title for q in report.questions] == ["What is autograd", "What is a module"]
    path = write(tmp_path, "files:\n  notes.md:\n    questions: heading 3\n    skip: [5-8]\n")
    report = read_file(path, "sources/notes.md")
    assert [q.title for q in report.questions] == ["Broadcasting"]
    assert report.dropped["lines skipped (sources/reading.yaml)"] >= 1


@pytest.mark.parametrize(
    "reading, line, message",
    [
        ("files:\n  notes.md:\n    questions: headline 3\n", 3, "is not a slot kind"),
        ("files:\n  notes.md:\n    questions: item\n    skip: [40-12]\n", 4, "is not a line or a range"),
        ("files:\n  notes.md:\n    pattern: '(['\n", 3, "is not a regular expression"),
        ("files:\n  other.md:\n    questions: bold\n", 2, "is not a file in sources/"),
        ("files:\n  notes.md:\n    question: bold\n", 3, "unknown key 'question'"),
        ("file:\n  notes.md: {}\n", 1, "unknown key 'file'"),
        ("files:\n  notes.md:\n    questions: bold\n  notes.md:\n    questions: item\n", 4, "appears twice"),
    ],
)
def test_mistakes_name_reading_yaml_and_the_line(tmp_path, reading, line, message):
    path = write(tmp_path, reading)
    with pytest.raises(SourceError) as e:
        read_file(path, "sources/notes.md")
    assert e.value.file == "sources/reading.yaml" and e.value.line == line, str(e.value)
    assert message in str(e.value)


def test_no_questions_found_says_what_to_write_in_reading_yaml(tmp_path):
    path = write(tmp_path, None, "plain.md", "Just some prose about tensors.\n\nAnd more prose.\n")
    with pytest.raises(SourceError) as e:
        read_file(path, "sources/plain.md")
    assert "no questions found" in str(e.value)
    assert "sources/reading.yaml" in str(e.value) and "plain.md: {questions: heading 3}" in str(e.value)
