"""Fault injection through real `mkdocs build` runs: a failed build leaves the previous site as it was,
the export never touches the project, errors are `file:line` lines (no tracebacks)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from conftest import run_mkdocs
from conftest import lean_project as conftest_lean_project
from conftest import notebook as tiny_notebook

DUMP = "sources/004_519512c2dfdefeb4.txt"


@pytest.fixture()
def cache_env(tmp_path) -> dict:
    """A private notebook cache (the lean projects below have at most one tiny notebook)."""
    return {"STUDY_CACHE_DIR": str(tmp_path / "cache")}


def lean_project(dest: Path, *, notebook: bool = False) -> Path:
    """conftest's lean project, notebooks/ empty or holding one tiny notebook: a build takes seconds and
    runs at most one small kernel."""
    return conftest_lean_project(
        dest, notebooks={"tiny.ipynb": tiny_notebook("print(6 * 7)", title="Tiny")} if notebook else None
    )


def snapshot(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}


def test_failed_build_leaves_the_previous_site_intact(tmp_path, cache_env):
    project = lean_project(tmp_path / "p", notebook=True)
    site = project / "site"
    good = run_mkdocs(project, "build", env=cache_env)
    assert good.returncode == 0, good.stderr[-3000:]
    before = snapshot(site)
    assert len(before) > 100

    # A damaged mkdocs-jupyter cache (every file truncated) does not crash the next build.
    jupyter_cache = sorted((project / ".cache" / "mkdocs-jupyter").glob("*.json"))
    assert jupyter_cache
    for path in jupyter_cache:
        path.write_text(path.read_text(encoding="utf-8")[:50], encoding="utf-8")

    # 1. An unclosed `[` in the existing dump: the build fails with the source line first…
    path = project / DUMP
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[30] = lines[30].rstrip()[:-1]
    path.write_text("\n".join(lines), encoding="utf-8")
    broken = run_mkdocs(project, "build", env=cache_env)
    assert broken.returncode != 0
    errors = broken.stderr[broken.stderr.index("ERROR") :]
    assert errors.startswith(f"ERROR   -  {DUMP}:31: unclosed `[`"), errors[:500]
    assert "Traceback" not in broken.stderr
    assert snapshot(site) == before  # …and site/ is untouched
    path.write_text(text, encoding="utf-8")

    # 2. A failing notebook: same.
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("1 / 0")]
    nbformat.write(nb, project / "notebooks" / "zz_fails.ipynb")
    failed = run_mkdocs(project, "build", env=cache_env)
    assert failed.returncode != 0
    assert "notebooks/zz_fails.ipynb: cell 1 (code cell 1) raised ZeroDivisionError" in failed.stderr
    assert snapshot(site) == before
    (project / "notebooks" / "zz_fails.ipynb").unlink()

    # 3. A strict-mode warning from MkDocs itself (after every page was written): same.
    about = project / "docs" / "about.md"
    good_about = about.read_text(encoding="utf-8")
    about.write_text(good_about + "\n[a broken link](nowhere.md)\n", encoding="utf-8")
    strict = run_mkdocs(project, "build", "--strict", env=cache_env)
    assert strict.returncode != 0 and "in strict mode" in strict.stdout + strict.stderr
    assert snapshot(site) == before
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")]  # no half-built folder left
    about.write_text(good_about, encoding="utf-8")

    fixed = run_mkdocs(project, "build", env=cache_env)
    assert fixed.returncode == 0, fixed.stderr[-3000:]
    assert (
        "damaged mkdocs-jupyter cache file removed" in fixed.stderr
        or "damaged mkdocs-jupyter cache file removed" in broken.stderr
    )


def test_export_to_the_project_is_refused_and_deletes_nothing(tmp_path, cache_env):
    project = lean_project(tmp_path / "p")
    docs_before = sorted(p.relative_to(project).as_posix() for p in (project / "docs").rglob("*"))
    result = run_mkdocs(project, "build", "-d", str(tmp_path / "out"), env={**cache_env, "STUDY_EXPORT_DIR": "."})
    assert result.returncode != 0
    assert "STUDY_EXPORT_DIR=.: refused, it is or contains the project" in result.stderr
    assert sorted(p.relative_to(project).as_posix() for p in (project / "docs").rglob("*")) == docs_before
    assert not (tmp_path / "out").exists()  # refused before anything was written

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    result = run_mkdocs(
        project, "build", "-d", str(tmp_path / "out"), env={**cache_env, "STUDY_EXPORT_DIR": str(foreign)}
    )
    assert result.returncode != 0 and "not empty and was not made by an export" in result.stderr
    assert (foreign / "thesis.tex").read_text() == "precious"

    # A new folder is fine, and so is the same folder again (it carries the export's marker file).
    export = tmp_path / "export"
    for _ in range(2):
        result = run_mkdocs(
            project, "build", "-d", str(tmp_path / "out"), env={**cache_env, "STUDY_EXPORT_DIR": str(export)}
        )
        assert result.returncode == 0, result.stderr[-3000:]
    assert (export / ".study-export").is_file() and (export / "docs" / "index.md").is_file()


def test_new_bad_file_fails_a_non_strict_build_and_config_typos_are_one_line(tmp_path, cache_env):
    project = lean_project(tmp_path / "p")
    (project / "sources" / "900_new.txt").write_text("h3 => [ 1) What is X? ]\np => [ never closed\n", encoding="utf-8")
    result = run_mkdocs(project, "build", "-d", str(tmp_path / "out"), env=cache_env)  # mkdocs.yml has strict: false
    assert result.returncode != 0
    assert "ERROR   -  sources/900_new.txt:2: unclosed `[`" in result.stderr
    (project / "sources" / "900_new.txt").unlink()

    plan = project / "sources" / "study-plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("days:\n", "days:\n  - title: [broken\n", 1), encoding="utf-8"
    )
    result = run_mkdocs(project, "build", "-d", str(tmp_path / "out"), env=cache_env)
    assert result.returncode != 0
    assert "ERROR   -  sources/study-plan.yaml:" in result.stderr and "invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_split_topic_pages_build_and_every_anchor_lands(tmp_path, cache_env):
    project = lean_project(tmp_path / "p")
    out = tmp_path / "out"
    result = run_mkdocs(project, "build", "--strict", "-d", str(out), env={**cache_env, "STUDY_PAGE_SIZE": "6"})
    assert result.returncode == 0, result.stderr[-3000:]
    questions = json.loads((out / "questions.json").read_text(encoding="utf-8"))["questions"]
    pages = {q["url"].split("#")[0] for q in questions}
    assert any("--2/" in p for p in pages)
    for q in questions:
        page, anchor = q["url"].split("#")
        html = (out / page / "index.html").read_text(encoding="utf-8")
        assert f'id="{anchor}"' in html, q["url"]
        assert html.count("<h2 ") <= 6 + 2
