"""Two clean builds (empty caches, different folders) with the same SOURCE_DATE_EPOCH are byte-identical.

A small project: the seeds' questions without the repo's notebooks, plus one notebook that draws a plot
under a question (an executed notebook, a PNG, a demo on a topic page), so everything that could carry a
build time or a random name is there: notebook outputs and images, the manifest, the Anki deck, the
sitemap and the search index. (Two full builds with every notebook took 378 s and proved nothing more.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import lean_project, notebook, run_mkdocs

PLOT = (
    "import matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots(figsize=(2, 1))\n"
    "ax.plot([0, 1, 4, 9])\n"
    "ax.set_title('squares')\n"
    "plt.show()"
)


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_two_clean_builds_are_byte_identical(tmp_path):
    plots = notebook(("print(6 * 7)\n" + PLOT, ["q:max-pooling"]))  # one notebook (cell IDs are random)
    digests = []
    for name in ("first", "second"):
        project = lean_project(tmp_path / name, notebooks={"plots.ipynb": plots})
        out = tmp_path / f"site-{name}"
        env = {
            "SOURCE_DATE_EPOCH": "1700000000",
            "STUDY_CACHE_DIR": str(tmp_path / f"cache-{name}"),
            "SITE_URL": "https://example.org/study/",
        }
        result = run_mkdocs(project, "build", "--strict", "-d", str(out), env=env)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "notebooks: 1 executed" in result.stderr  # really clean: the notebook ran in both builds
        digests.append(tree_digest(out))
    first, second = digests
    assert first.keys() == second.keys()
    differing = sorted(k for k in first if first[k] != second[k])
    assert differing == []
    # the things most likely to drift are really there and covered
    for must in [
        "sitemap.xml",
        "questions.json",
        "search/search_index.json",
        "downloads/pytorch-interview.apkg",
        "downloads/plots.ipynb",
        "notebooks/plots/index.html",
    ]:
        assert must in first, must
    assert any(k.startswith("notebooks/img/") and k.endswith(".png") for k in first)
    topic_pages = [(tmp_path / "site-first" / k).read_text(encoding="utf-8") for k in first if k.startswith("topics/")]
    assert any("squares" in page or "notebooks/img/" in page for page in topic_pages)  # the demo is on its page
