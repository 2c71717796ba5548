"""Property tests for the readers: any input fails only with a SourceError naming file and line,
and well-formed dumps and notes come back question for question (questions read as questions: the
segmenter finds the layout from texts that ask something)."""
from __future__ import annotations

import contextlib
import html
import signal
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studysite.model import SourceError
from studysite.readers import dump, html as html_reader, notes, read_file, table
from studysite.render import block_html

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Plain text plus the characters the formats care about, so the readers' branches are reached.
NASTY = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(["\n", "\r", "\r\n", "\x00", "[", "]", "=>", " => [", "h3 => [", "p => [", "li => [",
                             "td => [", "th => [", "- ", "  - ", "#", "## ", "**", "```", "&amp;", "&#", "1) ",
                             "\u2028", "\x0c", "\ufeff", "é", "🙂", "Links", "https://x.org/a (ok)"]),
        ),
        max_size=80,
    ).map("".join),
)


class Hang(Exception):
    """A reader took far longer than any real file needs (catastrophic regex backtracking)."""


@contextlib.contextmanager
def time_limit(seconds: float):
    # Python's regex engine checks for signals, so a runaway match is interrupted here.
    def on_alarm(*_):
        raise Hang(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_error(e: SourceError, file: str, text: str) -> None:
    msg = str(e)
    assert msg.startswith(f"{file}:"), msg
    assert e.file == file
    if e.line is not None:
        assert msg.startswith(f"{file}:{e.line}: "), msg
        assert 1 <= e.line <= max(len(text.splitlines()), text.count("\n") + 1), (e.line, msg)
    else:
        assert msg.startswith(f"{file}: "), msg


def read_or_error(reader, text: str, file: str):
    try:
        with time_limit(2):
            return reader(text, file)
    except SourceError as e:
        check_error(e, file, text)
        return None


# --- any input: only SourceError, naming file and line -----------------------------------------------


@FUZZ
@given(NASTY)
@example("h3 => [")
@example("p => [x\nq => [y]")
@example("h3 => [1) q]\nth => [S.No]\nth => [x]\ntd => [1]")
@example("h3 => [1) q]\nth => [a]\nth => [b]\ntd => [1]")
@example("h3 => [1) q]\nth => [No]\ntd => [1]\ntd => [2.]")
@example("x]\n\x00")
def test_dump_reader_fails_only_with_source_error(text):
    report = read_or_error(dump.read, text, "f.txt")
    if report is not None:
        assert all(q.title.strip() for q in report.questions)
        assert all(1 <= q.ref.line <= len(text.splitlines()) for q in report.questions)


@FUZZ
@given(NASTY)
@example("- ")
@example("-\t**")
@example("- ###")
@example("```\n- q\n```")
@example("## Links\nhttps://a.b (x\n## Links\n- q")
@example("  - orphan answer\n- q\n  - **Label:** text\n  - short\n  - items")
def test_notes_reader_fails_only_with_source_error(text):
    report = read_or_error(notes.read, text, "f.md")
    if report is not None:
        for q in report.questions:
            for b in q.blocks:
                assert "<script" not in block_html(b)
        assert all(1 <= q.ref.line <= len(text.splitlines()) for q in report.questions)
        assert all(1 <= link["line"] <= len(text.splitlines()) for link in report.study_links)


HTMLISH = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["<html>", "<h2>", "</h2>", "<p>", "</p>", "<ul>", "<li>", "</li>", "<ol>", "<pre>",
                         "<code class='language-py'>", "</pre>", "<details>", "<summary>", "</summary>", "</details>",
                         "<table><tr><td>", "<th>", "<strong>", "</strong>", "<img src=x alt=y>", "<nav>", "<script>",
                         "What is x?", "?", "\n", "&amp;", "<!--", "-->", "<br>"]),
    ),
    max_size=60,
).map(lambda parts: "<!doctype html>" + "".join(parts))
CSVISH = st.lists(
    st.one_of(st.characters(codec="utf-8"), st.sampled_from([",", '"', "\n", "\t", "What is x?", "answer", "?"])),
    max_size=60,
).map(lambda parts: "question,answer\n" + "".join(parts))


@FUZZ
@given(HTMLISH)
def test_html_reader_fails_only_with_source_error(text):
    report = read_or_error(html_reader.read, text, "f.html")
    if report is not None:
        assert all(q.title.strip() for q in report.questions)
        for q in report.questions:
            for b in q.blocks:
                assert "<script" not in block_html(b)


@FUZZ
@given(CSVISH)
def test_table_reader_fails_only_with_source_error(text):
    report = read_or_error(table.read, text, "f.csv")
    if report is not None:
        assert all(q.title.strip() for q in report.questions)
        assert all(1 <= q.ref.line <= text.count("\n") + 1 for q in report.questions)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "input.txt"


