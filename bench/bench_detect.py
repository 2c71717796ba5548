"""Question detection judged on unseen authors: leave-one-author-out over the labelled corpus.

For each author, the detector is trained without that author's files and reads them; per file it prints
questions read / hand count, junk (read but not labelled a question) and missed, and whether the file
was read exactly (±3 % of the hand count, no junk). The fitted figure (trained on everything, read on
the same files) is printed beside it; the held-out one is the one that counts.

    python bench/bench_detect.py [--c 0.5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "hooks"))

from studysite.detect_train import C, corpus_files, examples, fit, judge_file  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--c", type=float, default=C)
    ap.add_argument("--repo", type=Path, default=REPO, help="project whose tests/corpus to use")
    args = ap.parse_args()
    files = corpus_files(args.repo)
    data = {f.name: examples(f) for f in files}
    start = time.process_time()
    fitted_model = fit([(f.author, data[f.name]) for f in files], args.c)
    fitted = {f.name: judge_file(f, fitted_model) for f in files}
    held: dict[str, object] = {}
    for author in sorted({f.author for f in files}):
        model = fit([(f.author, data[f.name]) for f in files if f.author != author], args.c)
        for f in files:
            if f.author == author:
                held[f.name] = judge_file(f, model)
    print(f"{'file':46} {'author':20} {'held out: read/hand junk missed':>32}  {'fitted':>18}")
    for f in files:
        h, fi = held[f.name], fitted[f.name]
        mark = "exact" if h.exact else ("ERROR" if h.error else "")
        print(
            f"{f.name[:46]:46} {f.author[:20]:20} {h.read:>9}/{h.hand:<5} {h.junk:>5} {h.missed:>6} {mark:>6}  "
            f"{fi.read:>6}/{fi.hand:<5} {fi.junk:>3} {'exact' if fi.exact else ''}"
        )
    n = len(files)
    held_exact = sum(r.exact for r in held.values())
    fitted_exact = sum(r.exact for r in fitted.values())
    print(
        f"\n{n} files, {len({f.author for f in files})} authors; read exactly (±3 %, 0 junk): "
        f"held out (leave-one-author-out) {held_exact}/{n} = {held_exact / n:.0%}; "
        f"fitted {fitted_exact}/{n} = {fitted_exact / n:.0%}"
    )
    junk = sum(r.junk for r in held.values())
    print(
        f"held out: {junk} junk questions, {sum(r.missed for r in held.values())} missed, of "
        f"{sum(r.hand for r in held.values())} labelled; CPU {time.process_time() - start:.1f} s"
    )


if __name__ == "__main__":
    main()
