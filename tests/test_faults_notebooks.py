"""Hostile notebooks: one long line, endless or huge output, a kernel killed from outside, a full disk
while staging, nbformat 3. Each ends within its limit with one message naming notebook and cell, the
site keeps what a reader should see, and nothing is cached that should run again."""

from __future__ import annotations

import errno
import logging
import re
from pathlib import Path

import nbclient.client
import nbformat
import pytest

from studysite.notebooks import run_notebooks
from studysite.notebooks.outputs import coalesce_streams, terminal_text

LOG = logging.getLogger("test.faults.notebooks")


def notebook(folder: Path, name: str, *cells: str, version: int = 4) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), *(nbformat.v4.new_code_cell(c) for c in cells)]
    path = folder / f"{name}.ipynb"
    if version == 3:
        path.write_text(nbformat.writes(nbformat.convert(nb, 3), version=3), encoding="utf-8")
    else:
        nbformat.write(nb, path)
    return path


def run(tmp_path: Path, timeout: int = 60, **kwargs):
    return run_notebooks(
        tmp_path / "notebooks", tmp_path / "cache", repo_root=tmp_path, cell_timeout=timeout, log=LOG, **kwargs
    )


def cell_text(result, cell: int = 1) -> str:
    nb = nbformat.read(result.executed_path, as_version=4)
    return "".join(o.get("text", "") for o in nb.cells[cell].outputs if o.output_type == "stream")


@pytest.fixture()
def no_quadratic_regex(monkeypatch):
    """nbclient's carriage-return regex is quadratic in line length: it must never run."""

    class Refuse:
        def sub(self, *args, **kwargs):
            raise AssertionError("nbclient's quadratic coalesce_streams regex ran")

    monkeypatch.setattr(nbclient.client, "_RGX_CARRIAGERETURN", Refuse())


def test_a_300000_character_line_is_published_whole_up_to_the_cap(tmp_path, no_quadratic_regex):
    notebook(tmp_path / "notebooks", "line", "print('x' * 300_000 + 'END')")
    (result,) = run(tmp_path, output_cap=400_000).results
    assert result.status == "succeeded", result.error
    assert cell_text(result) == "x" * 300_000 + "END\n"  # nothing lost, nothing added


def test_one_long_line_over_the_cap_ends_within_the_time_limit_and_states_its_size(tmp_path, no_quadratic_regex):
    notebook(tmp_path / "notebooks", "long", "print('y' * 400_000)", "print('after')")
    r = run(tmp_path, timeout=5)
    (result,) = r.results
    assert result.status == "succeeded", result.error
    text = cell_text(result)
    assert text.startswith("y" * 100_000) and "… output truncated: 300,001 more characters" in text
    assert r.warnings == [
        "notebooks/long.ipynb: cell 2 printed 400,001 characters of output; the site keeps the first 100,000 "
        '("output truncated"): print less, or raise STUDY_OUTPUT_CAP'
    ]
    assert cell_text(result, 2) == "after\n"  # the next cell still ran and shows


def test_100_mb_of_output_is_counted_not_kept(tmp_path):
    notebook(tmp_path / "notebooks", "huge", "for _ in range(100):\n    print('z' * 999_999)")
    r = run(tmp_path, timeout=60)
    (result,) = r.results
    assert result.status == "succeeded", result.error
    assert "printed 100,000,000 characters" in r.warnings[0]
    assert result.executed_path.stat().st_size < 400_000  # the page and download stay small


def test_endless_output_times_out_with_the_cell_named(tmp_path):
    notebook(tmp_path / "notebooks", "endless", "import time", "while True:\n    print('spam ' * 200)")
    (result,) = run(tmp_path, timeout=3).results
    assert result.status == "failed"
    assert str(result.error).startswith("notebooks/endless.ipynb: cell 3 (code cell 2) timed out after 3 s")


def test_a_kernel_killed_from_outside_is_not_cached_as_a_permanent_failure(tmp_path):
    notebook(tmp_path / "notebooks", "oom", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    first = run(tmp_path).results[0]
    assert first.status == "failed" and not first.from_cache
    assert "was killed (out of memory, or a signal from outside); not cached" in str(first.error)
    again = run(tmp_path).results[0]
    assert again.status == "failed" and not again.from_cache, "ran again instead of replaying the failure"


def test_a_real_failure_is_still_cached(tmp_path):
    notebook(tmp_path / "notebooks", "bad", "raise ValueError('broken on purpose')")
    first = run(tmp_path).results[0]
    assert "raised ValueError: broken on purpose" in str(first.error)
    assert run(tmp_path).results[0].from_cache


def test_nbformat_3_notebook_runs(tmp_path):
    notebook(tmp_path / "notebooks", "old", "print(6 * 7)", version=3)
    (result,) = run(tmp_path).results
    assert result.status == "succeeded", result.error
    assert cell_text(result) == "42\n"


@pytest.mark.parametrize(
    "text",
    ["", "plain", "a\rb", "50%\r100%\n", "a\r\nb", "x\ry\rz\n\rq\r", "\r", "ab\r\r\n", "\b\ra\r\n\rb"],
)
def test_carriage_returns_read_as_nbclient_shows_them(text):
    assert terminal_text(text) == re.sub(r".*\r(?=[^\n])", "", text)


def test_streams_merge_by_name_in_order_as_nbclient_merges_them():
    out = nbformat.v4.new_output
    cell = nbformat.v4.new_code_cell(
        "x",
        outputs=[
            out("stream", name="stderr", text="warn "),
            out("stream", name="stdout", text="a" * 150_000),
            out("stream", name="stdout", text="a" * 150_000 + "\r50%\r100%\n"),
            out("stream", name="stderr", text="more\n"),
            out("execute_result", data={"text/plain": "1"}, execution_count=1),
        ],
    )
    nb = nbformat.v4.new_notebook(cells=[cell])
    coalesce_streams(nb)
    kinds = [(o.output_type, o.get("name")) for o in nb.cells[0].outputs]
    assert kinds == [("stream", "stdout"), ("stream", "stderr"), ("execute_result", None)]
    assert nb.cells[0].outputs[0].text == "100%\n" and nb.cells[0].outputs[1].text == "warn more\n"


def test_full_disk_while_staging_notebooks_is_one_line(tmp_path, monkeypatch):
    """ENOSPC while copying executed notebooks into the publish folder: one error naming the stage."""
    from faultkit import build_in_process, tiny_project

    project = tiny_project(tmp_path / "p")
    notebook(project / "notebooks", "tiny", "print(6 * 7)")

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("studysite.publish.write_atomic", full)
    error, log = build_in_process(project, monkeypatch)
    assert error is not None and error.startswith("the study-site hook failed while running notebooks: OSError: ")
    assert "No space left on device" in error and "\n" not in error
    assert not any("Traceback" in line for line in log.lines())


def test_in_serve_a_failing_notebooks_page_shows_its_error_instead_of_a_404(tmp_path, monkeypatch):
    from faultkit import build_in_process, tiny_project

    project = tiny_project(tmp_path / "p")
    notebook(project / "notebooks", "broken", "raise ValueError('broken on purpose')")
    error, log = build_in_process(project, monkeypatch, serve=True)
    assert error is None
    page = (project / "site" / "notebooks" / "broken" / "index.html").read_text(encoding="utf-8")
    assert "Demo notebook failed: notebooks/broken.ipynb" in page
    assert "raised ValueError: broken on purpose" in page
    assert (project / "site" / "topics" / "basics" / "index.html").is_file()  # the rest is served
