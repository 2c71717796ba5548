"""Processes: a build SIGKILLed at a random point, two builds at once, a site folder that cannot be
replaced (read-only, mount point), an unusable cache folder, LANG=C, `-f` from another folder. Each ends
with one clear line or a site equal to a clean build, and leaves no folders behind."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faultkit import build_in_process, mkdocs, site_files, tiny_project

REPRODUCIBLE = {"SOURCE_DATE_EPOCH": "1700000000"}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site."))


def popen_build(root: Path) -> subprocess.Popen:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "STUDY_CACHE_DIR": str(root / ".cache"), **REPRODUCIBLE}
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build"], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


@pytest.fixture(scope="module")
def clean_site(tmp_path_factory) -> dict[str, bytes]:
    root = tiny_project(tmp_path_factory.mktemp("clean") / "p")
    result = mkdocs(root, "build", env=REPRODUCIBLE)
    assert result.returncode == 0, result.stderr[-2000:]
    return site_files(root / "site")


@pytest.mark.parametrize("seed", [1, 2])
def test_sigkill_at_a_random_point_then_rebuild_equals_a_clean_build(tmp_path, clean_site, seed):
    root = tiny_project(tmp_path / "p")
    assert mkdocs(root, "build", env=REPRODUCIBLE).returncode == 0  # a previous site to be replaced
    proc = popen_build(root)
    time.sleep(random.Random(seed).uniform(0.3, 2.5))  # somewhere in startup, reading, rendering or swapping
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    result = mkdocs(root, "build", env=REPRODUCIBLE)
    assert result.returncode == 0, result.stderr[-2000:]
    assert site_files(root / "site") == clean_site
    assert leftovers(root) == [], "the killed build's folders are removed by the next build"


def test_two_builds_at_once_both_finish_and_the_site_is_whole(tmp_path, clean_site):
    root = tiny_project(tmp_path / "p")
    procs = [popen_build(root) for _ in range(2)]
    codes = [p.wait(timeout=300) for p in procs]
    errors = [p.stderr.read().decode() for p in procs]
    assert codes == [0, 0], [e[-1500:] for e in errors]
    assert not any("Traceback" in e for e in errors)
    assert site_files(root / "site") == clean_site
    assert leftovers(root) == []


def test_a_running_builds_folder_is_left_alone(tmp_path):
    root = tiny_project(tmp_path / "p")
    mine = root / f".site.building-{os.getpid()}"  # this test process is alive: its folder must stay
    dead = root / ".site.building-999999999"
    for folder in (mine, dead, root / ".site.old-999999998"):
        folder.mkdir()
        (folder / "index.html").write_text("half", encoding="utf-8")
    result = mkdocs(root, "build")
    assert result.returncode == 0, result.stderr[-2000:]
    assert leftovers(root) == [mine.name]
    assert "removed .site.building-999999999, left beside site/ by a build that was killed" in result.stderr


def _refuse_renaming(monkeypatch, root: Path, code: int) -> None:
    """site/ behaves as a mount point (EBUSY) or a read-only folder (EROFS): it cannot be renamed."""
    import studysite.sitedir as sitedir

    real = os.replace

    def replace(src, dst):
        if Path(src).resolve() == (root / "site").resolve():
            raise OSError(code, os.strerror(code), str(src))
        return real(src, dst)

    monkeypatch.setattr(sitedir.os, "replace", replace)


def test_a_site_folder_that_is_a_mount_point_loses_its_old_files(tmp_path, monkeypatch):
    root = tiny_project(tmp_path / "p")
    (root / "site").mkdir()
    (root / "site" / "stale-page.html").write_text("from an old build", encoding="utf-8")
    _refuse_renaming(monkeypatch, root, errno.EBUSY)
    error, _ = build_in_process(root, monkeypatch)
    assert error is None
    assert not (root / "site" / "stale-page.html").exists()
    assert (root / "site" / "questions.json").is_file() and (
        root / "site" / "topics" / "basics" / "index.html"
    ).is_file()
    assert leftovers(root) == []


def test_a_read_only_site_folder_is_one_line_and_the_old_site_stays(tmp_path, monkeypatch):
    import studysite.sitedir as sitedir

    root = tiny_project(tmp_path / "p")
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text("the previous site", encoding="utf-8")
    _refuse_renaming(monkeypatch, root, errno.EROFS)

    def read_only(target, building):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(target / "index.html"))

    monkeypatch.setattr(sitedir, "replace_contents", read_only)
    error, log = build_in_process(root, monkeypatch)
    assert error == (
        f"{(root / 'site').resolve()}: the new site could not be written there (Read-only file system); "
        "make the folder writable, or build elsewhere with -d"
    )
    assert (root / "site" / "index.html").read_text(encoding="utf-8") == "the previous site"
    assert not any("Traceback" in line for line in log.lines())
    assert leftovers(root) == []


def test_a_cache_folder_that_cannot_be_made_is_one_line(tmp_path):
    root = tiny_project(tmp_path / "p")
    (root / "notebooks" / "tiny.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8"
    )
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    result = mkdocs(root, "build", env={"STUDY_CACHE_DIR": str(blocker)})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (error,) = [ln for ln in result.stderr.splitlines() if ln.startswith("ERROR")]
    assert error.startswith("ERROR   -  the study-site hook failed while running notebooks: ")
    assert "not-a-folder" in error


def test_lang_c_builds_the_same_site(tmp_path, clean_site):
    root = tiny_project(tmp_path / "p")
    env = {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", **REPRODUCIBLE}
    result = mkdocs(root, "build", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert site_files(root / "site") == clean_site


def test_f_from_another_folder_writes_nothing_there(tmp_path):
    root = tiny_project(tmp_path / "p")
    (root / "notebooks" / "tiny.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "execution_count": null, "id": "a", "metadata": {}, "outputs": [],'
        ' "source": "print(6 * 7)"}], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",'
        ' "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}',
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = mkdocs(root, "build", "-f", str(root / "mkdocs.yml"), cwd=elsewhere)
    assert result.returncode == 0, result.stderr[-2000:]
    assert list(elsewhere.iterdir()) == []
    assert (root / ".cache" / "mkdocs-jupyter").is_dir()
    assert (root / "site" / "notebooks" / "tiny" / "index.html").is_file()


def test_a_build_called_from_inside_a_running_event_loop_writes_the_site(tmp_path, monkeypatch, clean_site):
    """An async host (Playwright's sync API, Jupyter, an async server) that builds in-process already runs
    a loop in its thread; the search indexer and the kernels must still run (asyncio.run refuses there)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    root = tiny_project(tmp_path / "p")

    async def host() -> str | None:
        error, _ = build_in_process(root, monkeypatch)
        return error

    # the host's loop runs in a thread of its own: the test process may already run one (Playwright's)
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, host()).result() is None
    assert (root / "site" / "pagefind" / "pagefind-entry.json").is_file()
    assert set(site_files(root / "site")) == set(clean_site)
