"""Notebooks inside real builds: cache behaviour read from the summary line, failures, demos on pages."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, copy_project, run_mkdocs

SUMMARY = re.compile(r"notebooks: (\d+) executed, (\d+) cached")


def summary(log: str) -> tuple[int, int]:
    (match,) = SUMMARY.findall(log)  # exactly one summary line per build
    return int(match[0]), int(match[1])


@pytest.fixture()
def warm_cache(built_site, tmp_path) -> Path:
    """A private copy of the repo's warm notebook cache (so tests never evict the real entries)."""
    cache = tmp_path / "cache"
    shutil.copytree(REPO / ".cache" / "notebooks", cache / "notebooks")
    return cache


def test_warm_build_executes_nothing_and_one_change_executes_one(tmp_path, warm_cache):
    project = copy_project(tmp_path / "p")
    n_notebooks = len(list((project / "notebooks").glob("*.ipynb")))
    env = {"STUDY_CACHE_DIR": str(warm_cache)}

    warm = run_mkdocs(project, "build", "--strict", "-d", str(tmp_path / "o1"), env=env)
    assert warm.returncode == 0, warm.stderr[-3000:]
    assert summary(warm.stderr) == (0, n_notebooks)

    # Editing prose in a source note executes nothing.
    notes = project / "sources" / "000_4bf7c5cc3fe7a3fc.txt"
    notes.write_text(notes.read_text(encoding="utf-8").replace("Bias lets you", "Bias lets us"), encoding="utf-8")
    after_note = run_mkdocs(project, "build", "--strict", "-d", str(tmp_path / "o2"), env=env)
    assert summary(after_note.stderr) == (0, n_notebooks)

    # Changing one notebook's code executes exactly that notebook.
    path = sorted((project / "notebooks").glob("*.ipynb"))[0]
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('one more cell')"))
    nbformat.write(nb, path)
    changed = run_mkdocs(project, "build", "--strict", "-d", str(tmp_path / "o3"), env=env)
    assert changed.returncode == 0, changed.stderr[-3000:]
    assert summary(changed.stderr) == (1, n_notebooks - 1)

    again = run_mkdocs(project, "build", "--strict", "-d", str(tmp_path / "o4"), env=env)
    assert summary(again.stderr) == (0, n_notebooks)


def broken_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Broken on purpose"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("y = x / 0"),
    ]
    nb.cells[2].metadata["tags"] = ["q:max-pooling"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_failing_cell_fails_strict_build_naming_notebook_and_cell(tmp_path, warm_cache):
    project = copy_project(tmp_path / "p")
    nbformat.write(broken_notebook(), project / "notebooks" / "zz_broken.ipynb")
    result = run_mkdocs(
        project, "build", "--strict", "-d", str(tmp_path / "out"), env={"STUDY_CACHE_DIR": str(warm_cache)}
    )
    assert result.returncode != 0
    assert "notebooks/zz_broken.ipynb: cell 3 (code cell 2) raised ZeroDivisionError" in result.stderr


def test_serve_mode_shows_the_failure_on_the_page(tmp_path, warm_cache, monkeypatch):
    from studysite.site import StudySite

    project = copy_project(tmp_path / "p")
    nbformat.write(broken_notebook(), project / "notebooks" / "zz_broken.ipynb")
    monkeypatch.setenv("STUDY_CACHE_DIR", str(warm_cache))
    site = StudySite(project, "serve")
    site.load()
    site.execute_notebooks()  # serve: a warning, not an exception
    pages = site.generate()
    assert "Demo notebook failed: notebooks/zz_broken.ipynb" in pages["topics/cnn.md"]
    assert "ZeroDivisionError" in pages["topics/cnn.md"]


def test_demos_on_pages_and_in_manifest(built_site):
    site, log = built_site
    questions = json.loads((site / "questions.json").read_text(encoding="utf-8"))["questions"]
    with_demo = [q for q in questions if q["demos"]]
    assert len(with_demo) >= 25
    # Material consumes data-search-exclude (and strips it from the HTML): check the index itself.
    index = {d["location"]: d["text"] for d in json.loads((site / "search" / "search_index.json").read_text())["docs"]}
    for q in with_demo:
        for demo in q["demos"]:
            assert re.fullmatch(r"notebooks/[\w-]+\.ipynb", demo["notebook"])
            assert demo["cells"] and all(isinstance(c, int) for c in demo["cells"])
        page = (site / q["url"].split("#")[0] / "index.html").read_text(encoding="utf-8")
        section = page.split(f' id="{q["id"]}"', 1)[1].split('class="qa-q"', 1)[0]
        assert "qa-demo" in section
        assert "Demo:" not in index[q["url"]] and "In [" not in index[q["url"]], q["id"]
    # figures are files, never inlined
    for page in (site / "topics").glob("*/index.html"):
        assert "data:image" not in page.read_text(encoding="utf-8")
    assert list((site / "notebooks" / "img").glob("*.png"))
    # every notebook has a rendered page and a download
    for nb in (REPO / "notebooks").glob("*.ipynb"):
        assert (site / "notebooks" / nb.stem / "index.html").exists()
        assert (site / "downloads" / nb.name).exists()
    status = (site / "notebooks" / "index.html").read_text(encoding="utf-8")
    # the notebooks index names every notebook and what it demonstrates; how the build got the outputs
    # (executed or cached, run times) is in the build log only
    assert all(nb.name in status for nb in (REPO / "notebooks").glob("*.ipynb"))
    assert "Questions it demonstrates" in status and " cached" not in status
    if log:  # (SITE_DIR reuses a site built elsewhere: no log)
        assert re.search(r"notebooks: \d+ executed, \d+ cached", log)
