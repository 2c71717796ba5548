"""Scale benchmark: build time and peak memory of `mkdocs build` for generated dumps of 1, 5 and 20 MB and
for one markdown file of 100,000 short questions, measured side by side in one run, printed with ratios
and per 1,000 questions (linear growth: time and memory per 1,000 questions roughly constant). Never
asserted in tests: the machine is shared and noisy.

    python bench/bench_scale.py [--sizes 1 5 20] [--markdown 100000]

Time is the build's CPU time (user + system; wall time is printed too, but on a shared machine it
measures the neighbours as well). Each build runs in its own child process; peak memory is that child's
ru_maxrss (resource.getrusage of RUSAGE_CHILDREN, read by a wrapper process that runs only that one
build). The project copy has no notebooks (their execution is measured by bench.py), so the numbers are the content pipeline, page
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
    plan.write_text(
        "\n".join(ln for ln in plan.read_text(encoding="utf-8").splitlines() if "notebooks:" not in ln) + "\n",
        encoding="utf-8",
    )
    return project, n


def markdown_questions(n: int) -> str:
    """n short questions in one notes file, as a user aggregating lists would have: distinct titles (no
    two merge), a one-line answer each, grouped under a heading every 500."""
    words = ["tensor", "gradient", "layer", "kernel", "batch", "optimiser", "loss", "dropout", "stride", "padding"]
    lines = ["# Generated notes", ""]
    for i in range(n):
        if i % 500 == 0:
            lines += [f"## Part {i // 500 + 1}", ""]
        a, b = words[i % 10], words[(i // 10) % 10]
        lines += [f"### What is {a} {b} case {i}?", "", f"The {a} of case {i} relates to {b} number {i * 7}.", ""]
    return "\n".join(lines) + "\n"


def project_with_markdown(base: Path, n: int) -> Path:
    project, _ = project_with_dump(base / f"md{n}", 0)
    (project / "sources" / "900_generated.txt").unlink()
    (project / "sources" / "910_generated.md").write_text(markdown_questions(n), encoding="utf-8")
    return project


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
    parser.add_argument("--sizes", type=float, nargs="*", default=[1, 5, 20], help="dump sizes in MB")
    parser.add_argument("--markdown", type=int, nargs="*", default=[100_000], help="questions in one markdown file")
    args = parser.parse_args()
    rows = []
    cases = [(mb, None) for mb in args.sizes] + [(None, n) for n in args.markdown]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        base = Path(tmp)
        for mb, md in cases:
            if md is None:
                project, n = project_with_dump(base, mb)
            else:
                project, n, mb = project_with_markdown(base, md), md, len(markdown_questions(md)) / 1024 / 1024
            out = base / f"site{mb:g}"
            seconds, cpu, mib = measure(project, out)
            size, page = largest_page(out)
            questions = len(json.loads((out / "questions.json").read_text(encoding="utf-8"))["questions"])
            rows.append((mb, n, questions, cpu, mib, seconds))
            kind = "dump" if md is None else "markdown"
            print(
                f"{mb:.1f} MB {kind}: {n} generated questions, {questions} published: {cpu:.1f} s CPU "
                f"({seconds:.1f} s wall), peak {mib:.0f} MiB; per 1,000 questions {cpu / questions * 1000:.2f} s, "
                f"{mib / questions * 1000:.1f} MiB; largest page {size / 1024:.0f} KiB ({page})",
                flush=True,
            )
            shutil.rmtree(project)
            shutil.rmtree(out)
    first = rows[0]
    # CPU time (user + system of the build process), not wall time: on a shared machine the wall clock
    # measures the neighbours too.
    print(
        "\n| input | questions | build CPU time | wall | peak memory | s / 1,000 q | MiB / 1,000 q | time ratio "
        "| memory ratio |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for mb, _n, questions, cpu, mib, wall in rows:
        per_k = 1000 / questions
        print(
            f"| {mb:.1f} MB | {questions} | {cpu:.1f} s | {wall:.1f} s | {mib:.0f} MiB | {cpu * per_k:.2f} | "
            f"{mib * per_k:.1f} | {cpu / first[3]:.2f}× | {mib / first[4]:.2f}× |"
        )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"\n(bench took {time.perf_counter() - started:.0f} s)")
