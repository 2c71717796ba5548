"""The notebook cache checks every file of an entry and repairs what fails; outputs are capped per cell;
data a notebook finds by folder or declares is in its key; Ctrl-C kills a running kernel at once."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import REPO
from studysite.notebooks import run_notebooks
from studysite.notebooks.cache import cache_key, local_dependencies
from studysite.site import clean_jupyter_cache

LOG = logging.getLogger("test.cache")


def write_nb(path: Path, *sources: str, metadata: dict | None = None) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.update(metadata or {})
    nb.cells = [new_markdown_cell(f"# {path.stem}")] + [new_code_cell(s) for s in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


PLOT = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(1, 1))\nax.plot([0, 1])\nplt.show()"
LOUD = "print('x' * 300_000)\nprint('after')"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """One run: a notebook with a PNG and one whose cell prints 300,000 characters (cap 5,000)."""
    root = tmp_path_factory.mktemp("cache")
    write_nb(root / "notebooks" / "plot.ipynb", PLOT)
    write_nb(root / "notebooks" / "loud.ipynb", LOUD)
    run = run_notebooks(root / "notebooks", root / "cache", repo_root=root, log=LOG, workers=2, output_cap=5000)
    assert not run.failed, [str(r.error) for r in run.failed]
    return root, run


def rerun(root: Path, cache: Path, monkeypatch, name: str = "plot.ipynb"):
    return run_notebooks(root / "notebooks", cache, repo_root=root, log=LOG, output_cap=5000).get(name)


def damaged_copy(root: Path, tmp_path: Path) -> tuple[Path, Path]:
    cache = tmp_path / "cache"
    shutil.copytree(root / "cache", cache)
    (entry,) = cache.glob("plot-*")
    return cache, entry


def test_intact_entry_is_a_hit(executed, tmp_path, monkeypatch):
    root, _ = executed
    cache, _ = damaged_copy(root, tmp_path)
    assert rerun(root, cache, monkeypatch).status == "cached"


@pytest.mark.parametrize("damage", ["truncated notebook", "unexpected field", "truncated png"])
def test_damaged_entry_is_dropped_and_rewritten(executed, tmp_path, monkeypatch, damage):
    root, _ = executed
    cache, entry = damaged_copy(root, tmp_path)
    if damage == "truncated notebook":
        data = (entry / "executed.ipynb").read_bytes()
        (entry / "executed.ipynb").write_bytes(data[: len(data) // 2])
    elif damage == "unexpected field":
        record = json.loads((entry / "result.json").read_text())
        record["surprise"] = 1
        (entry / "result.json").write_text(json.dumps(record))
    else:
        (png,) = (entry / "images").glob("*.png")
        png.write_bytes(png.read_bytes()[:100])
    first = rerun(root, cache, monkeypatch)
    assert first.status == "succeeded"  # ran again: the damaged entry was not used
    assert nbformat.read(first.executed_path, as_version=4)  # and the new entry is whole
    (png,) = first.images.values()
    assert png.read_bytes().endswith(b"IEND\xaeB`\x82")
    assert rerun(root, cache, monkeypatch).status == "cached"  # repaired: no re-run forever


def test_output_is_capped_per_cell_with_a_visible_note(executed):
    _, run = executed
    loud = run.get("loud.ipynb")
    nb = nbformat.read(loud.executed_path, as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert len(text) < 6000
    assert "… output truncated: 295,007 more characters (the site keeps 5,000 per cell)" in text
    assert run.warnings == [
        "notebooks/loud.ipynb: cell 2 printed 300,007 characters of output; the site keeps the first 5,000 "
        '("output truncated"): print less, or raise STUDY_OUTPUT_CAP'
    ]


def test_folder_read_by_glob_and_declared_inputs_are_in_the_key(tmp_path):
    nbs = tmp_path / "notebooks"
    (nbs / "data").mkdir(parents=True)
    (nbs / "data" / "a.csv").write_text("1\n")
    (nbs / "other").mkdir()
    (nbs / "other" / "b.csv").write_text("2\n")
    code = "import glob\nfiles = sorted(glob.glob('data/*.csv'))"
    assert [p.name for p in local_dependencies(nbs, code)] == ["a.csv"]
    nb = nbformat.read(write_nb(nbs / "g.ipynb", code), as_version=4)
    before = cache_key(nb, nbs)
    (nbs / "data" / "new.csv").write_text("3\n")
    assert cache_key(nb, nbs) != before  # a new data file → the notebook runs again
    # Data found in ways the code does not spell out: declared in the notebook's metadata.
    hidden = nbformat.read(
        write_nb(
            nbs / "h.ipynb",
            "import os\nos.listdir(os.environ['D'])",
            metadata={"studysite": {"inputs": ["other/*.csv"]}},
        ),
        as_version=4,
    )
    before = cache_key(hidden, nbs)
    (nbs / "other" / "b.csv").write_text("changed\n")
    assert cache_key(hidden, nbs) != before


def test_garbage_in_mkdocs_jupyter_cache_is_cleared(tmp_path, monkeypatch):
    class Plugin:
        config = {"cache": True, "cache_dir": str(tmp_path / "mj")}

    (tmp_path / "mj").mkdir()
    (tmp_path / "mj" / "bad.json").write_text('{"content": "<p>trunc')
    (tmp_path / "mj" / "alien.json").write_text("[1, 2]")
    (tmp_path / "mj" / "good.json").write_text(json.dumps({"content": "<p>x</p>", "toc_tokens": [], "title": None}))
    clean_jupyter_cache({"plugins": {"mkdocs-jupyter": Plugin()}}, LOG)
    assert sorted(p.name for p in (tmp_path / "mj").iterdir()) == ["good.json"]


CTRL_C = """
import logging, sys
sys.path.insert(0, {hooks!r})
from pathlib import Path
from studysite.notebooks import run_notebooks
logging.basicConfig(level=logging.INFO)
run_notebooks(Path({nbs!r}), Path({cache!r}), repo_root=Path({root!r}), log=logging.getLogger("x"), cell_timeout=600)
"""


def test_ctrl_c_kills_a_running_kernel_at_once(tmp_path):
    pid_file = tmp_path / "kernel.pid"
    write_nb(
        tmp_path / "notebooks" / "loop.ipynb",
        f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\nwhile True:\n    pass",
    )
    script = CTRL_C.format(
        hooks=str(REPO / "hooks"), nbs=str(tmp_path / "notebooks"), cache=str(tmp_path / "cache"), root=str(tmp_path)
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while not (pid_file.exists() and pid_file.read_text()) and time.time() < deadline:
            time.sleep(0.2)
        kernel = int(pid_file.read_text())
        time.sleep(0.5)
        started = time.time()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        assert time.time() - started < 10
        assert b"KeyboardInterrupt" in proc.stdout.read()
        for _ in range(50):
            if not _alive(kernel):
                break
            time.sleep(0.1)
        assert not _alive(kernel), "the kernel outlived the interrupt"
    finally:
        if proc.poll() is None:
            proc.kill()
        if pid_file.exists() and pid_file.read_text() and _alive(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_output_cap_counts_text_and_images_apart():
    import base64

    from nbformat import v4

    from studysite.notebooks.outputs import IMAGE_CAP_FACTOR, cap_outputs

    cap = 1000
    sharp_plot = base64.b64encode(b"\x89PNG" + b"x" * 3000).decode()  # over the text cap, a normal plot
    huge_plot = base64.b64encode(b"\x89PNG" + b"x" * (IMAGE_CAP_FACTOR * cap)).decode()
    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell(
                "plot()",
                outputs=[
                    v4.new_output("display_data", data={"image/png": sharp_plot}),
                    v4.new_output("stream", name="stdout", text="ok\n"),
                ],
            ),
            v4.new_code_cell(
                "spam()",
                outputs=[
                    v4.new_output("stream", name="stdout", text="y" * 5000),
                    v4.new_output("display_data", data={"image/png": huge_plot}),
                ],
            ),
        ]
    )
    cut = cap_outputs(nb, cap)
    assert 0 not in cut and len(nb.cells[0].outputs) == 2  # a plot is published as a file: it stays
    kinds = [o.output_type for o in nb.cells[1].outputs]
    assert kinds == ["stream", "stream"]  # text cut to the cap, the oversized image dropped, one note
    assert len(nb.cells[1].outputs[0].text) == cap and "output truncated" in nb.cells[1].outputs[1].text
    assert cut[1] == 5000 + len(huge_plot)  # what the cell printed (4,000 + the image were cut)
