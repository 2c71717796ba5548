"""No traceback ever reaches the user: an exception injected into each stage of the hook becomes one error
line naming the stage and the file being processed; the traceback is in the debug log only; a build
leaves nothing behind, and `mkdocs serve` keeps going. Names in log lines are escaped (one line each)."""

from __future__ import annotations

import logging
from pathlib import Path

import nbformat
import pytest

from faultkit import build_in_process, mkdocs, tiny_project

INJECTED = "injected fault"


def boom(*args, **kwargs):
    raise RuntimeError(INJECTED)


# stage → (module attribute to break, the stage named in the error, the file named in it)
STAGES = {
    "configuration": ("studysite.site.SiteSwap.__init__", "reading the configuration", None),
    "source": ("studysite.pipeline.read_file", "reading sources", "sources/notes.md"),
    "topic map": ("studysite.pipeline.load_topic_map", "reading the topic map", "sources/topics.yaml"),
    "glossary": ("studysite.similarity.Glossary.from_data", "reading the glossary", "sources/glossary.yaml"),
    "decisions": ("studysite.dedup.Decisions.check", "deduplicating questions", None),
    "dedup": ("studysite.pipeline.find_duplicates", "deduplicating questions", None),
    "aliases": ("studysite.pipeline.apply_aliases", "applying aliases", "sources/aliases.yaml"),
    "overlay": ("studysite.overlay._apply_file", "applying overlays", "sources/overlay/tensor.md"),
    "topics": ("studysite.pipeline.assign_topics", "placing questions in topics", None),
    "notebook cache": ("studysite.notebooks.run._from_cache", "reading the notebook cache", "notebooks/tiny.ipynb"),
    "notebook": ("studysite.notebooks.run._execute_one", "running notebooks", "notebooks/tiny.ipynb"),
    "pages": ("studysite.render.errata_markdown", "generating pages", None),
    "anki": ("studysite.anki.anki_package", "generating pages", None),
    "files": ("studysite.site.nav", "adding the pages", None),
    "page": ("studysite.render.lean_code_html", "rendering a page", "index.md"),
    "post build": ("studysite.notebooks.page.NotebookPages.write", "writing the site", None),
}


def break_attr(monkeypatch, dotted: str) -> None:
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:-1]:
            owner = getattr(owner, name)
        monkeypatch.setattr(owner, parts[-1], boom)
        return
    raise AssertionError(dotted)


@pytest.fixture()
def project(tmp_path) -> Path:
    return tiny_project(tmp_path / "p", sources={"overlay/tensor.md": "---\nlevel: basic\n---\nA curated answer.\n"})


def add_notebook(root: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny"), nbformat.v4.new_code_cell("print(6 * 7)")]
    nbformat.write(nb, root / "notebooks" / "tiny.ipynb")


@pytest.mark.parametrize("kind", list(STAGES))
def test_an_exception_in_any_stage_is_one_line_naming_stage_and_file(project, monkeypatch, kind):
    target, stage, file = STAGES[kind]
    if kind.startswith("notebook"):
        add_notebook(project)
    break_attr(monkeypatch, target)
    error, log = build_in_process(project, monkeypatch)
    at = f" ({file})" if file else ""
    assert error == f"the study-site hook failed while {stage}{at}: RuntimeError: {INJECTED}"
    shown = log.lines(logging.INFO)
    assert not any("Traceback" in line for line in shown), shown
    assert all("\n" not in line for line in shown if INJECTED in line)
    debug = [r.getMessage() for r in log.records if r.levelno == logging.DEBUG and "Traceback" in r.getMessage()]
    assert debug and INJECTED in debug[-1], "the traceback is in the debug log"
    # Nothing left behind: no half-built site, no .site.building-<pid> folder.
    assert sorted(p.name for p in project.iterdir() if p.name.startswith((".site", "site"))) == []


@pytest.mark.parametrize("kind", ["source", "pages", "page", "post build"])
def test_serve_logs_the_same_line_and_keeps_serving(project, monkeypatch, kind):
    target, stage, file = STAGES[kind]
    break_attr(monkeypatch, target)
    error, log = build_in_process(project, monkeypatch, serve=True)
    assert error is None, "serve never aborts"
    at = f" ({file})" if file else ""
    wanted = f"the study-site hook failed while {stage}{at}: RuntimeError: {INJECTED}; serving the last good pages"
    assert wanted in log.lines(logging.ERROR)
    assert not any("Traceback" in line for line in log.lines(logging.INFO))


def test_a_file_name_with_a_newline_stays_on_one_line(tmp_path):
    """`sources/bad\\nname.md` with nothing recognisable: one error line, the name escaped."""
    project = tiny_project(tmp_path / "p", sources={"bad\nname.md": "just some words\n\nand more words\n"})
    result = mkdocs(project, "build")
    assert result.returncode == 1
    errors = [ln for ln in result.stderr.splitlines() if "name.md" in ln]
    assert len(errors) == 1 and errors[0].startswith("ERROR   -  sources/bad\\nname.md"), result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_control_characters_in_names_are_shown_not_obeyed(tmp_path):
    """A source named with a terminal escape and a bidi override: its log line shows them as escapes,
    and its questions are published (nothing lost)."""
    name = "\x1b[31mred\u202eevil.md"
    notes = "# Notes\n\n## What is a sparse tensor?\n\nAn answer.\n\n## What is autograd?\n\nRecords ops.\n"
    project = tiny_project(tmp_path / "p", sources={name: notes})
    result = mkdocs(project, "build")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    line = [ln for ln in result.stderr.splitlines() if "evil.md" in ln]
    assert line == [
        "INFO    -  sources/\\x1b[31mred\\u202eevil.md (markdown; questions: level-2 headings): 2 questions; "
        "left out: 1 section headings"
    ], result.stderr[-3000:]
    assert "sparse-tensor" in (project / "site" / "questions.json").read_text(encoding="utf-8")
