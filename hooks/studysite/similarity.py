"""Which questions ask the same thing: meaning-bearing terms, a domain glossary, and blocked comparison.

A title is reduced to its *terms*: lower-cased words (identifiers such as ``torch.nn.functional`` kept
whole), stop phrases removed ("in one minute", "and when is it used"), wordings of one idea replaced by
one canonical term (glossary synonyms: "convolutional neural network" → ``cnn``), filler dropped, the rest
stemmed (Snowball). Word order is ignored. The glossary (sources/glossary.yaml) is data a person edits.

Two questions are then compared by TF-IDF cosine (scikit-learn) of their title terms and of their
answers' terms. Candidate pairs come from blocking: questions are only compared when they share a term
that is rare in the collection (an inverted index over terms used by at most ``BLOCK_DF`` questions),
and each question keeps its ``TOP_K`` best partners; titles with the very same terms are always
compared. So the work grows linearly with the number of questions (at most ``TOP_K + 1`` comparisons
each), never with its square.

Every compared pair ends as one of three outcomes:

* ``merge`` — confident: the titles carry the same terms, or nearly so with answers about the same
  things, and no contrasting term tells them apart;
* ``candidate`` — a person should decide (sources/duplicates.yaml): close, but a contrast set
  (max/average/sum, weights/biases, …) separates them, or the evidence is weaker;
* ``distinct``.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer

from . import pairmodel, yamlfile
from .embeddings import Encoder, shared_encoder
from .model import SourceError
from .pairmodel import PairModel

TOKEN = re.compile(r"[a-z0-9]+(?:[._][a-z0-9]+)*")
_QUOTES = re.compile(r"[‘’`´]")
_STEMMER = snowballstemmer.stemmer("english")

# Blocking (bench/bench_dedup.py measures recall and cost); the decision thresholds live in the model.
BLOCK_DF = 64  # a term shared by more questions than this is too common to block on
TOP_K = 8  # nearest neighbours scored per question (and TOP_K // 2 partners by rare terms)


SECTIONS = {"synonyms", "stop_phrases", "filler", "contrasts", "aspects", "keys"}


def tokens(text: str) -> list[str]:
    t = _QUOTES.sub("'", text.lower()).replace("'s ", " ").replace("()", "")
    return TOKEN.findall(t)


@dataclass
class Glossary:
    """Synonyms, stop phrases, filler words and contrast sets (sources/glossary.yaml)."""

    synonyms: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # stemmed wording → terms
    stop_phrases: list[tuple[str, ...]] = field(default_factory=list)  # raw words
    filler: frozenset[str] = frozenset()  # raw words
    contrasts: list[list[tuple[str, ...]]] = field(default_factory=list)  # sets of members (term tuples)
    aspect_groups: list[list[tuple[str, ...]]] = field(default_factory=list)  # what is asked: why / implement …
    aspects: frozenset[str] = frozenset()  # terms that say what is asked about a subject ("why", "implement")
    canonical_terms: frozenset[str] = frozenset()  # terms the synonyms lead to ("cnn", "batch_norm")
    protected: frozenset[str] = frozenset()  # terms never dropped as filler (contrast and aspect members)
    phrase_lengths: dict[str, list[int]] = field(default_factory=dict)  # first stem → wording lengths, longest first

    @classmethod
    def load(cls, path: Path, rel: str) -> Glossary:
        if not path.exists():
            return cls()
        data = yamlfile.load(path, rel) or {}  # the one safe loader: line numbers, no aliases, no key twice
        if not isinstance(data, dict):
            raise SourceError(rel, 1, "expected a mapping with synonyms, stop_phrases, filler and contrasts")
        unknown = set(data) - SECTIONS
        if unknown:
            raise SourceError(
                rel, None, f"unknown section(s) {sorted(unknown)}: expected {', '.join(sorted(SECTIONS))}"
            )
        return cls.from_data(data, rel)

    @classmethod
    def from_data(cls, data: dict, rel: str = "glossary") -> Glossary:
        g = cls()
        for canonical, variants in (data.get("synonyms") or {}).items():
            if not isinstance(variants, list):
                raise SourceError(rel, None, f"synonyms.{canonical}: expected a list of wordings")
            words = tokens(str(canonical))
            # one word is a term as written; several stand for those words (stemmed like any title)
            terms = tuple(words) if len(words) == 1 else tuple(_stem(w) for w in words)
            for v in [str(canonical), *map(str, variants)]:
                g.synonyms[_key(tokens(v))] = terms
        g.stop_phrases = sorted((tuple(tokens(str(p))) for p in data.get("stop_phrases") or []), key=len, reverse=True)
        g.filler = frozenset(w for f in data.get("filler") or [] for w in tokens(str(f)))
        lengths = defaultdict(set)
        for k in g.synonyms:
            if len(k) > 1:
                lengths[k[0]].add(len(k))
        g.phrase_lengths = {first: sorted(ns, reverse=True) for first, ns in lengths.items()}
        for section, groups in (("contrasts", g.contrasts), ("aspects", g.aspect_groups)):
            for group in data.get(section) or []:
                if not isinstance(group, list) or not group:
                    raise SourceError(rel, None, f"{section}: expected lists of terms, got {group!r}")
                groups.append([tuple(g.canonical(tokens(str(m)), keep_filler=True)) for m in group])
        g.aspects = frozenset(t for group in g.aspect_groups for m in group for t in m)
        g.protected = frozenset(m[0] for group in g.contrasts + g.aspect_groups for m in group if len(m) == 1)
        g.canonical_terms = frozenset(t for terms in g.synonyms.values() for t in terms)
        return g

    def terms(self, title: str) -> list[str]:
        """The title's meaning-bearing terms (in order; compared as a set)."""
        return self.canonical(_drop_stop_phrases(tokens(title), self.stop_phrases))

    def intent(self, title: str) -> list[str]:
        """The title's words with filler kept (aspects such as "why", "when", "example" are filler words)."""
        return self.canonical(_drop_stop_phrases(tokens(title), self.stop_phrases), keep_filler=True)

    def canonical(self, words: list[str], keep_filler: bool = False) -> list[str]:
        """Synonyms (longest first) to their canonical terms; filler out; the rest stemmed."""
        stems = [_stem(w) for w in words]
        out: list[str] = []
        i = 0
        while i < len(words):
            found, n = None, 1
            for n in self.phrase_lengths.get(stems[i], ()):
                found = self.synonyms.get(tuple(stems[i : i + n])) if i + n <= len(words) else None
                if found is not None:
                    break
            if found is None:
                n, word = 1, words[i]
                found = self.synonyms.get((word,))
                if found is None and len(word) > 3 and word.endswith("s"):
                    found = self.synonyms.get((word[:-1],))  # plural of a one-word entry: "cnns"
            if found is not None:
                out.extend(found)
            elif keep_filler or words[i] not in self.filler or stems[i] in self.protected:
                out.append(stems[i])
            i += n
        return out

    def signature(self, terms: list[str], groups: list[list[tuple[str, ...]]] | None = None) -> tuple[frozenset, ...]:
        """Which members of each contrast set (or aspect group) the terms contain (compared pair by pair)."""
        present = set(terms)
        groups = self.contrasts if groups is None else groups
        return tuple(frozenset(m for m in group if set(m) <= present) for group in groups)

    def contrast(self, a: list[str], b: list[str], sig_a=None, sig_b=None) -> tuple[str, ...] | None:
        """The members of the first contrast set that only one of the two term lists has, else None."""
        sig_a = sig_a if sig_a is not None else self.signature(a)
        sig_b = sig_b if sig_b is not None else self.signature(b)
        if sig_a == sig_b:
            return None
        for ha, hb in zip(sig_a, sig_b, strict=False):
            if ha != hb:
                return tuple(sorted(" ".join(m) for m in ha ^ hb))
        return None


