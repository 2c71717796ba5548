"""A real `mkdocs serve` on 127.0.0.1: typos and hook failures never hang a request; the last good pages
are served with the real error first; fixing the file recovers; editing the library reloads it."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import lean_project

DUMP = "sources/004_519512c2dfdefeb4.txt"
# Waiting is on the server's own events, never on log lines within a deadline: MkDocs' livereload
# endpoint `/livereload/<epoch>/<n>` answers once a build newer than <epoch> is being served. Epochs are
# CLOCK_MONOTONIC milliseconds (system-wide), so "a rebuild that started after my edit" is
# `epoch > time.monotonic() * 1000` taken before the edit. LIMIT only turns a real hang into a failure.
LIMIT = 1800


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, project: Path, log: Path, env: dict):
        self.port, self.log_path, self.project = free_port(), log, project
        with log.open("w") as fh:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{self.port}"],
                cwd=project,
                stdout=fh,
                stderr=subprocess.STDOUT,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": f"http://127.0.0.1:{self.port}/", **env},
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def epoch(self, newer_than: int) -> int:
        """Long-poll: the epoch of the site being served, once it is newer than newer_than (MkDocs answers
        after at most a minute either way)."""
        url = f"http://127.0.0.1:{self.port}/livereload/{newer_than}/{time.monotonic_ns()}"
        with urllib.request.urlopen(url, timeout=120) as r:
            return int(r.read())

    def wait_ready(self) -> None:
        """The first build is done when the server answers at all (it builds before it listens)."""
        started = time.monotonic()
        while True:
            assert self.proc.poll() is None, self.log()[-3000:]
            try:
                self.epoch(0)
                return
            except OSError:
                assert time.monotonic() - started < LIMIT, f"mkdocs serve never started:\n{self.log()[-3000:]}"
                time.sleep(0.5)

    def wait_rebuild(self, since: int) -> None:
        """Until a build that started after `since` (monotonic ms) is served."""
        started = time.monotonic()
        while self.epoch(since) <= since:
            assert self.proc.poll() is None, self.log()[-3000:]
            assert time.monotonic() - started < LIMIT, f"no rebuild after the edit:\n{self.log()[-3000:]}"

    def edit(self, rel: str, text: str) -> str:
        """Write a file and wait for the rebuild it triggers; the log of that rebuild."""
        start = len(self.log())
        since = round(time.monotonic() * 1000)
        (self.project / rel).write_text(text, encoding="utf-8")
        self.wait_rebuild(since)
        return self.log()[start:]

    def get(self, path: str, timeout: float = 120) -> str:
        """The page body; fails (instead of hanging) if the server does not answer at all."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=timeout) as r:
            assert r.status == 200
            return r.read().decode("utf-8")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture()
def server(tmp_path):
    project = lean_project(tmp_path / "p")
    srv = Server(project, tmp_path / "serve.log", {"STUDY_CACHE_DIR": str(tmp_path / "cache")})
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def warnings_of(log: str) -> list[str]:
    return [ln.split("-  ", 1)[1] for ln in log.splitlines() if ln.startswith("WARNING")]


def question_count(srv: Server) -> int:
    return len(json.loads(srv.get("questions.json"))["questions"])


def test_serve_never_hangs_and_serves_the_last_good_pages(server):
    srv = server
    plan_before = srv.get("study-plan/")
    assert "Day 1" in plan_before
    n = question_count(srv)
    plan = srv.project / "sources" / "study-plan.yaml"
    good_plan = plan.read_text(encoding="utf-8")

    # 1. A YAML typo in the study plan: a one-line error, the request is answered with the last good page.
    log = srv.edit("sources/study-plan.yaml", good_plan.replace("days:\n", "days:\n  - title: [oops\n", 1))
    assert any(w.startswith("sources/study-plan.yaml:") and "invalid YAML" in w for w in warnings_of(log)), log[-2000:]
    assert "Traceback" not in log
    assert "Day 1" in srv.get("study-plan/")
    log = srv.edit("sources/study-plan.yaml", good_plan)
    assert warnings_of(log) == []

    # 2. An unclosed `[` in the dump: its error first and alone; the file's last good reading is served.
    dump = srv.project / DUMP
    good_dump = dump.read_text(encoding="utf-8")
    lines = good_dump.split("\n")
    lines[30] = lines[30].rstrip()[:-1]
    log = srv.edit(DUMP, "\n".join(lines))
    assert warnings_of(log) == [
        f"{DUMP}:31: unclosed `[` in `p => [` element — serving the last good version of this file until it is fixed"
    ]
    assert question_count(srv) == n
    assert 'id="max-pooling"' in srv.get("topics/cnn/")
    assert "Day 1" in srv.get("study-plan/")
    srv.edit(DUMP, good_dump)

    # 3. Any exception in the library (here: an edit that makes it raise): logged, last good pages served,
    #    and the edited library is reloaded without a restart.
    render = srv.project / "hooks" / "studysite" / "render.py"
    good_render = render.read_text(encoding="utf-8")
    broken = good_render.replace(
        "def errata_markdown(topics: list[Topic]) -> str:\n",
        "def errata_markdown(topics: list[Topic]) -> str:\n    raise RuntimeError('injected')\n",
        1,
    )
    assert broken != good_render
    log = srv.edit("hooks/studysite/render.py", broken)
    assert "reloaded the study-site library (hooks/studysite/render.py changed)" in log
    wanted = "the study-site hook failed while generating pages: RuntimeError: injected; serving the last good pages"
    assert wanted in log
    assert 'id="max-pooling"' in srv.get("topics/cnn/")
    assert question_count(srv) == n
    log = srv.edit("hooks/studysite/render.py", good_render)
    assert "the study-site hook failed" not in log
    assert "Errata" in srv.get("errata/")

    # 4. A syntax error in the library: said plainly, the previous code keeps serving.
    log = srv.edit("hooks/studysite/render.py", good_render + "\ndef broken(:\n")
    assert re.search(r"hooks/studysite/render.py: the edited library does not import \(SyntaxError", log), log[-2000:]
    assert 'id="max-pooling"' in srv.get("topics/cnn/")

    # 5. sources/ deleted: said plainly, the last good pages are served; restored, edits are seen again
    #    (MkDocs' polling watcher used to stop for good once the folder was gone).
    sources = srv.project / "sources"
    backup = srv.project.parent / "sources-backup"
    shutil.copytree(sources, backup)
    since = round(time.monotonic() * 1000)
    shutil.rmtree(sources)
    srv.wait_rebuild(since)
    assert "sources/ is missing: restore it" in srv.log()
    assert question_count(srv) == n and 'id="max-pooling"' in srv.get("topics/cnn/")
    since = round(time.monotonic() * 1000)
    os.rename(backup, sources)  # all at once, as a `git checkout` or a restore from a backup would
    srv.wait_rebuild(since)
    log = srv.edit("sources/study-plan.yaml", good_plan.replace("One-week study plan", "One-week plan, edited"))
    assert warnings_of(log) == [], log[-2000:]
    assert "One-week plan, edited" in srv.get("study-plan/")
    assert question_count(srv) == n
