"""Shared test fixtures: the library on sys.path, project copies, and one real build of the site."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "hooks"))
# Every build the tests start shares one sentence-embedding cache (vectors keyed by text hash, so sharing is
# safe): a project copy with a private notebook cache would otherwise load the model and encode the seeds
# again. Tests of the embedding cache itself pass their own folder.
os.environ.setdefault("STUDY_EMBEDDING_CACHE", str(REPO / ".cache"))

# Parts of the repo a build needs; a project copy gets these (sources can be swapped per test).
PROJECT_PARTS = ["mkdocs.yml", "mkdocs-offline.yml", "hooks", "docs", "overrides", "sources", "notebooks"]


def run_mkdocs(project: Path, *args: str, env: dict | None = None, timeout: int = 1800) -> subprocess.CompletedProcess:
    """Run mkdocs in a project folder; notebook cache shared with the repo so copies execute nothing new."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=project,
        env=mkdocs_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def mkdocs_env(env: dict | None = None) -> dict[str, str]:
    """The environment every mkdocs the tests start runs in (run_mkdocs and the shared site build)."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "STUDY_CACHE_DIR": str(REPO / ".cache"), **(env or {})}


def copy_project(
    dest: Path,
    *,
    sources: dict[str, str | bytes] | None = None,
    keep_seeds: bool = True,
    parts: list[str] | None = None,
) -> Path:
    """A copy of the project (or of some `parts` of it) in dest; `sources` adds or replaces files in sources/."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS if parts is None else parts:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        elif src.exists():
            shutil.copy2(src, dest / part)
    if not keep_seeds:
        for p in (dest / "sources").glob("*.txt"):
            p.unlink()
    write_sources(dest / "sources", sources)
    return dest


