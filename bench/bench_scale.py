"""Scale benchmark: build time and peak memory of `mkdocs build` for generated dumps of 1, 5 and 20 MB,
measured side by side in one run, printed with ratios (linear growth: time and memory ratios close to the
size ratios). Never asserted in tests: the machine is shared and noisy.

    python bench/bench_scale.py [--sizes 1 5 20]

Time is the build's CPU time (user + system; wall time is printed too, but on a shared machine it
measures the neighbours as well). Each build runs in its own child process; peak memory is that child's ru_maxrss (resource.getrusage of
RUSAGE_CHILDREN, read by a wrapper process that runs only that one build). The project copy has no
notebooks (their execution is measured by bench.py), so the numbers are the content pipeline, page
rendering and MkDocs with its search index. Large topics are split into pages of STUDY_PAGE_SIZE
questions (default 100), which keeps every page, and the search plugin's per-page work, bounded.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from bench import synthetic_dump  # noqa: E402  (same generator as bench.py's scale test)
from conftest import copy_project  # noqa: E402

BYTES_PER_QUESTION = len(synthetic_dump(1000).encode("utf-8")) / 1000

WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
if result.returncode != 0:
    sys.stderr.write(result.stderr[-3000:])
    sys.exit(result.returncode)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def project_with_dump(base: Path, megabytes: float) -> tuple[Path, int]:
    n = int(megabytes * 1024 * 1024 / BYTES_PER_QUESTION)
    project = copy_project(base / f"p{megabytes:g}", sources={"900_generated.txt": synthetic_dump(n)})
    shutil.rmtree(project / "notebooks")
    (project / "notebooks").mkdir()  # watched by mkdocs.yml; empty: no notebook stage
    plan = project / "sources" / "study-plan.yaml"
    plan.write_text("\n".join(ln for ln in plan.read_text(encoding="utf-8").splitlines()
                              if "notebooks:" not in ln) + "\n", encoding="utf-8")
    return project, n


def measure(project: Path, out: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of one `mkdocs build`."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-c", WRAPPER, sys.executable, "-m", "mkdocs", "build", "-d", str(out)]
    result = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"build failed in {project}:\n{result.stderr[-3000:]}")
    seconds, cpu, kib = result.stdout.split()
    return float(seconds), float(cpu), int(kib) / 1024


def largest_page(site: Path) -> tuple[int, str]:
    pages = [(p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")]
    return max(pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 20], help="dump sizes in MB")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        base = Path(tmp)
        for mb in args.sizes:
            project, n = project_with_dump(base, mb)
            out = base / f"site{mb:g}"
            seconds, cpu, mib = measure(project, out)
            size, page = largest_page(out)
            questions = len(json.loads((out / "questions.json").read_text(encoding="utf-8"))["questions"])
            rows.append((mb, n, questions, cpu, mib, seconds))
            print(f"{mb:g} MB dump: {n} generated questions, {questions} published: {cpu:.1f} s CPU "
                  f"({seconds:.1f} s wall), peak {mib:.0f} MiB, largest page {size / 1024:.0f} KiB ({page})", flush=True)
            shutil.rmtree(project)
            shutil.rmtree(out)
    first = rows[0]
    # CPU time (user + system of the build process), not wall time: on a shared machine the wall clock
    # measures the neighbours too.
    print("\n| dump | questions | build CPU time | peak memory | time ratio | memory ratio | size ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for mb, n, questions, cpu, mib, _wall in rows:
        print(f"| {mb:g} MB | {questions} | {cpu:.1f} s | {mib:.0f} MiB | {cpu / first[3]:.2f}× | "
              f"{mib / first[4]:.2f}× | {mb / first[0]:.1f}× |")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"\n(bench took {time.perf_counter() - started:.0f} s)")
