"""Property tests for the readers: any input fails only with a SourceError naming file and line,
and well-formed dumps and notes come back question for question (questions read as questions: the
segmenter finds the layout from texts that ask something)."""

from __future__ import annotations

import contextlib
import html
import json
import signal
from functools import partial

import nbformat
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studysite.model import SourceError
from studysite.readers import read_file, read_text
from studysite.render import block_html

dump_read = partial(read_text, kind="dump")
notes_read = partial(read_text, kind="notes")
html_read = partial(read_text, kind="html")
table_read = partial(read_text, kind="table")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Plain text plus the characters the formats care about, so the readers' branches are reached.
NASTY = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(
                [
                    "\n",
                    "\r",
                    "\r\n",
                    "\x00",
                    "[",
                    "]",
                    "=>",
                    " => [",
                    "h3 => [",
                    "p => [",
                    "li => [",
                    "td => [",
                    "th => [",
                    "- ",
                    "  - ",
                    "#",
                    "## ",
                    "**",
                    "```",
                    "&amp;",
                    "&#",
                    "1) ",
                    "\u2028",
                    "\x0c",
                    "\ufeff",
                    "é",
                    "🙂",
                    "Links",
                    "https://x.org/a (ok)",
                ]
            ),
        ),
        max_size=80,
    ).map("".join),
)


class Hang(BaseException):  # not an Exception: the readers turn those into SourceErrors
    """A reader took far longer than any real file needs (catastrophic regex backtracking)."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt the block after `seconds` of this process's CPU time (not wall time: a loaded machine
    slows the clock on the wall, not the work). Python's regex engine checks for signals, so a runaway
    match is interrupted here."""

    def on_alarm(*_):
        raise Hang(f"no result after {seconds} s of CPU time")

    previous = signal.signal(signal.SIGPROF, on_alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


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
    report = read_or_error(dump_read, text, "f.txt")
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
    report = read_or_error(notes_read, text, "f.md")
    if report is not None:
        for q in report.questions:
            for b in q.blocks:
                assert "<script" not in block_html(b)
        assert all(1 <= q.ref.line <= len(text.splitlines()) for q in report.questions)
        assert all(1 <= link["line"] <= len(text.splitlines()) for link in report.study_links)


HTMLISH = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            [
                "<html>",
                "<h2>",
                "</h2>",
                "<p>",
                "</p>",
                "<ul>",
                "<li>",
                "</li>",
                "<ol>",
                "<pre>",
                "<code class='language-py'>",
                "</pre>",
                "<details>",
                "<summary>",
                "</summary>",
                "</details>",
                "<table><tr><td>",
                "<th>",
                "<strong>",
                "</strong>",
                "<img src=x alt=y>",
                "<nav>",
                "<script>",
                "What is x?",
                "?",
                "\n",
                "&amp;",
                "<!--",
                "-->",
                "<br>",
            ]
        ),
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
    report = read_or_error(html_read, text, "f.html")
    if report is not None:
        assert all(q.title.strip() for q in report.questions)
        for q in report.questions:
            for b in q.blocks:
                assert "<script" not in block_html(b)


@FUZZ
@given(CSVISH)
def test_table_reader_fails_only_with_source_error(text):
    report = read_or_error(table_read, text, "f.csv")
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
        assert report.kind in ("dump", "notes", "html", "table", "notebook", "json", "empty")


# --- every reader on anything; notebooks cut short, odd JSON, deep nesting -------------------------

