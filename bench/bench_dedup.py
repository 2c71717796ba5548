"""Deduplication quality, held out by author, and its cost as the collection grows.

    python bench/bench_dedup.py [--no-scale | --only-scale]

1. grouped cross-validation (no author of a test fold in any training pair; thresholds from an inner
   grouped CV) per method — TF-IDF + glossary, each embedding, combined — and calibration (isotonic,
   Platt), over five seeded fold assignments (mean, range, spread of single folds), with the fitted
   figure beside it (targets: auto-merge recall >= 0.85 at precision >= 0.99; auto + candidate recall
   >= 0.97);
2. the real find_duplicates over every labelled side at once (blocking, clustering, the committed model);
3. the hardest pairs (held out);
4. candidates per 100 new questions when the corpus files join the seeds (target <= 10);
5. cold encoding cost per 1,000 questions (empty embedding cache) and a warm rerun encoding 0 texts;
   CPU time to deduplicate the seeds + 1,000 vs + 5,000 distinct, realistic questions (the corpus's real
   titles, then template questions over the domain's concepts) with their vectors cached (target: <= 6x).
Measured in one run on this machine; printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "hooks"))
sys.path.insert(0, str(REPO / "tests"))

import dedup_eval  # noqa: E402
from studysite import pairmodel, similarity  # noqa: E402
from studysite.dedup import find_duplicates  # noqa: E402
from studysite.embeddings import CachedEncoder, shared_encoder  # noqa: E402
from studysite.model import SourceRef  # noqa: E402
from studysite.readers import read_file  # noqa: E402
from studysite.readers.base import RawQuestion  # noqa: E402
from studysite.topics import load_topic_map  # noqa: E402


def methods_table(ps: dedup_eval.PairSet) -> None:
    seeds = len(dedup_eval.FOLD_SEEDS)
    print(
        f"held out: mean over {seeds} seeded fold assignments [range over the seeds] (spread of single folds, "
        "standard deviation); fitted: trained and judged on all pairs"
    )
    print(
        "| method | calibration | held out: auto precision | auto recall | wrong merges | auto+candidate recall "
        "| fitted: auto precision | auto recall | auto+candidate recall |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, features in pairmodel.METHODS.items():
        for calibration in pairmodel.CALIBRATIONS:
            r = dedup_eval.held_out(ps, features, calibration=calibration)
            fit = dedup_eval.fitted(ps, features, calibration)
            f = dedup_eval.rates(ps.labels, fit["outcomes"], fit["tested"])
            builds = name == pairmodel.PRODUCTION and calibration == pairmodel.CALIBRATION
            print(
                f"| {name}{' (builds)' if builds else ''} | {calibration} | {_cell(r, 'auto precision')} | "
                f"{_cell(r, 'auto recall')} | {r['wrong auto-merges']:.1f} | {_cell(r, 'auto+candidate recall')} | "
                f"{f['auto precision']:.3f} | {f['auto recall']:.3f} | {f['auto+candidate recall']:.3f} |"
            )


def _cell(r: dict, key: str) -> str:
    lo, hi = r[key + " range"]
    return f"{r[key]:.3f} [{lo:.3f}-{hi:.3f}] (±{r[key + ' fold sd']:.3f})"


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


CONCEPT_TEMPLATES = [
    "What is {a}?",
    "Why do we use {a}?",
    "How does {a} work?",
    "When would you choose {a}?",
    "What are the disadvantages of {a}?",
    "How would you implement {a} from scratch?",
    "Give an example where {a} fails.",
    "What is the difference between {a} and {b}?",
    "How do {a} and {b} interact during training?",
    "Would you combine {a} with {b}? Why?",
]


def concepts() -> list[str]:
    """Subjects of deep-learning questions: the topic map's keywords and the glossary's wordings."""
    topics = load_topic_map(REPO / "sources" / "topics.yaml", "sources/topics.yaml")["topics"]
    words = [k for t in topics for k in t.get("keywords", [])]
    glossary = yaml.safe_load((REPO / "sources" / "glossary.yaml").read_text(encoding="utf-8"))
    words += [w for variants in glossary["synonyms"].values() for w in variants if len(w) > 3]
    return sorted(dict.fromkeys(w for w in words if len(w) > 3 and not any(ch.isdigit() for ch in w)))


def corpus_questions() -> list[RawQuestion]:
    """Every question the readers find in the seeds and tests/corpus/ (real titles by ~50 authors)."""
    out = []
    paths = sorted((REPO / "sources").glob("*.txt")) + sorted((REPO / "tests" / "corpus").iterdir())
    for p in paths:
        if p.suffix in (".yaml", ".tsv") or p.is_dir():
            continue
        try:
            out.extend(read_file(p, f"sources/{p.name}").questions)
        except Exception:  # noqa: BLE001 - a corpus file today's readers cannot read is left out here
            continue
    return out


def realistic(n: int, corpus: list[RawQuestion], seed: int = 1) -> list[RawQuestion]:
    """n distinct questions: the corpus's real titles with their answers (in a fixed shuffled order, so
    the first 1,000 are part of the 5,000), then questions written from templates over the domain's
    concepts ("What is the difference between dropout and weight decay?") with a corpus answer each.
    The corpus's own copies across authors stay in, as in a real collection."""
    rng = random.Random(seed)
    real = list({q.title.lower(): q for q in corpus}.values())
    rng.shuffle(real)
    out = real[:n]
    words = concepts()
    seen = {q.title.lower() for q in out}
    answers = [q.blocks for q in real if q.blocks]
    while len(out) < n:
        a, b = rng.sample(words, 2)
        title = rng.choice(CONCEPT_TEMPLATES).format(a=a, b=b)
        if title.lower() in seen:
            continue
        seen.add(title.lower())
        ref = SourceRef(f"sources/synthetic-{len(out) % 7}.txt", len(out) + 1, title, "dump")
        out.append(RawQuestion(ref, title, list(rng.choice(answers))))
    return out


