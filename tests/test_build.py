"""End-to-end MkDocs builds: strict build, manifest, generated-in-memory pages, bad and hostile input.

The real site (with its notebooks) is built once per session (`built_site`, or SITE_DIR); tests that
need no demo build a lean copy without notebooks (seconds)."""

from __future__ import annotations

import json
import re
from html import unescape
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml

from conftest import REPO, copy_project, lean_project, run_mkdocs


@pytest.fixture(scope="module")
def lean_build_log(tmp_path_factory) -> str:
    """The log of a strict build of the project's sources (a lean copy: the log's content lines are
    the same with or without notebooks, and this works under SITE_DIR too)."""
    base = tmp_path_factory.mktemp("lean")
    result = run_mkdocs(lean_project(base / "p"), "build", "--strict", "-d", str(base / "out"))
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stderr


def test_strict_build_logs_what_came_in_and_out(lean_build_log):
    log = lean_build_log
    assert "96 source questions → 78 published, 18 merged" in log  # 14 by the model and keys, 4 by same: lines
    # the per-file line names the reader and the layout it found (issue 9)
    assert (
        "sources/004_519512c2dfdefeb4.txt (dump; questions: level-3 headings, numbered): 50 questions; "
        "left out: 12 'Click here' links"
    ) in log
    assert "sources/000_4bf7c5cc3fe7a3fc.txt (markdown; questions: bulleted list items, bold): 46 questions" in log
    assert "WARNING" not in log


def test_manifest_has_every_source_question_once(built_site):
    site, _ = built_site
    data = json.loads((site / "questions.json").read_text(encoding="utf-8"))
    questions = data["questions"]
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids))
    refs = [(s["file"], s["line"]) for q in questions for s in q["sources"] if s["file"].endswith(".txt")]
    assert len(refs) == len(set(refs)) == 96
    by_id = {q["id"]: q for q in questions}
    mp = by_id["max-pooling"]
    assert mp["url"] == "topics/cnn/#max-pooling"
    assert mp["permalink"] == "q/max-pooling/"
    dump_copy = {"file": "sources/004_519512c2dfdefeb4.txt", "line": 160, "text": "46) What is Max Pooling?"}
    assert dump_copy in mp["sources"]
    assert {"file": "sources/000_4bf7c5cc3fe7a3fc.txt", "line": 49, "text": "### What is Max Pooling?"} in mp["sources"]
    # every source line really is the question's line in that file
    for q in questions:
        for s in q["sources"]:
            if s["file"].startswith("sources/") and s["file"].endswith(".txt"):
                line = (REPO / s["file"]).read_text(encoding="utf-8").splitlines()[s["line"] - 1]
                assert s["text"] in line


def test_every_question_anchor_exists_on_its_page(built_site):
    site, _ = built_site
    questions = json.loads((site / "questions.json").read_text(encoding="utf-8"))["questions"]
    pages: dict[str, str] = {}
    for q in questions:
        page, anchor = q["url"].split("#")
        html = pages.setdefault(page, (site / page / "index.html").read_text(encoding="utf-8"))
        assert len(re.findall(rf'\sid="{re.escape(anchor)}"', html)) == 1, q["url"]
        redirect = (site / q["permalink"] / "index.html").read_text(encoding="utf-8")
        assert f"url=../../{q['url']}" in redirect


