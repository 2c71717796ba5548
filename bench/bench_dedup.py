"""Deduplication quality on the hand-labelled evaluation set, and its cost as the collection grows.

    python bench/bench_dedup.py

1. precision / recall of auto-merges, and of auto-merges + candidates, on tests/data/dedup-pairs.yaml
   (targets: 0 wrong auto-merges, auto recall >= 0.8, auto + candidate recall >= 0.95)
2. pairs compared and time to deduplicate 1,000 and 5,000 synthetic questions (target: 5x the questions
   in <= 6x the time; all pairs would be 12.5x and 25x the comparisons)
Measured in one run on this machine; printed, never asserted (machines are noisy).
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "hooks"))
sys.path.insert(0, str(REPO / "tests"))

from dedup_eval import evaluate, scores  # noqa: E402
from studysite.dedup import find_duplicates  # noqa: E402
from studysite.model import Block, SourceRef  # noqa: E402
from studysite.readers.base import RawQuestion  # noqa: E402
from studysite.similarity import TOP_K, Glossary  # noqa: E402

STEMS = ["What is", "Explain", "What do you mean by", "Describe", "How does", "Why do we use", "What are the uses of"]


def synthetic(n: int, seed: int = 1) -> list[RawQuestion]:
    """n questions over a vocabulary that grows with n; every tenth is a reworded copy of an earlier one."""
    rng = random.Random(seed)
    vocab = [f"term{i}" for i in range(max(100, n))]
    raws = []
    for i in range(n):
        if i % 10 == 9:
            words = list(raws[rng.randrange(len(raws))].title.rstrip("?").split()[-3:])
            rng.shuffle(words)
        else:
            words = rng.sample(vocab, 3)
        title = f"{rng.choice(STEMS)} {' '.join(words)}?"
        answer = " ".join(rng.sample(vocab, 25)) + "."
        raws.append(RawQuestion(SourceRef(f"sources/synthetic-{i % 7}.txt", i + 1, title, "dump"), title, [Block("para", answer)]))
    return raws


def timed(n: int, glossary: Glossary, runs: int = 5) -> tuple[float, int, int]:
    """Median CPU time of this process (the machine is shared: wall time measures the neighbours too)."""
    times, result = [], None
    for _ in range(runs):
        raws = synthetic(n)
        start = time.process_time()
        result = find_duplicates(raws, glossary=glossary)
        times.append(time.process_time() - start)
    return statistics.median(times), result.comparisons, len(result.questions)


def main() -> None:
    glossary = Glossary.load(REPO / "sources" / "glossary.yaml", "sources/glossary.yaml")
    outcomes, _ = evaluate(glossary)
    s = scores(outcomes)
    print(f"evaluation set: {s['same pairs']} same-question pairs, {s['different pairs']} look-alike pairs\n")
    print("| outcome counted as 'same' | precision | recall | wrong merges |")
    print("| --- | --- | --- | --- |")
    print(f"| auto-merge | {s['auto precision']:.2f} | {s['auto recall']:.2f} | {s['wrong auto-merges']} |")
    print(f"| auto-merge + candidate | {s['auto+candidate precision']:.2f} | {s['auto+candidate recall']:.2f} | - |")
    hard = sorted((o for o in outcomes if o.label == "same" and o.outcome == "candidate"), key=lambda o: o.score or 0)
    print(f"\nsame-question pairs left to a person ({len(hard)}), weakest first:")
    for o in hard:
        print(f"  {o.score:.2f}  {o.a['title']!r}  /  {o.b['title']!r}")

    print("\nscale (median CPU time of 5 runs):")
    rows = {n: timed(n, glossary) for n in (1000, 5000)}
    for n, (sec, comparisons, published) in rows.items():
        print(f"  {n:>5} questions: {sec:.2f} s, {comparisons} pairs compared (<= (top-k + 1) x n = {(TOP_K + 1) * n}; "
              f"all pairs: {n * (n - 1) // 2}), {published} published")
    (t1, c1, _), (t5, c5, _) = rows[1000], rows[5000]
    print(f"  5x questions: {t5 / t1:.2f}x time (target <= 6), {c5 / c1:.2f}x comparisons")


if __name__ == "__main__":
    main()
