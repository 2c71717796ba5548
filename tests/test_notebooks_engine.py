"""The notebook engine with real kernels: cache hits and misses, failures, reproducibility, embedding."""

from __future__ import annotations

import base64
import logging
import re
import struct
import zlib
from pathlib import Path

import markdown
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from studysite.notebooks import (
    NotebookError,
    demo_markdown,
    demo_markdown_error,
    run_notebooks,
    status_page_markdown,
)
from studysite.notebooks.cache import local_dependencies
from studysite.notebooks.outputs import strip_png_metadata

LOG = logging.getLogger("test.notebooks")
EXTENSIONS = [
    "admonition",
    "attr_list",
    "md_in_html",
    "pymdownx.details",
    "pymdownx.highlight",
    "pymdownx.superfences",
    "pymdownx.tabbed",
]


def write_nb(path: Path, *cells) -> Path:
    """cells: ("md" | "code", source, [tags])"""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source, *tags in cells:
        cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
        if tags and tags[0]:
            cell.metadata["tags"] = tags[0]
        nb.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def run(nb_dir: Path, cache_dir: Path, **kw):
    return run_notebooks(nb_dir, cache_dir, repo_root=nb_dir.parent, log=LOG, **kw)


def render(md: str) -> str:
    return markdown.markdown(
        md, extensions=EXTENSIONS, extension_configs={"pymdownx.tabbed": {"alternate_style": True}}
    )


# --- cache ----------------------------------------------------------------------------------------


def test_cache_hits_misses_and_dependencies(tmp_path):
    nbs, cache = tmp_path / "notebooks", tmp_path / "cache"
    (nbs / "demo_utils.py").parent.mkdir()
    (nbs / "demo_utils.py").write_text("VALUE = 1\n")
    write_nb(nbs / "a.ipynb", ("md", "# A"), ("code", "import demo_utils\nprint(demo_utils.VALUE)", ["q:a"]))
    write_nb(nbs / "b.ipynb", ("md", "# B"), ("code", "print(2)"))

    assert run(nbs, cache, workers=2).summary_line() == "notebooks: 2 executed, 0 cached"
    second = run(nbs, cache)
    assert second.summary_line() == "notebooks: 0 executed, 2 cached"
    assert [r.status for r in second.results] == ["cached", "cached"]

    # Markdown only: still served from the cache, but the published copy carries the new text.
    write_nb(nbs / "b.ipynb", ("md", "# B, reworded"), ("md", "More prose"), ("code", "print(2)"))
    third = run(nbs, cache)
    assert third.summary_line() == "notebooks: 0 executed, 2 cached"
    published = nbformat.read(third.get("b.ipynb").executed_path, as_version=4)
    assert published.cells[0].source == "# B, reworded" and published.cells[2].outputs[0].text == "2\n"
    assert third.get("b.ipynb").title == "B, reworded"

    write_nb(nbs / "b.ipynb", ("md", "# B"), ("code", "print(3)"))
    fourth = run(nbs, cache)
    assert fourth.summary_line() == "notebooks: 1 executed, 1 cached"
    assert fourth.get("b.ipynb").status == "succeeded"
    assert len(list(cache.glob("b-*"))) == 2, "an older entry is kept (least recently used evicted)"
    for code in ("print(4)", "print(5)"):
        write_nb(nbs / "b.ipynb", ("md", "# B"), ("code", code))
        run(nbs, cache)
    assert len(list(cache.glob("b-*"))) == 3, "at most KEEP_PER_NOTEBOOK entries per notebook"
    write_nb(nbs / "b.ipynb", ("md", "# B"), ("code", "print(3)"))

    (nbs / "demo_utils.py").write_text("VALUE = 7\n")
    fifth = run(nbs, cache)
    assert fifth.summary_line() == "notebooks: 1 executed, 1 cached"
    a = fifth.get("notebooks/a.ipynb")
    assert a.status == "succeeded"
    assert nbformat.read(a.executed_path, as_version=4).cells[1].outputs[0].text == "7\n"
    assert not list(cache.glob(".tmp-*"))


def test_local_dependency_heuristic(tmp_path):
    for name in ("demo_utils.py", "helpers2.py", "data.csv", "unused.txt", "other.ipynb"):
        (tmp_path / name).write_text("import helpers2\n" if name == "demo_utils.py" else "x\n")
    code = 'from demo_utils import f\nopen("data.csv")\n'
    assert [p.name for p in local_dependencies(tmp_path, code)] == ["data.csv", "demo_utils.py", "helpers2.py"]
    assert local_dependencies(tmp_path, "import demo_utils_extra") == []


# --- failures -------------------------------------------------------------------------------------