@FUZZ
@given(data=st.one_of(st.binary(max_size=200), NASTY.map(lambda t: t.encode("utf-8"))))
@example(data=b"\xff")
@example(data=b"p => [ok]\n\xc3")
@example(data=b"\xef\xbb\xbf")
@example(data=b"h3 => [1) q]\r\np => [a]\r")
def test_read_file_fails_only_with_source_error(scratch, data):
    scratch.write_bytes(data)
    try:
        with time_limit(2):
            report = read_file(scratch, "sources/f.txt")
    except SourceError as e:
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        check_error(e, "sources/f.txt", text)
    else:
        assert report.kind in ("dump", "notes", "html", "table", "empty")


# --- well-formed dumps round-trip ------------------------------------------------------------------

# No brackets (they delimit values), no "<"/">" (residue removal), no exotic line breaks.
SAFE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 ?,.'\"&()-:;/é", min_size=1, max_size=30).filter(str.strip)
# Answer parts never read as questions themselves (no "?", a fixed opening word).
PART = SAFE.map(lambda t: "Note " + t.replace("?", "."))
# Question titles ask something, as real ones do.
TITLE = SAFE.map(lambda t: "What is " + t.replace("?", ".").strip() + "?")


def encode_value(text: str, multiline: bool) -> str:
    """Plain text → how the scraper writes it: entities for &, quotes sometimes, lines broken at spaces."""
    raw = html.escape(text, quote=False).replace('"', "&quot;")
    if multiline and " " in raw.strip():
        raw = raw.replace(" ", "\n", 1)
    return raw


def fold(text: str) -> str:
    return " ".join(text.split())


part = st.one_of(
    st.tuples(st.sampled_from(["p", "li", "strong"]), PART, st.booleans()),
    st.tuples(
        st.just("table"),
        st.integers(1, 3).flatmap(lambda w: st.tuples(st.just(w), st.integers(0, 3))),
        st.booleans(),
    ),
)
question = st.tuples(st.sampled_from([")", ".", ":", "-"]), TITLE, st.booleans(), st.lists(part, max_size=5))


def render_dump(questions) -> tuple[str, list[dict]]:
    lines = ["h1 => [PyTorch Interview Questions]", "p => [Intro text before the first question.]"]
    expected, links = [], 0
    for n, (sep, title, multiline, parts) in enumerate(questions, start=1):
        lines.append(f"h3 => [{n}{sep} {encode_value(title, multiline)}]")
        want = {"title": fold(title), "p": 0, "li": 0, "strong": 0, "cells": 0}
        previous = None
        for kind, value, multi in parts:
            if kind == "table":
                if previous == "table":
                    lines.append("p => [between tables]")  # adjacent th/td runs are one table in a dump
                    want["p"] += 1
                width, rows = value
                lines += [f"th => [Column {c}]" for c in range(width)]
                lines += [f"td => [cell {r}.{c}]" for r in range(rows) for c in range(width)]
                want["cells"] += width * (rows + 1)
            else:
                lines.append(f"{kind} => [{encode_value(value, multi)}]")
                want[kind] += 1
                if n % 2:
                    lines.append("a => [Click here for more information]")
                    links += 1
            previous = kind
        expected.append(want)
    lines += ["h2 => [You may also like:]", "a => [Spring Interview Questions]", ""]
    return "\n".join(lines), expected, links


@FUZZ
@given(st.lists(question, min_size=1, max_size=6))
def test_wellformed_dump_round_trips(questions):
    text, expected, links = render_dump(questions)
    with time_limit(2):
        report = dump.read(text, "f.txt")
    assert [q.title for q in report.questions] == [w["title"] for w in expected]
    assert [int(q.ref.text.split(")")[0].split(".")[0].split(":")[0].split("-")[0]) for q in report.questions] == list(
        range(1, len(expected) + 1)
    )
    for q, want in zip(report.questions, expected):
        kinds = [b.kind for b in q.blocks]
        assert kinds.count("para") == want["p"]
        assert sum(len(b.items) for b in q.blocks if b.kind == "list") == want["li"]
        assert kinds.count("label") == want["strong"]
        assert sum(len(r) for b in q.blocks if b.kind == "table" for r in b.rows) == want["cells"]
        assert all(fold(html.unescape(b.origin.text)) for b in q.blocks)
    assert report.dropped.get("'Click here' links", 0) == links


def test_header_after_data_starts_a_new_table():
    text = "h3 => [1) q?]\nth => [A]\nth => [B]\ntd => [1]\ntd => [2]\nth => [C]\ntd => [3]\n"
    (q,) = dump.read(text, "f.txt").questions
    assert [b.rows for b in q.blocks] == [[["A", "B"], ["1", "2"]], [["C"], ["3"]]]


# --- well-formed notes round-trip ------------------------------------------------------------------