READER_KINDS = ["notebook", "json", "dump", "html", "table", "notes"]
NOTEBOOK = nbformat.writes(
    nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Questions\n\n## 1. What is a tensor?\n\nAn n-dimensional array."),
            nbformat.v4.new_code_cell("import torch\nx = torch.ones(2, 3)"),
            nbformat.v4.new_markdown_cell("## 2. Why zero the gradients?\n\nThey accumulate."),
        ]
    )
)
JSONISH = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=20),
        st.sampled_from(["What is x?", "question", "answer", "level", "[H]"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(
            st.sampled_from(
                [
                    "question",
                    "answer",
                    "q",
                    "a",
                    "title",
                    "questions",
                    "topic",
                    "level",
                    "cells",
                    "cell_type",
                    "source",
                    "nbformat",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=30,
).map(json.dumps)


def only_source_errors(kind: str | None, text: str, file: str = "sources/f.x"):
    try:
        with time_limit(5):
            report = read_text(text, file, kind)
    except SourceError as e:
        check_error(e, file, text)
        return None
    assert all(q.title.strip() for q in report.questions)
    return report


@FUZZ
@given(
    kind=st.sampled_from(READER_KINDS),
    data=st.one_of(
        st.binary(max_size=300).map(lambda b: b.decode("utf-8", errors="replace")), NASTY, JSONISH, HTMLISH, CSVISH
    ),
)
def test_every_reader_on_anything_raises_only_source_error(kind, data):
    only_source_errors(kind, data)


@FUZZ
@given(cut=st.integers(0, len(NOTEBOOK)), kind=st.sampled_from([None, "notebook"]))
def test_truncated_notebook_is_one_source_error(cut, kind):
    report = only_source_errors(kind, NOTEBOOK[:cut], "sources/nb.ipynb")
    if report is not None:
        assert report.kind in ("notebook", "empty") or cut < 10, (cut, report.kind)


def test_notebook_is_never_sniffed_as_csv():
    big = nbformat.writes(
        nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_markdown_cell("## What is a tensor?\n\n" + 'An array, with commas, "quotes"; ' * 5000),
            ]
        )
    )
    report = read_text(big, "sources/big.ipynb")
    assert report.kind == "notebook" and [q.title for q in report.questions] == ["What is a tensor?"]
    with pytest.raises(SourceError, match="not a readable notebook") as e:
        read_text(big[: len(big) // 2], "sources/big.ipynb")
    assert e.value.file == "sources/big.ipynb" and e.value.line


@given(JSONISH)
@FUZZ
def test_odd_json_is_read_or_one_source_error(text):
    only_source_errors(None, text)


@pytest.mark.parametrize("depth", [10, 40, 90])
def test_markdown_lists_nested_deep_keep_the_rest_of_the_file(depth):
    nested = "".join("  " * i + f"- level {i}\n" for i in range(depth))
    text = f"## What is nesting?\n\n{nested}\n## What comes after?\n\nThe rest.\n"
    report = read_text(text, "sources/deep.md")
    assert [q.title for q in report.questions] == ["What is nesting?", "What comes after?"]
    assert f"level {depth - 1}" in " ".join(b.plain() for b in report.questions[0].blocks)
    assert report.questions[1].blocks[0].text == "The rest."


def test_markdown_nested_past_the_parser_limit_is_one_error_naming_the_line():
    nested = "".join("  " * i + f"- level {i}\n" for i in range(150))
    with pytest.raises(SourceError, match="nested more than") as e:
        read_text(f"## What is nesting?\n\n{nested}\n## What comes after?\n\nx\n", "sources/deep.md")
    assert e.value.line and 3 <= e.value.line <= 153


@pytest.mark.parametrize("depth, tag", [(255, "div"), (300, "div"), (1000, "span"), (400, "ul><li")])
def test_html_nested_deep_keeps_the_rest_of_the_page(depth, tag):
    close = "</" + "></".join(reversed(tag.split("><"))) + ">"
    text = (
        "<!doctype html><html><body><h2>What is first?</h2><p>one</p>"
        + f"<{tag}>" * depth
        + "deep text"
        + close * depth
        + "<h2>What comes after?</h2><p>The rest.</p></body></html>"
    )
    report = read_text(text, "sources/deep.html")
    assert [q.title for q in report.questions] == ["What is first?", "What comes after?"]
    assert "deep text" in " ".join(b.plain() for b in report.questions[0].blocks)
    assert [b.plain() for b in report.questions[1].blocks] == ["The rest."]


def test_a_reader_bug_becomes_one_source_error_naming_the_file(monkeypatch):
    from studysite.readers import dump as dump_module

    def broken(text, file):
        raise KeyError("boom")

    monkeypatch.setattr(dump_module, "parse", broken)
    with pytest.raises(SourceError, match="could not be read \\(KeyError") as e:
        read_text("h3 => [1) What is x?]\np => [y]\n", "sources/d.txt")
    assert e.value.file == "sources/d.txt"


# --- well-formed dumps round-trip ------------------------------------------------------------------

# No brackets (they delimit values), no "<"/">" (residue removal), no exotic line breaks.
SAFE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 ?,.'\"&()-:;/é", min_size=1, max_size=30).filter(
    str.strip
)
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
        report = dump_read(text, "f.txt")
    assert [q.title for q in report.questions] == [w["title"] for w in expected]
    assert [int(q.ref.text.split(")")[0].split(".")[0].split(":")[0].split("-")[0]) for q in report.questions] == list(
        range(1, len(expected) + 1)
    )
    for q, want in zip(report.questions, expected, strict=False):
        kinds = [b.kind for b in q.blocks]
        assert kinds.count("para") == want["p"]
        assert sum(len(b.items) for b in q.blocks if b.kind == "list") == want["li"]
        assert kinds.count("label") == want["strong"]
        assert sum(len(r) for b in q.blocks if b.kind == "table" for r in b.rows) == want["cells"]
        assert all(fold(html.unescape(b.origin.text)) for b in q.blocks)
    assert report.dropped.get("'Click here' links", 0) == links


def test_header_after_data_starts_a_new_table():
    text = "h3 => [1) q?]\nth => [A]\nth => [B]\ntd => [1]\ntd => [2]\nth => [C]\ntd => [3]\n"
    (q,) = dump_read(text, "f.txt").questions
    assert [b.rows for b in q.blocks] == [[["A", "B"], ["1", "2"]], [["C"], ["3"]]]


# --- well-formed notes round-trip ------------------------------------------------------------------

# Lower-case words and upper-case acronyms: a run of Capitalised Words is a Title Case heading, which the
# reader rightly turns into sentence case (tested in test_readers_layouts.py), so it is not a round trip.
WORD = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789,.'()é", min_size=1, max_size=10),
    st.text(alphabet="XYZ", min_size=2, max_size=4),
)
SAFE_TITLE = st.lists(WORD, min_size=1, max_size=6).map(lambda ws: "How does " + " ".join(ws) + "?")
ANSWER = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ,.'()-é", min_size=1, max_size=70)
    .filter(str.strip)
    .map(lambda t: "note " + t)
)
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
        report = notes_read(text, "f.md")
    assert [q.title for q in report.questions] == [title for _, title, _, _ in questions]
    for q, (_, _, answers, _) in zip(report.questions, questions, strict=False):
        parts = sum(len(b.items) if b.kind == "list" else 1 for b in q.blocks)
        assert parts == len(answers), (q.title, q.blocks)
        assert q.ref.text.endswith(q.title) or q.ref.text.rstrip(" -*").endswith(q.title)
    assert [link["url"] for link in report.study_links] == ["https://pytorch.org/docs", "https://example.org/x"]
    assert report.study_links[0]["status"] == "read"


# --- known slow inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reader, text",
    [
        (notes_read, "# heading" + " " * 2000 + "end\n"),
        (notes_read, "- q\n  - answer" + " " * 2000 + "end\n"),
        (dump_read, "h3 => [1)" + " " * 3000 + "q?" + " " * 3000 + "]\n"),
        (dump_read, "h3 => [1) q?]\np => [" + "</" * 3000 + "p]\n"),
        (notes_read, "- What is " + "x" * 100_000 + "?\n  - answer\n"),
        (notes_read, "# " + "*_[`" * 5_000 + "\n- What is y?\n  - b\n"),
        (notes_read, "- **" + "a " * 50_000 + "\n"),
        (dump_read, "h2 => [ What is " + "] " * 50_000 + "]\n"),
    ],
    ids=[
        "notes-heading",
        "notes-answer",
        "dump-question",
        "dump-residue",
        "notes-100k-title",
        "notes-100k-markup",
        "notes-100k-bold",
        "dump-100k-brackets",
    ],
)
def test_long_whitespace_runs_are_read_quickly(reader, text):
    # a generous bound (the machine may be busy): quadratic behaviour on this input takes minutes
    with time_limit(30), contextlib.suppress(SourceError):
        reader(text, "f")  # no question in it: one error


def test_question_with_long_whitespace_run_is_read_quickly():
    with time_limit(3):
        report = notes_read("- a" + " " * 300 + "b?\n", "f.md")
    assert report.questions[0].title.split() == ["a", "b?"]


@pytest.mark.parametrize("brk", ["\x0c", "\u2028", "\x85"])
def test_line_numbers_match_an_editors(brk):
    with pytest.raises(SourceError) as e:
        dump_read(f"h3 => [1) q?{brk}still line one]\np => [ never closed\nh3 => [2) r?]\n", "f.txt")
    assert e.value.line == 2


@pytest.mark.parametrize(
    "unit", ["[", "[[src]", "**", "1. ", "Q1: ", " ", "a ", "A ", "![x](y)", "](", "([", "? (", "Ab "]
)
def test_title_cleaning_is_quick_on_100k_characters(unit):
    from studysite.clean import clean_title
    from studysite.dedup import question_key
    from studysite.segment import md_plain, reads_as_question, strip_title

    text = unit * (100_000 // len(unit)) + "?"
    with time_limit(3):  # catastrophic backtracking would take minutes
        for f in (strip_title, reads_as_question, md_plain, clean_title, question_key):
            f(text)