def test_failures_are_reported_and_cached_by_code(tmp_path):
    nbs, cache = tmp_path / "notebooks", tmp_path / "cache"
    write_nb(
        nbs / "broken.ipynb",
        ("md", "# Broken"),
        ("code", "x = 1"),
        ("code", "# divide\n1 / 0"),
        ("code", "print('never')"),
    )
    write_nb(
        nbs / "allowed.ipynb",
        ("code", "raise ValueError('expected')", ["raises-exception"]),
        ("code", "print('after')"),
    )
    write_nb(nbs / "slow.ipynb", ("code", "import time\ntime.sleep(30)"))
    write_nb(nbs / "dies.ipynb", ("md", "# Dies"), ("code", "import os\nos._exit(1)"))

    first = run(nbs, cache, workers=2, cell_timeout=3)
    assert [r.name for r in first.failed] == ["broken.ipynb", "dies.ipynb", "slow.ipynb"]
    assert first.get("allowed.ipynb").status == "succeeded"

    broken = first.get("broken.ipynb").error
    assert isinstance(broken, NotebookError)
    assert "notebooks/broken.ipynb" in str(broken) and "cell 3 (code cell 2)" in str(broken)
    assert "ZeroDivisionError" in str(broken) and "# divide" in str(broken)
    assert (broken.cell, broken.code_cell, broken.ename) == (3, 2, "ZeroDivisionError")
    assert "cell 1 (code cell 1) timed out after 3 s" in str(first.get("slow.ipynb").error)
    assert "notebooks/dies.ipynb: cell 2 (code cell 1)" in str(first.get("dies.ipynb").error)
    assert "kernel" in str(first.get("dies.ipynb").error)
    assert first.get("broken.ipynb").executed_path is None
    # A failure is remembered by code hash (no executed copy is kept)
    (entry,) = cache.glob("broken-*")
    assert not (entry / "executed.ipynb").exists()

    with pytest.raises(NotebookError) as raised:
        first.raise_for_failures()
    assert all(name in str(raised.value) for name in ("broken.ipynb", "slow.ipynb", "dies.ipynb"))

    status = status_page_markdown(first, {"notebooks/broken.ipynb": "nb/broken/"})
    assert "| [broken.ipynb](nb/broken/) **failed** |" in status and "cell 3 (code cell 2)" in status
    error_md = demo_markdown(first.get("broken.ipynb"), [2], image_url_prefix="", notebook_page_url="", download_url="")
    assert error_md.startswith("!!! failure") and "ZeroDivisionError" in error_md

    (nbs / "dies.ipynb").unlink()
    # Unchanged code: the failure comes from the cache (no kernel), same message; same time limit too.
    second = run(nbs, cache, cell_timeout=3)
    assert second.summary_line() == "notebooks: 0 executed, 3 cached (2 failed)"
    assert second.get("broken.ipynb").from_cache and str(second.get("broken.ipynb").error) == str(broken)
    assert second.get("allowed.ipynb").status == "cached"
    # A new time limit retries the timed-out notebook only; changed code retries the broken one.
    (nbs / "slow.ipynb").unlink()
    write_nb(nbs / "slow.ipynb", ("code", "import time\ntime.sleep(0.1)"))
    write_nb(nbs / "broken.ipynb", ("md", "# Fixed"), ("code", "x = 1"), ("code", "print(x)"))
    third = run(nbs, cache, cell_timeout=5)
    assert third.summary_line() == "notebooks: 2 executed, 1 cached"


def test_unreadable_notebook_fails_without_a_kernel(tmp_path):
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "bad.ipynb").write_text("{not json")
    result = run(tmp_path / "nb", tmp_path / "cache").get("bad.ipynb")
    assert result.status == "failed" and "nb/bad.ipynb" in str(result.error)


# --- reproducibility and embedding (one executed notebook shared by these tests) ----------------

DEMO_CELLS = [
    ("md", "# Plotting <demo>"),
    ("code", "import matplotlib.pyplot as plt\nprint(sorted({'b', 'a'}), hash('pytorch'))", ["q:setup"]),
    ("md", "Prose between cells", ["q:plot"]),
    ("code", "fig, ax = plt.subplots(figsize=(2, 2))\nax.plot([0, 1, 0.5])\nplt.show()", ["q:plot"]),
    ("code", "print('```\\n</details>\\n<script>alert(1)</script>')\n'``````'", ["q:escape"]),
    ("code", "raise KeyError('demo')", ["raises-exception", "q:escape"]),
    ("code", "for i in range(60):\n    print('line', i)", ["q:long"]),
]


@pytest.fixture(scope="module")
def two_clean_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("repro")
    write_nb(root / "notebooks" / "plots.ipynb", *DEMO_CELLS)
    return [run(root / "notebooks", root / f"cache{i}") for i in (1, 2)]


