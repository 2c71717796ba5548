"""Readers on both real seeds, format detection by content, and bad input naming file and line."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from studysite.model import SourceError
from studysite.readers import read_file, read_sources, read_text

dump_read = partial(read_text, kind="dump")
notes_read = partial(read_text, kind="notes")

REPO = Path(__file__).resolve().parents[1]
DUMP = REPO / "sources" / "004_519512c2dfdefeb4.txt"
NOTES = REPO / "sources" / "000_4bf7c5cc3fe7a3fc.txt"


@pytest.fixture(scope="module")
def dump_report():
    return read_file(DUMP, "sources/004_519512c2dfdefeb4.txt")


@pytest.fixture(scope="module")
def notes_report():
    return read_file(NOTES, "sources/000_4bf7c5cc3fe7a3fc.txt")


def by_line(report, line):
    return next(q for q in report.questions if q.ref.line == line)


def all_text(report) -> str:
    return "\n".join(b.plain() for q in report.questions for b in q.blocks)


# --- the scraped dump -----------------------------------------------------------------------


def test_dump_has_all_50_numbered_questions(dump_report):
    assert dump_report.kind == "dump"
    assert len(dump_report.questions) == 50
    assert [int(q.ref.text.split(")")[0]) for q in dump_report.questions] == list(range(1, 51))
    assert by_line(dump_report, 17).title == "What is Tensors?"
    assert by_line(dump_report, 17).ref.text == "3) What is Tensors?"


def test_dump_drops_links_and_navigation_and_counts_them(dump_report):
    text = all_text(dump_report)
    for nav in ["Click here", "Splunk", "Interview Tips", "Spring Interview Questions", "You may also like"]:
        assert nav not in text
    assert dump_report.dropped["'Click here' links"] == 12
    assert sum(dump_report.dropped.values()) > 100  # the whole navigation tail is accounted for


def test_dump_decodes_entities_and_removes_markup_residue(dump_report):
    feed_forward = by_line(dump_report, 68)
    first = feed_forward.blocks[0].text
    assert "/p>" not in first and "&gt;" not in first
    assert first.endswith("deep neural network.")


def test_dump_rebuilds_table_without_serial_column(dump_report):
    (table,) = [b for b in by_line(dump_report, 90).blocks if b.kind == "table"]
    assert table.rows[0] == ["PyTorch", "TensorFlow"]
    assert len(table.rows) == 6 and all(len(r) == 2 for r in table.rows)
    assert table.rows[1] == ["It provides a lower level of APIs", "It provides both high and low level of APIs"]


def test_dump_keeps_lists_and_labels(dump_report):
    elements = by_line(dump_report, 9)
    assert [b.kind for b in elements.blocks] == ["para", "list"]
    assert elements.blocks[1].items[0] == "PyTorch tensors" and len(elements.blocks[1].items) == 6
    levels = by_line(dump_report, 20)
    assert [(b.kind, b.label, b.text) for b in levels.blocks[1:]] == [
        ("label", "Tensor:", ""),
        ("label", "Variable:", ""),
        ("label", "Module:", ""),
    ]


def test_dump_value_spanning_lines():
    text = "h3 => [ 1) What is X? ]\np => [ first line\nsecond line ]\n"
    (q,) = dump_read(text, "x.txt").questions
    assert q.blocks[0].text == "first line second line"


def test_unclosed_bracket_names_file_and_line():
    text = "h3 => [ 1) What is X? ]\np => [ never closed\nh3 => [ 2) What is Y? ]\n"
    with pytest.raises(SourceError) as err:
        dump_read(text, "sources/bad.txt")
    assert str(err.value).startswith("sources/bad.txt:2:")
    assert "unclosed" in str(err.value)


def test_unclosed_bracket_at_end_of_file():
    with pytest.raises(SourceError, match=r"^x\.txt:1: unclosed"):
        dump_read("p => [ open", "x.txt")


# --- the markdown notes ---------------------------------------------------------------------


def test_notes_has_all_46_questions_in_every_style(notes_report):
    assert notes_report.kind == "notes"
    assert len(notes_report.questions) == 46
    styles = {
        5: "Level of abstraction in Tensor",  # "- Q -"
        11: "What is variable and autograd.variable?",  # "- ### Q"
        53: "what is the difference between Type I and Type II error?",  # "- Q"
        111: "Why CNN is preferred over ANN for Image Classification tasks even though it is possible to solve image classification using ANN?",  # "- **Q**"
        213: "What is the difference between Entropy and Information Gain?",  # "- ### **Q**"
    }
    for line, title in styles.items():
        assert by_line(notes_report, line).title == title


def test_notes_nested_answers(notes_report):
    levels = by_line(notes_report, 5)
    assert [(b.kind, b.label) for b in levels.blocks] == [
        ("label", "Tensor:"),
        ("label", "Variable:"),
        ("label", "Module:"),
    ]
    assert levels.blocks[0].text.startswith("Tensor is an imperative n-dimensional array")
    hyper = by_line(notes_report, 155)
    assert hyper.blocks[0].kind == "list" and len(hyper.blocks[0].items) == 7
    # continuation text indented under a bullet stays with its question
    bias_variance = by_line(notes_report, 195)
    assert any("Variance –" in b.text for b in bias_variance.blocks)


def test_notes_links_with_status(notes_report):
    links = notes_report.study_links
    assert len(links) == 5
    status = {link["url"].split("/")[2]: link["status"] for link in links if link["status"]}
    assert status == {"www.edureka.co": "to do", "www.analyticsvidhya.com": "do this last"}
    assert all(link["line"] >= 234 for link in links)


def test_notes_text_outside_a_question_is_reported():
    report = notes_read("# Notes\n\nstray paragraph\n\n- Q?\n  - A.\n", "n.md")
    assert report.warnings == ["n.md:3: text outside any question: 'stray paragraph'"]


# --- detection and decoding -----------------------------------------------------------------


def test_reader_chosen_by_content_not_name(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.md").write_bytes(DUMP.read_bytes())  # a dump named like notes
    (tmp_path / "sources" / "b.dump").write_bytes(NOTES.read_bytes())  # notes named like a dump
    (tmp_path / "sources" / "topics.yaml").write_text("not: a source\n")
    reports = read_sources(tmp_path / "sources", tmp_path)
    assert [(r.file, r.kind, len(r.questions)) for r in reports] == [
        ("sources/a.md", "dump", 50),
        ("sources/b.dump", "notes", 46),
    ]


def test_non_utf8_names_file_and_line(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("h3 => [ 1) What is X? ]\np => [ caf\xe9 ]\n".encode("latin-1"))
    with pytest.raises(SourceError) as err:
        read_file(bad, "sources/latin1.txt")
    assert str(err.value).startswith("sources/latin1.txt:2:")
    assert "UTF-8" in str(err.value)


def test_unrecognised_format_is_an_error(tmp_path):
    odd = tmp_path / "odd.txt"
    odd.write_text("just some prose\nwith no structure at all\n")
    with pytest.raises(SourceError, match="format not recognised"):
        read_file(odd, "sources/odd.txt")