def _key(words: list[str], stems: list[str] | None = None) -> tuple[str, ...]:
    """How a wording is looked up: one word as written (so "transformer" is not "transformative"),
    several words by their stems (so "vanishing gradients" is "vanishing gradient")."""
    if len(words) == 1:
        return tuple(words)
    return tuple(stems) if stems is not None else tuple(_stem(w) for w in words)


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    if "." in word or "_" in word or word.isdigit():
        return word
    return _STEMMER.stemWord(word)


def _drop_stop_phrases(words: list[str], phrases: list[tuple[str, ...]]) -> list[str]:
    if not phrases:
        return words
    starts = defaultdict(list)
    for p in phrases:
        starts[p[0]].append(p)
    out, i = [], 0
    while i < len(words):
        for p in starts.get(words[i], ()):
            if tuple(words[i : i + len(p)]) == p:
                i += len(p)
                break
        else:
            out.append(words[i])
            i += 1
    return out


@dataclass
class Pair:
    a: int
    b: int
    score: float  # the model's probability that the two ask the same thing
    title: float  # TF-IDF cosine of title terms
    answer: float  # TF-IDF cosine of answer terms
    outcome: str  # "merge" | "candidate" | "distinct"
    why: str  # one line for people: what decided it
    vetoed: bool = False  # a contrast set, other values or no readable terms: never merged by the scorer