def test_each_question_on_exactly_one_topic_page(built_site):
    site, _ = built_site
    seen: dict[str, str] = {}
    for page in sorted((site / "topics").glob("*/index.html")):
        for qid in re.findall(r'<h2[^>]* id="([^"]+)"', page.read_text(encoding="utf-8")):
            assert qid not in seen, f"{qid} on {seen.get(qid)} and {page}"
            seen[qid] = page.parent.name
    questions = json.loads((site / "questions.json").read_text(encoding="utf-8"))["questions"]
    assert set(seen) == {q["id"] for q in questions}
    topics = yaml.safe_load((REPO / "sources" / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    assert len({v.split("--")[0] for v in seen.values()}) == len(topics)  # every topic holds questions


def test_build_never_writes_into_docs(tmp_path):
    before = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").rglob("*"))
    project = copy_project(tmp_path / "p")
    docs_before = sorted(p.relative_to(project).as_posix() for p in (project / "docs").rglob("*"))
    result = run_mkdocs(project, "build", "--strict", "-d", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.relative_to(project).as_posix() for p in (project / "docs").rglob("*")) == docs_before
    assert sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").rglob("*")) == before


HOSTILE_DUMP = """h1 => [ PyTorch Interview Questions ]
h3 => [ 1) What is &lt;script&gt;alert(1)&lt;/script&gt; injection? ]
p => [ Payload: <script>alert('dump')</script> and <img src=x onerror="alert(2)"> here. ]
p => [ Templates: {{ 7*7 }} and {% include 'x' %} and [a link](javascript:alert(3)) and **bold** and {: onclick="x" } ]
li => [ --8<-- "mkdocs.yml" ]
h3 => [ 2) What is a harmless question? ]
p => [ Just text &amp; an ampersand. ]
"""
HOSTILE_NOTES = """## Notes

- **What does the notes sanitiser allow?**

  - Bold **stays**, <script>alert('notes')</script> goes, <img src=x onerror="alert(4)"> goes.
  - A [bad link](javascript:alert(5)) and a [good link](https://pytorch.org) and {{ 6*7 }}.
"""


def test_hostile_input_is_shown_as_text(tmp_path):
    project = lean_project(tmp_path / "p", sources={"900_hostile.txt": HOSTILE_DUMP, "901_hostile.md": HOSTILE_NOTES})
    out = tmp_path / "out"
    result = run_mkdocs(project, "build", "--strict", "-d", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((out / "questions.json").read_text(encoding="utf-8"))["questions"]
    topics = {q["topic"] for q in manifest if any(s["file"].startswith("sources/90") for s in q["sources"])}
    pages = ((out / "topics" / t / "index.html").read_text(encoding="utf-8") for t in topics)
    # the page content only (the theme's own chrome has e.g. a javascript:void(0) share button)
    html = "".join(re.search(r"<article[^>]*>(.*)</article>", page, re.S).group(1) for page in pages)
    # nothing from the sources runs or becomes markup
    assert "<script>alert" not in html and "onerror=" not in html.replace("onerror=&quot;", "")
    assert 'href="javascript:' not in html
    assert "49" not in re.sub(r"<[^>]+>", "", html).split("Templates:")[1][:40]
    # …but the literal characters are what a reader sees
    text = unescape(re.sub(r"<[^>]+>", "", html))
    assert "<script>alert('dump')</script>" in text
    assert "{{ 7*7 }}" in text and "{% include 'x' %}" in text
    assert "[a link](javascript:alert(3))" in text
    assert '--8<-- "mkdocs.yml"' in text  # snippet syntax stays text
    assert "<strong>stays</strong>" in html  # notes markdown renders, sanitised
    assert 'href="https://pytorch.org"' in html
    assert "alert('notes')" not in text
    assert "{{ 6*7 }}" in text  # notes text is markdown, never a template


def test_malformed_line_fails_strict_build_naming_file_and_line(tmp_path):
    bad = "h3 => [ 1) What is X? ]\np => [ never closed\nh3 => [ 2) What is Y? ]\np => [ fine ]\n"
    project = lean_project(tmp_path / "p", sources={"777_broken.txt": bad})
    result = run_mkdocs(project, "build", "--strict", "-d", str(tmp_path / "out"))
    assert result.returncode != 0
    assert "sources/777_broken.txt:2: unclosed `[`" in result.stderr


def test_non_utf8_fails_strict_build_naming_file(tmp_path):
    project = lean_project(tmp_path / "p", sources={"778_latin1.txt": "h3 => [ 1) Caf\xe9? ]\n".encode("latin-1")})
    result = run_mkdocs(project, "build", "--strict", "-d", str(tmp_path / "out"))
    assert result.returncode != 0
    assert "sources/778_latin1.txt:1: not UTF-8" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_warns_and_keeps_serving_on_malformed_line(tmp_path):
    bad = "h3 => [ 1) What is X? ]\np => [ never closed\n"
    project = lean_project(tmp_path / "p", sources={"777_broken.txt": bad})
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
            cwd=project,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env={
                **__import__("os").environ,
                "STUDY_CACHE_DIR": str(REPO / ".cache"),
                "SITE_URL": f"http://127.0.0.1:{port}/",
            },
        )
    try:
        deadline, body = time.time() + 300, ""
        while time.time() < deadline and proc.poll() is None:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/topics/cnn/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(1)
        assert proc.poll() is None, log.read_text()[-3000:]
        assert 'id="max-pooling"' in body
        assert "sources/777_broken.txt:2: unclosed `[`" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_offline_config_keeps_the_same_search_separator():
    def separator(name):
        return re.search(r"separator: '([^']+)'", (REPO / name).read_text(encoding="utf-8")).group(1)

    assert separator("mkdocs-offline.yml") == separator("mkdocs.yml")


def test_permalink_keeps_query_before_anchor(built_site):
    site, _ = built_site
    html = (site / "q" / "max-pooling" / "index.html").read_text(encoding="utf-8")
    assert 'location.replace("../../topics/cnn/" + location.search + "#max-pooling")' in html