def _timed(raws: list[RawQuestion], encoder: CachedEncoder) -> tuple[float, float, object]:
    g = dedup_eval.glossary()
    cpu, wall = time.process_time(), time.perf_counter()
    result = find_duplicates(raws, glossary=g, encoder=encoder)
    return time.process_time() - cpu, time.perf_counter() - wall, result


def cold_encoding(model, raws: list[RawQuestion], keep: Path) -> None:
    """Encoding cost with an empty cache, per 1,000 questions (the model already loaded), and a warm
    rerun on the filled cache: it encodes nothing. The vectors then join the bench's cache (keep)."""
    model.encode(["warm up"])  # load the model outside the measurement
    with tempfile.TemporaryDirectory() as tmp:
        cold_encoder = CachedEncoder(model, Path(tmp), 384)
        cold_cpu, cold_wall, _ = _timed(raws, cold_encoder)
        warm_encoder = CachedEncoder(model, Path(tmp), 384)
        warm_cpu, warm_wall, _ = _timed(raws, warm_encoder)
    per = 1000 / len(raws)
    print(
        f"  cold (empty embedding cache), {len(raws)} questions: {cold_encoder.encoded} texts encoded; "
        f"encoding ≈ {(cold_cpu - warm_cpu) * per:.1f} s CPU / {(cold_wall - warm_wall) * per:.1f} s wall "
        f"per 1,000 questions"
    )
    print(f"  warm rerun on that cache: {warm_encoder.encoded} texts encoded, dedup {warm_cpu:.2f} s CPU")
    kept = CachedEncoder(model, keep, 384)
    if kept.cache is not None and cold_encoder.cache is not None:
        kept.cache.vectors.update(cold_encoder.cache.vectors)
        kept.cache.dirty = True
        kept.cache.save()


def scale() -> None:
    model = shared_encoder(similarity.default_cache_dir()).model
    seeds = [q for p in sorted((REPO / "sources").glob("*.txt")) for q in read_file(p, f"sources/{p.name}").questions]
    corpus = corpus_questions()
    cache = REPO / ".cache" / "bench-dedup"
    cold_encoding(model, seeds + realistic(1000, corpus), cache)
    rows = {}
    for n in (1000, 5000):
        raws = seeds + realistic(n, corpus)
        CachedEncoder(model, cache, 384).encode([])  # nothing: the cache file is read here, not timed
        _timed(raws, CachedEncoder(model, cache, 384))  # fills the cache where it lacks these texts
        warm = CachedEncoder(model, cache, 384)
        cpu, wall, result = _timed(raws, warm)
        rows[n] = (cpu, wall, result)
        print(
            f"  seeds + {n:>5} questions: dedup {cpu:.2f} s CPU ({wall:.2f} s wall) with vectors cached "
            f"({warm.encoded} encoded); {result.comparisons} pairs compared (all pairs: "
            f"{len(raws) * (len(raws) - 1) // 2}); {len(result.merged_by_meaning)} merged by meaning, "
            f"{len(result.questions)} published"
        )
    (t1, _, r1), (t5, _, r5) = rows[1000], rows[5000]
    print(
        f"  +5,000 / +1,000: {t5 / t1:.2f}x CPU time (target <= 6), {r5.comparisons / r1.comparisons:.2f}x comparisons"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--only-scale", action="store_true")
    args = parser.parse_args()
    if args.only_scale:
        scale()
        return
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