def write_sources(folder: Path, sources: dict[str, str | bytes] | None) -> None:
    """Write name → text (or bytes) files into folder (a project's sources/), making sub-folders."""
    for name, content in (sources or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def lean_project(
    dest: Path,
    *,
    sources: dict[str, str | bytes] | None = None,
    keep_seeds: bool = True,
    notebooks: dict[str, NotebookNode] | None = None,
) -> Path:
    """A project copy without the repo's notebooks (builds in seconds): for build tests that need no demo.

    notebooks/ holds only the given `notebooks` (name → notebook; none by default: it stays an empty
    folder, which mkdocs.yml watches), and the study plan drops its notebook items (a plan naming a
    notebook that is not there fails the build)."""
    project = copy_project(dest, sources=sources, keep_seeds=keep_seeds)
    shutil.rmtree(project / "notebooks")
    (project / "notebooks").mkdir()
    for name, nb in (notebooks or {}).items():
        nbformat.write(nb, project / "notebooks" / name)
    plan = project / "sources" / "study-plan.yaml"
    if plan.exists():
        lines = plan.read_text(encoding="utf-8").splitlines()
        kept = [ln for ln in lines if not ln.lstrip().startswith("notebooks:")]
        plan.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return project


def notebook(*cells: str | tuple[str, list[str]], title: str = "Demo") -> NotebookNode:
    """A python3 notebook: a title cell, then code cells (source, or (source, tags) for `q:<id>` tags)."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [new_markdown_cell(f"# {title}")]
    for cell in cells:
        source, tags = cell if isinstance(cell, tuple) else (cell, [])
        code = new_code_cell(source)
        if tags:
            code.metadata["tags"] = tags
        nb.cells.append(code)
    return nb


@pytest.fixture()
def library_project(tmp_path) -> Path:
    """For library-level tests (no MkDocs): the repo's sources/, and an empty stand-in for each notebook
    (the study plan only checks that the notebooks it names exist)."""
    root = copy_project(tmp_path / "lib", parts=["sources"])
    (root / "notebooks").mkdir()
    for name in sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb")):
        (root / "notebooks" / name).write_text("{}")
    return root


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> tuple[Path, str]:
    """The real project built once with --strict; (site dir, build log). SITE_DIR reuses a built site."""
    if os.environ.get("SITE_DIR"):
        return Path(os.environ["SITE_DIR"]), ""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _build_site(tmp_path_factory.mktemp("site"))
    # Under pytest-xdist (scripts/test runs two workers) the build was started in the background when the
    # tests were collected (pytest_collection_modifyitems below); wait for it and share it.
    shared = tmp_path_factory.getbasetemp().parent
    _start_site_build(shared)  # no-op when it was started; started here if collection did not
    rc_file, log = shared / "site.rc", shared / "site.log"
    waited = 0.0
    while not rc_file.exists():  # a hang guard, not a speed limit: the build's own timeout is 1800 s
        assert waited < 2400, f"the shared site build did not finish; its log so far:\n{_tail(log)}"
        time.sleep(0.5)
        waited += 0.5
    stderr = log.read_text(encoding="utf-8", errors="replace")
    assert rc_file.read_text().strip() == "0", stderr[-4000:]
    return shared / "site", stderr


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-4000:] if path.exists() else "(no log)"


# The shared build as a child process: its log and then its exit code (written last) beside the site.
_BUILD = """
import subprocess, sys
log, rc = sys.argv[1:3]
with open(log, "w") as err:
    try:
        code = subprocess.run(sys.argv[3:], stdout=subprocess.DEVNULL, stderr=err, timeout=1800).returncode
    except subprocess.TimeoutExpired:
        err.write("the build ran past its 1800 s hang guard and was stopped")
        code = 124
with open(rc + ".tmp", "w") as f:
    f.write(str(code))
import os; os.replace(rc + ".tmp", rc)
"""


def _start_site_build(shared: Path) -> None:
    """Start the shared full-site build once per run (first worker to get here), in the background."""
    from filelock import FileLock

    with FileLock(str(shared / "site.lock")):
        started = shared / "site.started"
        if started.exists():
            return
        started.write_text(os.environ.get("PYTEST_XDIST_WORKER", ""), encoding="utf-8")
        out, log, rc = shared / "site", shared / "site.log", shared / "site.rc"
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)]
        subprocess.Popen(
            [sys.executable, "-c", _BUILD, str(log), str(rc), *command],
            cwd=REPO,
            env=mkdocs_env(_build_env()),
            stdin=subprocess.DEVNULL,
        )


# The files that take longest (seconds, roughly, from `--durations` on this 2-core machine): a
# scheduling hint only (what runs first); nothing is timed or asserted on it.
LONG_FILES = {
    "test_corpus.py": 140,
    "test_dedup_meaning.py": 100,
    "test_page_weight.py": 90,
    "test_faults_build.py": 60,
    "test_notebooks_build.py": 45,
    "test_faults_process.py": 35,
    "test_build.py": 30,
    "test_serve.py": 25,
    "test_ids.py": 25,
    # the files that need the site (they run after the others)
    "test_pages.py": 60,
    "test_a11y.py": 60,
    "test_study_flow.py": 40,
    "test_review.py": 40,
    "test_screenshots.py": 35,
}


def pytest_collection_modifyitems(session, config, items):
    """Under xdist: start the shared site build now, and run the files that need it last, so the workers
    run every other test while it builds (they used to wait for it, one worker idle for minutes)."""
    if os.environ.get("SITE_DIR") or not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    needs = {item.path for item in items if "built_site" in getattr(item, "fixturenames", ())}
    if not needs:
        return
    # stable: files stay whole; within each half the longest files first, so the run does not end on one
    # worker still busy with a long file while the other has nothing left
    items.sort(key=lambda item: (item.path in needs, -LONG_FILES.get(item.path.name, 0)))
    _start_site_build(session.config._tmp_path_factory.getbasetemp().parent)


def _build_env() -> dict[str, str]:
    # Built as a deployment is (SITE_URL set): canonical links and a sitemap, which Material's instant
    # navigation needs. Without SITE_URL the site has neither (tests/browser/test_pages.py checks that).
    return {"SITE_URL": os.environ.get("SITE_URL") or "http://127.0.0.1:8000/"}


def _build_site(out: Path) -> tuple[Path, str]:
    result = run_mkdocs(REPO, "build", "--strict", "-d", str(out), env=_build_env())
    assert result.returncode == 0, result.stderr[-4000:]
    return out, result.stderr


# The search ranks the browser tests saw (tests/browser/ui.py SEARCH_RANKS), printed after the run. Under
# pytest-xdist each worker sends its own to the controller, which prints them all.
_WORKER_RANKS: dict[str, list] = {}


def _search_ranks() -> dict:
    module = sys.modules.get("browser.ui") or sys.modules.get("tests.browser.ui")
    return dict(getattr(module, "SEARCH_RANKS", {}) or {})


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # a worker: hand the ranks to the controller
        session.config.workeroutput["search_ranks"] = json.dumps(_search_ranks())


def pytest_testnodedown(node, error):
    _WORKER_RANKS.update(json.loads(getattr(node, "workeroutput", {}).get("search_ranks", "{}")))


def pytest_terminal_summary(terminalreporter):
    ranks = {**_search_ranks(), **_WORKER_RANKS}
    if not ranks:
        return
    terminalreporter.section("search ranks (1 = first question entry in the results)")
    for query, (expected, rank, first) in ranks.items():
        terminalreporter.write_line(f"{query!r:22} → #{expected}: rank {rank}   (first: #{first})")
