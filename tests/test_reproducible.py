"""Two clean builds (empty caches, different folders) with the same SOURCE_DATE_EPOCH are byte-identical."""
from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import copy_project, run_mkdocs


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_clean_builds_are_byte_identical(tmp_path):
    digests = []
    for name in ("first", "second"):
        project = copy_project(tmp_path / name)
        out = tmp_path / f"site-{name}"
        result = run_mkdocs(project, "build", "--strict", "-d", str(out),
                            env={"SOURCE_DATE_EPOCH": "1700000000", "STUDY_CACHE_DIR": str(tmp_path / f"cache-{name}")})
        assert result.returncode == 0, result.stderr[-3000:]
        executed = int(result.stderr.split("notebooks: ")[1].split(" executed")[0])
        assert executed >= 5  # really clean: every notebook ran in both builds
        digests.append(tree_digest(out))
    first, second = digests
    assert first.keys() == second.keys()
    differing = sorted(k for k in first if first[k] != second[k])
    assert differing == []
    # the things most likely to drift are really there and covered
    for must in ["sitemap.xml", "questions.json", "search/search_index.json", "downloads/pytorch-interview.apkg"]:
        assert must in first
    assert any(k.startswith("notebooks/img/") and k.endswith(".png") for k in first)