def test_outputs_are_byte_identical_across_clean_runs(two_clean_runs):
    one, two = (r.get("plots.ipynb") for r in two_clean_runs)
    assert one.status == two.status == "succeeded"
    assert one.executed_path.read_bytes() == two.executed_path.read_bytes()
    assert list(one.images) == list(two.images) and len(one.images) == 1
    ((name, png),) = one.images.items()
    assert png.read_bytes() == two.images[name].read_bytes()
    assert png.read_bytes().startswith(b"\x89PNG") and b"tEXt" not in png.read_bytes()
    assert b'"execution"' not in one.executed_path.read_bytes()  # no timing metadata
    embedded = nbformat.read(one.executed_path, as_version=4).cells[3].outputs[0].data["image/png"]
    assert base64.b64decode(embedded) == png.read_bytes()  # the notebook page shows the same stripped PNG


def test_png_text_chunks_are_stripped():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    idat, end = chunk(b"IDAT", zlib.compress(b"\x00\x00")), chunk(b"IEND", b"")
    png = (
        b"\x89PNG\r\n\x1a\n"
        + ihdr
        + chunk(b"tEXt", b"Software\x00Matplotlib")
        + chunk(b"tIME", b"\x07" * 7)
        + idat
        + end
    )
    assert strip_png_metadata(png) == b"\x89PNG\r\n\x1a\n" + ihdr + idat + end
    assert strip_png_metadata(b"not a png") == b"not a png"


def test_tags_map_to_cells(two_clean_runs):
    result = two_clean_runs[0].get("plots.ipynb")
    assert result.cells_by_question == {"setup": [1], "plot": [2, 3], "escape": [4, 5], "long": [6]}
    assert result.title == "Plotting <demo>" and result.code_cells == 5
    assert set(result.cell_seconds) == {1, 3, 4, 5, 6}


def demo(result, question):
    return demo_markdown(
        result,
        result.cells_by_question[question],
        image_url_prefix="../../assets/notebooks/",
        notebook_page_url="../../notebooks/plots/",
        download_url="../../notebooks/plots.ipynb",
    )


def test_demo_markdown_links_images_and_is_excluded_from_search(two_clean_runs):
    result = two_clean_runs[0].get("plots.ipynb")
    md = demo(result, "plot")
    (name,) = result.images
    assert "data:image" not in md and f"](../../assets/notebooks/{name})" in md
    assert "ax.plot([0, 1, 0.5])" in md and "data-search-exclude" in md
    assert "(../../notebooks/plots/)" in md and "(../../notebooks/plots.ipynb)" in md
    # the demo's first tagged cell is markdown: its first line is the demo's title
    assert "<summary>Demo: Prose between cells</summary>" in md and "runs at build time" not in md
    assert "![Plot: Prose between cells](" in md  # the plot's alt text comes from the title
    assert "Code" not in md and '=== "' not in md  # code and output interleaved, no tabs

    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed('<h2 id="q">Question</h2><p>The answer.</p>' + render(md) + "<p>After the demo.</p>")
    parser.close()
    text = " ".join("".join(s.text) for s in parser.data)
    assert "The answer." in text and "After the demo." in text
    assert "subplots" not in text and "Open the full notebook" not in text


def test_output_cannot_escape_its_fence(two_clean_runs):
    md = demo(two_clean_runs[0].get("plots.ipynb"), "escape")
    html = render(md)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("</details>") == 1 and html.rstrip().endswith("</details>")
    assert re.search(r"KeyError: (&#39;|&#x27;|')demo", html)
    assert "Download .ipynb</a>" in html  # the links after the cells are still markdown, not code


def test_long_output_is_truncated(two_clean_runs):
    md = demo(two_clean_runs[0].get("plots.ipynb"), "long")
    assert "line 39" in md and "line 40" not in md and "20 more lines" in md


def test_error_admonition_escapes_message():
    md = demo_markdown_error("notebooks/x.ipynb", NotebookError("x: ```\n<b>bold</b>"))
    html = render(md)
    assert html.startswith('<div class="admonition failure">') and "<b>" not in html and "&lt;b&gt;" in html


def test_status_page(two_clean_runs):
    page = status_page_markdown(two_clean_runs[0], {"plots.ipynb": "notebooks/plots/"})
    assert "| [plots.ipynb](notebooks/plots/) | " in page
    assert "`escape`, `long`, `plot`, `setup`" in page
    # build internals (executed or cached, run times) stay in the build log, not on the reader's page
    assert "executed" not in page and "cached" not in page and " s |" not in page


# --- parallelism ----------------------------------------------------------------------------------


def test_kernels_run_in_parallel_with_one_thread_each(tmp_path):
    nbs = tmp_path / "notebooks"
    for name in ("p1", "p2"):
        write_nb(nbs / f"{name}.ipynb", ("code", "import time, torch\nprint(torch.get_num_threads())\ntime.sleep(2)"))
    result = run(nbs, tmp_path / "cache", workers=2)
    p1, p2 = result.results
    assert p1.status == p2.status == "succeeded"
    assert max(p1.started, p2.started) < min(p1.finished, p2.finished), "executions overlap"
    for r in (p1, p2):
        assert nbformat.read(r.executed_path, as_version=4).cells[0].outputs[0].text == "1\n"
