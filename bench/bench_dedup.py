"""Deduplication quality, held out by author, and its cost as the collection grows.

    python bench/bench_dedup.py [--no-scale]

1. grouped cross-validation (no author of a test fold in any training pair; thresholds from an inner
   grouped CV) per method — TF-IDF + glossary, each embedding, combined — with the fitted figure beside
   it (targets: auto-merge recall >= 0.85 at precision >= 0.99; auto + candidate recall >= 0.97);
2. the real find_duplicates over every labelled side at once (blocking, clustering, the committed model);
3. the hardest pairs (held out);
4. candidates per 100 new questions when the corpus files join the seeds (target <= 10);
5. cold encoding cost per 1,000 questions, and CPU time to deduplicate +1,000 vs +5,000 synthetic
   questions with their vectors cached (target: <= 6x).
Measured in one run on this machine; printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "hooks"))
sys.path.insert(0, str(REPO / "tests"))

import dedup_eval  # noqa: E402
from studysite import pairmodel, similarity  # noqa: E402
from studysite.dedup import find_duplicates  # noqa: E402
from studysite.embeddings import CachedEncoder, shared_encoder  # noqa: E402
from studysite.model import Block, SourceRef  # noqa: E402
from studysite.readers import read_file  # noqa: E402
from studysite.readers.base import RawQuestion  # noqa: E402
from studysite.topics import load_topic_map  # noqa: E402

STEMS = ["What is", "Explain", "What do you mean by", "Describe", "How does", "Why do we use", "What are the uses of"]


def methods_table(ps: dedup_eval.PairSet) -> None:
    print(
        "| method | held out: auto precision | auto recall | wrong merges | auto+candidate recall "
        "| fitted: auto precision | auto recall | auto+candidate recall |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, features in pairmodel.METHODS.items():
        cv = dedup_eval.grouped_cv(ps, features)
        r = dedup_eval.rates(ps.labels, cv["outcomes"], cv["tested"])
        f = dedup_eval.rates(ps.labels, dedup_eval.fitted(ps, features)["outcomes"], np.ones(len(ps.labels), bool))
        mark = " (builds)" if name == pairmodel.PRODUCTION else ""
        print(
            f"| {name}{mark} | {r['auto precision']:.3f} | {r['auto recall']:.3f} | {r['wrong auto-merges']} | "
            f"{r['auto+candidate recall']:.3f} | {f['auto precision']:.3f} | {f['auto recall']:.3f} | "
            f"{f['auto+candidate recall']:.3f} |"
        )


def hardest(ps: dedup_eval.PairSet, n: int = 8) -> None:
    names = pairmodel.METHODS[pairmodel.PRODUCTION]
    p = dedup_eval.grouped_cv(ps, names)["p"]
    order = np.argsort(p)
    print("\nhardest same-question pairs (lowest held-out p):")
    for i in [i for i in order if ps.labels[i] == 1][:n]:
        print(f"  {p[i]:.2f}  {ps.pairs[i]['a']['title']!r} / {ps.pairs[i]['b']['title']!r}")
    print("hardest look-alikes (highest held-out p):")
    for i in [i for i in order[::-1] if ps.labels[i] == 0][:n]:
        print(f"  {p[i]:.2f}  {ps.pairs[i]['a']['title']!r} / {ps.pairs[i]['b']['title']!r}")


def corpus_review() -> None:
    seeds = [read_file(p, f"sources/{p.name}") for p in sorted((REPO / "sources").glob("*.txt"))]
    corpus = []
    for p in sorted((REPO / "tests" / "corpus").iterdir()):
        if p.suffix in (".yaml", ".tsv") or p.is_dir():
            continue
        try:
            corpus.append(read_file(p, f"sources/{p.name}"))
        except Exception:  # noqa: BLE001 - a corpus file today's readers cannot read is left out here
            continue
    raws = [q for r in seeds + corpus for q in r.questions]
    pinned = load_topic_map(REPO / "sources" / "topics.yaml", "sources/topics.yaml")["questions"]
    g = dedup_eval.glossary()
    result = find_duplicates(raws, glossary=g, pinned=pinned)
    new = max(result.new_questions, 1)
    print(
        f"\ncorpus + seeds: {len(raws)} source questions from {len(corpus) + len(seeds)} files → "
        f"{len(result.questions)} published; {len(result.merged_by_meaning)} merged by meaning"
    )
    print(
        f"  {len(result.candidates)} candidates for a person per {result.new_questions} new questions = "
        f"{100 * len(result.candidates) / new:.1f} per 100 (target <= 10); "
        f"{len(result.auto_decided)} doubtful pairs decided by the model"
    )


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
        ref = SourceRef(f"sources/synthetic-{i % 7}.txt", i + 1, title, "dump")
        raws.append(RawQuestion(ref, title, [Block("para", answer)]))
    return raws


def scale() -> None:
    g = dedup_eval.glossary()
    model = shared_encoder(similarity.default_cache_dir()).model
    cache = REPO / ".cache" / "bench-dedup"
    rows = {}
    for n in (1000, 5000):
        encoder = CachedEncoder(model, cache, 384)
        start = time.process_time()
        find_duplicates(synthetic(n), glossary=g, encoder=encoder)  # fills the cache (cold if new)
        cold = time.process_time() - start
        warm_encoder = CachedEncoder(model, cache, 384)
        start = time.process_time()
        result = find_duplicates(synthetic(n), glossary=g, encoder=warm_encoder)
        rows[n] = (time.process_time() - start, result.comparisons, cold, encoder.encoded, warm_encoder.encoded)
    for n, (sec, comparisons, cold, encoded, warm) in rows.items():
        per_1000 = (cold - sec) / max(encoded, 1) * 1000 * 3 if encoded else float("nan")
        print(
            f"  {n:>5} questions: dedup {sec:.2f} s CPU with vectors cached ({warm} encoded), "
            f"{comparisons} pairs compared (all pairs: {n * (n - 1) // 2}); "
            f"cold encoding ≈ {per_1000:.1f} s CPU per 1,000 questions ({encoded} texts)"
        )
    (t1, c1, *_), (t5, c5, *_) = rows[1000], rows[5000]
    print(f"  5x questions: {t5 / t1:.2f}x time (target <= 6), {c5 / c1:.2f}x comparisons")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-scale", action="store_true")
    args = parser.parse_args()
    ps = dedup_eval.pair_set()
    authors = {a for pair in ps.authors for a in pair}
    files = {s["from"] for p in ps.pairs for s in (p["a"], p["b"])}
    print(
        f"evaluation set: {int(ps.labels.sum())} same-question pairs, {int(len(ps.labels) - ps.labels.sum())} "
        f"look-alikes, {len(files)} files by {len(authors)} authors\n"
    )
    methods_table(ps)
    outcomes, comparisons = dedup_eval.evaluate()
    s = dedup_eval.scores(outcomes)
    print(
        f"\nthe committed model in find_duplicates (fitted on these pairs): auto precision {s['auto precision']:.3f}, "
        f"auto recall {s['auto recall']:.3f}, wrong merges {s['wrong auto-merges']}, auto+candidate recall "
        f"{s['auto+candidate recall']:.3f}; {comparisons} pairs compared"
    )
    hardest(ps)
    corpus_review()
    if not args.no_scale:
        print("\nscale (one run each, CPU time of this process):")
        scale()


if __name__ == "__main__":
    main()
