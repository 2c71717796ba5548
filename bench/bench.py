"""Benchmarks measured side by side in one run; prints ratios (never asserted in tests: machines are noisy).

    python bench/bench.py [--runs 3] [--quick]

1. hook overhead: warm full build ÷ plain build of the exported docs tree without the hook (target ≤ 1.15)
2. cold build (empty notebook cache), the share spent executing notebooks, and the parallel speed-up of
   notebook execution over running them one by one
3. scale: build time with 1,000 and 5,000 extra synthetic questions (target: 5× questions ≤ 6× time)
4. page weight: largest topic page, images, search index
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "hooks"))
sys.path.insert(0, str(REPO / "tests"))

from conftest import copy_project  # noqa: E402  (the same project copy the tests build)


def build(project: Path, out: Path, *, config: str = "mkdocs.yml", env: dict | None = None) -> tuple[float, str]:
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-c", "-f", config, "-d", str(out)],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"build failed in {project}:\n{result.stderr[-3000:]}")
    return seconds, result.stderr


def median_build(project: Path, runs: int, **kw) -> float:
    times = []
    for i in range(runs):
        seconds, _ = build(project, project.parent / f"out-{project.name}-{i}", **kw)
        times.append(seconds)
    return statistics.median(times)


def synthetic_dump(n: int) -> str:
    """n distinct questions in the scraped-dump format, each with a paragraph and a short list."""
    lines = ["h1 => [ Synthetic interview questions ]"]
    for i in range(1, n + 1):
        lines.append(f"h3 => [ {i}) What is synthetic concept {i} in the layer family {i % 97}? ]")
        lines.append(
            f"p => [ Synthetic concept {i} is a made-up idea used to measure how the build scales. "
            f"It relates to tensors, gradients and layer {i % 13}. ]"
        )
        lines.append(f"li => [ first property of concept {i} ]")
        lines.append(f"li => [ second property of concept {i} ]")
    return "\n".join(lines) + "\n"


def notebook_times(cache: Path, workers: int | None) -> float:
    from studysite.notebooks import run_notebooks

    log = logging.getLogger("bench.notebooks")
    start = time.perf_counter()
    run = run_notebooks(REPO / "notebooks", cache, repo_root=REPO, workers=workers, log=log)
    if run.failed:
        raise SystemExit(f"notebook failed: {run.failed[0].error}")
    return time.perf_counter() - start


def kib(n: int) -> str:
    return f"{n / 1024:.0f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per median (default 3)")
    parser.add_argument("--quick", action="store_true", help="skip the cold/parallel notebook measurements")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="study-bench-"))
    rows: list[tuple[str, str]] = []
    try:
        project = copy_project(work / "site")
        cache = work / "cache"
        env = {"STUDY_CACHE_DIR": str(cache)}

        # 2. cold build first (empty cache), then the notebook stage alone, serial vs parallel.
        if not args.quick:
            cold, log = build(project, work / "out-cold", env=env)
            stage = float(re.search(r"notebook stage took ([\d.]+) s", log).group(1))
            serial = notebook_times(work / "nb-serial", workers=1)
            parallel = notebook_times(work / "nb-parallel", workers=None)
            rows += [
                ("cold build (empty notebook cache)", f"{cold:.1f} s"),
                ("  of which notebook execution", f"{stage:.1f} s ({stage / cold:.0%})"),
                (
                    f"notebooks one by one / in parallel ({os.cpu_count()} workers)",
                    f"{serial:.1f} s / {parallel:.1f} s = speed-up {serial / parallel:.2f}×",
                ),
            ]
        else:
            build(project, work / "out-cold", env=env)

        # 1. hook overhead: warm full build vs the exported tree built without the hook.
        export = work / "export"
        build(project, work / "out-export", env={**env, "STUDY_EXPORT_DIR": str(export)})
        warm = median_build(project, args.runs, env=env)
        plain = median_build(export, args.runs)
        rows += [
            (f"warm full build (median of {args.runs})", f"{warm:.2f} s"),
            (f"plain build of exported tree (median of {args.runs})", f"{plain:.2f} s"),
            ("hook overhead: warm ÷ plain (target ≤ 1.15)", f"{warm / plain:.3f}"),
        ]

        # 3. scale with synthetic questions (notebooks cached, so this is the content pipeline + MkDocs).
        scale = {}
        for n in (1000, 5000):
            p = copy_project(work / f"scale-{n}", sources={f"900_synthetic_{n}.txt": synthetic_dump(n)})
            scale[n] = median_build(p, max(1, args.runs - 1), env=env)
        rows += [
            ("build with +1,000 synthetic questions", f"{scale[1000]:.2f} s"),
            ("build with +5,000 synthetic questions", f"{scale[5000]:.2f} s"),
            ("5,000 ÷ 1,000 (5× questions; target ≤ 6)", f"{scale[5000] / scale[1000]:.2f}"),
        ]

        # 4. page weight of the warm site.
        site = work / "out-site-0"
        topic_pages = sorted((site / "topics").glob("*/index.html"), key=lambda p: p.stat().st_size)
        images = list((site / "notebooks" / "img").glob("*"))
        rows += [
            (f"largest topic page ({topic_pages[-1].parent.name})", kib(topic_pages[-1].stat().st_size)),
            (f"notebook images ({len(images)} files)", kib(sum(p.stat().st_size for p in images))),
            ("search/search_index.json", kib((site / "search" / "search_index.json").stat().st_size)),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    width = max(len(k) for k, _ in rows)
    print(f"\nStudy-site benchmark ({os.cpu_count()} cores)\n")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