@dataclass
class Comparison:
    pairs: list[Pair]  # every scored pair that is not distinct
    comparisons: int  # pairs scored (each at most once)


@dataclass
class Collection:
    """What comparing needs about each question, computed once per build."""

    terms: list[list[str]]
    signatures: list[tuple[frozenset, ...]]
    aspect_sigs: list[tuple[frozenset, ...]]
    tv: list[dict[int, float]]
    av: list[dict[int, float]]
    vectors: dict[str, np.ndarray]  # "emb_title", "emb_full", ("wl_title", "wl_full"): unit rows
    values: list[frozenset[str]] = field(default_factory=list)  # each title's terms with digits ("resnet50")


def _vectorize(docs: list[list[str]]) -> list[dict[int, float]]:
    """TF-IDF rows (L2-normalised), each as {term: weight}: a pair's cosine is then a short dict walk."""
    if not any(docs):
        return [{} for _ in docs]
    m = TfidfVectorizer(analyzer=lambda d: d, binary=True, norm="l2", sublinear_tf=True).fit_transform(docs).tocsr()
    rows = []
    for i in range(m.shape[0]):
        lo, hi = m.indptr[i], m.indptr[i + 1]
        rows.append(dict(zip(m.indices[lo:hi].tolist(), m.data[lo:hi].tolist(), strict=False)))
    return rows


def _cosine(rows: list[dict[int, float]], i: int, j: int) -> float:
    a, b = rows[i], rows[j]
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


ANSWER_CHARS = 600  # of the answer embedded with the title (the model reads 256 word pieces at most)


def prepare(titles: list[str], answers: list[str], glossary: Glossary, encoders: dict[str, Encoder]) -> Collection:
    """Terms, TF-IDF rows and embeddings of every question. encoders: {"emb": …, "wl": …} (any subset)."""
    terms = [glossary.terms(t) for t in titles]
    answer_terms = [glossary.canonical(tokens(a)) for a in answers]
    full = [f"{t}\n{a[:ANSWER_CHARS]}".strip() for t, a in zip(titles, answers, strict=False)]
    vectors: dict[str, np.ndarray] = {}
    for prefix, encoder in encoders.items():
        vectors[f"{prefix}_title"] = encoder.encode(list(titles))
        vectors[f"{prefix}_full"] = encoder.encode(full)
        # the titles in the glossary's words: "What is BN?" and "What is batch normalization?" both read
        # "batch norm" (the model alone does not know the abbreviation)
        vectors[f"{prefix}_terms"] = encoder.encode([" ".join(t).replace("_", " ") or "?" for t in terms])
    return Collection(
        terms=terms,
        signatures=[glossary.signature(t) for t in terms],
        aspect_sigs=[glossary.signature(glossary.intent(t), glossary.aspect_groups) for t in titles],
        tv=_vectorize([list(dict.fromkeys(t)) for t in terms]),
        av=_vectorize(answer_terms),
        vectors=vectors,
        values=[frozenset(t for t in ts if any(ch.isdigit() for ch in t)) for ts in terms],
    )