# Lower-case words and upper-case acronyms: a run of Capitalised Words is a Title Case heading, which the
# reader rightly turns into sentence case (tested in test_readers_layouts.py), so it is not a round trip.
WORD = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789,.'()é", min_size=1, max_size=10),
    st.text(alphabet="XYZ", min_size=2, max_size=4),
)
SAFE_TITLE = st.lists(WORD, min_size=1, max_size=6).map(lambda ws: "How does " + " ".join(ws) + "?")
ANSWER = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ,.'()-é", min_size=1, max_size=70).filter(str.strip).map(
    lambda t: "note " + t)
STYLES = {
    "heading": "- ### {}",
    "heading-bold": "- ### **{}**",
    "bold": "- **{}**",
    "plain": "- {}",
    "dash": "- {} -",
    "star": "* {}",
    "plus": "+ **{}**",
}
note_question = st.tuples(
    st.sampled_from(sorted(STYLES)),
    SAFE_TITLE,
    # answers are bullets under the question (a bare indented line would continue the question's own
    # paragraph in markdown; the segmenter reads that as answer text too, tested elsewhere)
    st.lists(st.tuples(st.sampled_from(["  - ", "    - ", "  * "]), ANSWER), max_size=4),
    st.booleans(),
)


def render_notes(questions) -> str:
    lines = ["# PyTorch notes", ""]
    for i, (style, title, answers, section) in enumerate(questions):
        if section:
            lines += ["", f"## Section {i}", ""]
        lines.append(STYLES[style].format(title))
        lines += [f"{indent}{a}" for indent, a in answers]
        if i % 3 == 2:
            lines.append("")
    lines += ["", "## Links", "- https://pytorch.org/docs (read)", "https://example.org/x"]
    return "\n".join(lines) + "\n"


@FUZZ
@given(st.lists(note_question, min_size=1, max_size=6))
def test_wellformed_notes_round_trip(questions):
    text = render_notes(questions)
    with time_limit(2):
        report = notes.read(text, "f.md")
    assert [q.title for q in report.questions] == [title for _, title, _, _ in questions]
    for q, (_, _, answers, _) in zip(report.questions, questions):
        parts = sum(len(b.items) if b.kind == "list" else 1 for b in q.blocks)
        assert parts == len(answers), (q.title, q.blocks)
        assert q.ref.text.endswith(q.title) or q.ref.text.rstrip(" -*").endswith(q.title)
    assert [link["url"] for link in report.study_links] == ["https://pytorch.org/docs", "https://example.org/x"]
    assert report.study_links[0]["status"] == "read"


# --- known slow inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reader, text",
    [
        (notes.read, "# heading" + " " * 2000 + "end\n"),
        (notes.read, "- q\n  - answer" + " " * 2000 + "end\n"),
        (dump.read, "h3 => [1)" + " " * 3000 + "q?" + " " * 3000 + "]\n"),
        (dump.read, "h3 => [1) q?]\np => [" + "</" * 3000 + "p]\n"),
        (notes.read, "- What is " + "x" * 100_000 + "?\n  - answer\n"),
        (notes.read, "# " + "*_[`" * 5_000 + "\n- What is y?\n  - b\n"),
        (notes.read, "- **" + "a " * 50_000 + "\n"),
        (dump.read, "h2 => [ What is " + "] " * 50_000 + "]\n"),
    ],
    ids=["notes-heading", "notes-answer", "dump-question", "dump-residue", "notes-100k-title", "notes-100k-markup",
         "notes-100k-bold", "dump-100k-brackets"],
)
def test_long_whitespace_runs_are_read_quickly(reader, text):
    start = time.perf_counter()
    with time_limit(1):
        try:
            reader(text, "f")
        except SourceError:
            pass  # no question in it: one error, quickly
    assert time.perf_counter() - start < 1


def test_question_with_long_whitespace_run_is_read_quickly():
    with time_limit(1):
        report = notes.read("- a" + " " * 300 + "b?\n", "f.md")
    assert report.questions[0].title.split() == ["a", "b?"]


@pytest.mark.parametrize("brk", ["\x0c", "\u2028", "\x85"])
def test_line_numbers_match_an_editors(brk):
    with pytest.raises(SourceError) as e:
        dump.read(f"h3 => [1) q?{brk}still line one]\np => [ never closed\nh3 => [2) r?]\n", "f.txt")
    assert e.value.line == 2


@pytest.mark.parametrize("unit", ["[", "[[src]", "**", "1. ", "Q1: ", " ", "a ", "A ", "![x](y)", "](", "([", "? (", "Ab "])
def test_title_cleaning_is_quick_on_100k_characters(unit):
    from studysite.clean import clean_title
    from studysite.dedup import question_key
    from studysite.segment import md_plain, reads_as_question, strip_title

    text = unit * (100_000 // len(unit)) + "?"
    with time_limit(1):  # catastrophic backtracking would take minutes
        for f in (strip_title, reads_as_question, md_plain, clean_title, question_key):
            f(text)