def _lexical(c: Collection, glossary: Glossary, i: int, j: int) -> dict[str, float]:
    sa, sb = set(c.terms[i]), set(c.terms[j])
    union = sa | sb
    shared = sa & sb
    return {
        "tfidf_title": _cosine(c.tv, i, j),
        "tfidf_answer": _cosine(c.av, i, j),
        "same_terms": float(bool(sa) and sa == sb),
        "contained": float(bool(sa) and bool(sb) and (sa <= sb or sb <= sa)),
        "jaccard": len(shared) / len(union) if union else 0.0,
        "synonym": float(bool(shared & glossary.canonical_terms)),
        "contrast": float(c.signatures[i] != c.signatures[j]),
        "aspect": float(sum(x != y for x, y in zip(c.aspect_sigs[i], c.aspect_sigs[j], strict=False))),
        # the same subject asked the same way: same terms and no aspect (why / how / example …) apart
        "same_question": float(bool(sa) and sa == sb and c.aspect_sigs[i] == c.aspect_sigs[j]),
    }


def features(c: Collection, glossary: Glossary, pairs: list[tuple[int, int]], names: list[str]) -> np.ndarray:
    """One row per pair, the named features in order."""
    rows = np.zeros((len(pairs), len(names)))
    if not pairs:
        return rows
    a = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    b = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    columns = {name: np.einsum("ij,ij->i", v[a], v[b]) for name, v in c.vectors.items()}
    for prefix in ("emb", "wl"):  # titles are as alike as their closer wording: as written, or in glossary terms
        if f"{prefix}_terms" in columns:
            columns[f"{prefix}_title"] = np.maximum(columns[f"{prefix}_title"], columns[f"{prefix}_terms"])
    columns = {name: v for name, v in columns.items() if name in names}
    lexical = [n for n in names if n not in columns]
    for k, name in enumerate(names):
        if name in columns:
            rows[:, k] = columns[name]
    if lexical:
        index = [names.index(n) for n in lexical]
        for r, (i, j) in enumerate(pairs):
            values = _lexical(c, glossary, i, j)
            rows[r, index] = [values[n] for n in lexical]
    return rows


def blocked_pairs(c: Collection, top_k: int = TOP_K) -> list[tuple[int, int]]:
    """Pairs worth scoring, at most about (2 top_k + 1) per question: each question's nearest neighbours
    in embedding space (scikit-learn NearestNeighbors), its best partners by shared rare terms, and every
    title with the very same terms (one dict lookup each)."""
    n = len(c.terms)
    found: set[tuple[int, int]] = set()
    same_terms: dict[frozenset[str], int] = {}
    for i, ts in enumerate(c.terms):
        if ts:
            first = same_terms.setdefault(frozenset(ts), i)
            if first != i:
                found.add((first, i))
    vectors = c.vectors.get("emb_full", c.vectors.get("wl_full"))
    if vectors is not None and n > 1:
        from sklearn.neighbors import NearestNeighbors

        k = min(top_k, n - 1)
        # kneighbors() without X leaves each point out of its own neighbours
        _, neighbours = NearestNeighbors(n_neighbors=k, metric="cosine", algorithm="brute").fit(vectors).kneighbors()
        for i, row in enumerate(neighbours.tolist()):
            found.update((min(i, j), max(i, j)) for j in row)
    found.update(_rare_term_pairs(c.terms, top_k // 2))
    return sorted(found)


def _rare_term_pairs(terms: list[list[str]], top_k: int) -> set[tuple[int, int]]:
    n = len(terms)
    postings: dict[str, list[int]] = defaultdict(list)
    for i, ts in enumerate(terms):
        for t in set(ts):
            postings[t].append(i)
    idf = {t: math.log((1 + n) / (1 + len(p))) + 1 for t, p in postings.items()}
    found: set[tuple[int, int]] = set()
    for i in range(n):
        shared: dict[int, float] = defaultdict(float)
        for t in set(terms[i]):
            p = postings[t]
            if len(p) <= BLOCK_DF:
                for j in p:
                    if j != i:
                        shared[j] += idf[t]
        for j in sorted(shared, key=lambda j: (-shared[j], j))[:top_k]:
            found.add((min(i, j), max(i, j)))
    return found


def compare(
    titles: list[str],
    answers: list[str],
    glossary: Glossary,
    encoder: Encoder | None = None,
    model: PairModel | None = None,
) -> Comparison:
    """Score likely duplicate pairs among the questions (by index) without an all-pairs loop."""
    model = model or pairmodel.load()
    c = prepare(titles, answers, glossary, {"emb": encoder or shared_encoder(default_cache_dir())})
    pairs = blocked_pairs(c)
    probabilities = model.predict(features(c, glossary, pairs, model.features))
    scored = [_decide(c, glossary, model, i, j, float(p)) for (i, j), p in zip(pairs, probabilities, strict=False)]
    return Comparison([p for p in scored if p.outcome != "distinct"], len(pairs))


def _decide(c: Collection, glossary: Glossary, model: PairModel, i: int, j: int, p: float) -> Pair:
    title, answer = _cosine(c.tv, i, j), _cosine(c.av, i, j)
    contrast = glossary.contrast(c.terms[i], c.terms[j], c.signatures[i], c.signatures[j])
    unreadable = not c.terms[i] or not c.terms[j]
    values = _values_apart(c.values[i], c.values[j])
    if contrast:  # a hard rule: the glossary says these ask different things
        outcome = "candidate" if p >= model.candidate else "distinct"
        why = "only one has " + " / ".join(contrast)
    elif unreadable:
        # no term the glossary or the (English) embedding model can read, e.g. a title in another script:
        # the score says nothing, so never a merge by the model (vetoed); a person may decide
        outcome = "candidate" if p >= model.candidate else "distinct"
        why = "no terms to compare (another language?)"
    elif values:
        # "ResNet-18" / "ResNet-50", "L1" / "L2", "concept 17" / "concept 18": the same words around other
        # values ask other things; the embedding barely sees the difference, so a person decides
        outcome = "candidate" if p >= model.candidate else "distinct"
        why = "other values: " + " / ".join(values)
    elif p >= model.auto:
        outcome, why = "merge", f"model: same question (p = {p:.2f})"
    elif p >= model.candidate:
        outcome, why = "candidate", f"model: not certain (p = {p:.2f})"
    else:
        outcome, why = "distinct", ""
    vetoed = bool(contrast) or unreadable or bool(values)
    return Pair(i, j, round(p, 3), round(title, 3), round(answer, 3), outcome, why, vetoed)


def _values_apart(va: frozenset[str], vb: frozenset[str]) -> tuple[str, ...]:
    """The terms with digits (Collection.values) that only one title has, when both titles name values
    (a title with no number, "What are the types of pooling?", may well ask what "the 3 types of
    pooling" asks)."""
    if not va or not vb or va == vb:
        return ()
    return tuple(sorted(va ^ vb))


def default_cache_dir() -> Path:
    """Where embeddings are cached when the caller names no folder (library use without a StudyConfig, as
    in tests and benches): the repository's .cache/. A build passes StudyConfig.embeddings_dir."""
    return Path(__file__).resolve().parents[2] / ".cache"
