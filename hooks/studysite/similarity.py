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

import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer

from . import yamlfile
from .model import SourceError

TOKEN = re.compile(r"[a-z0-9]+(?:[._][a-z0-9]+)*")
_QUOTES = re.compile(r"[‘’`´]")
_STEMMER = snowballstemmer.stemmer("english")

# Blocking and decision thresholds, measured on tests/data/dedup-pairs.yaml (bench/bench_dedup.py).
BLOCK_DF = 64  # a term shared by more questions than this is too common to block on
TOP_K = 8  # partners scored per question
MERGE_TITLE = 0.72  # titles this close (TF-IDF cosine of terms) …
MERGE_ANSWER = 0.25  # … with answers at least this close merge automatically
CANDIDATE = 0.45  # combined score from which a pair is shown to a person
CONTAINED = 0.35  # … or from which it is shown when one title's terms are all in the other's


SECTIONS = {"synonyms", "stop_phrases", "filler", "contrasts", "aspects"}


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
    aspects: frozenset[str] = frozenset()  # terms that say what is asked about a subject ("why", "implement")
    protected: frozenset[str] = frozenset()  # terms never dropped as filler (contrast and aspect members)
    phrase_lengths: dict[str, list[int]] = field(default_factory=dict)  # first stem → wording lengths, longest first

    @classmethod
    def load(cls, path: Path, rel: str) -> "Glossary":
        if not path.exists():
            return cls()
        data = yamlfile.load(path, rel) or {}  # the one safe loader: line numbers, no aliases, no key twice
        if not isinstance(data, dict):
            raise SourceError(rel, 1, "expected a mapping with synonyms, stop_phrases, filler and contrasts")
        unknown = set(data) - SECTIONS
        if unknown:
            raise SourceError(rel, None, f"unknown section(s) {sorted(unknown)}: expected {', '.join(sorted(SECTIONS))}")
        return cls.from_data(data, rel)

    @classmethod
    def from_data(cls, data: dict, rel: str = "glossary") -> "Glossary":
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
        aspects = []
        for section in ("contrasts", "aspects"):
            for group in data.get(section) or []:
                if not isinstance(group, list) or not group:
                    raise SourceError(rel, None, f"{section}: expected lists of terms, got {group!r}")
                members = [tuple(g.canonical(tokens(str(m)), keep_filler=True)) for m in group]
                g.contrasts.append(members)
                if section == "aspects":
                    aspects += [t for m in members for t in m]
        g.aspects = frozenset(aspects)
        g.protected = frozenset(m[0] for group in g.contrasts for m in group if len(m) == 1)
        return g

    def terms(self, title: str) -> list[str]:
        """The title's meaning-bearing terms (in order; compared as a set)."""
        return self.canonical(_drop_stop_phrases(tokens(title), self.stop_phrases))

    def canonical(self, words: list[str], keep_filler: bool = False) -> list[str]:
        """Synonyms (longest first) to their canonical terms; filler out; the rest stemmed."""
        stems = [_stem(w) for w in words]
        out, i = [], 0
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

    def signature(self, terms: list[str]) -> tuple[frozenset, ...]:
        """Which members of each contrast set the terms contain (compared pair by pair)."""
        present = set(terms)
        return tuple(frozenset(m for m in group if set(m) <= present) for group in self.contrasts)

    def contrast(self, a: list[str], b: list[str], sig_a=None, sig_b=None) -> tuple[str, ...] | None:
        """The members of the first contrast set that only one of the two term lists has, else None."""
        sig_a = sig_a if sig_a is not None else self.signature(a)
        sig_b = sig_b if sig_b is not None else self.signature(b)
        if sig_a == sig_b:
            return None
        for ha, hb in zip(sig_a, sig_b):
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
    score: float  # combined evidence in [0, 1]
    title: float  # TF-IDF cosine of title terms
    answer: float  # TF-IDF cosine of answer terms
    outcome: str  # "merge" | "candidate" | "distinct"
    why: str  # one line for people: what decided it


@dataclass
class Comparison:
    pairs: list[Pair]  # every scored pair that is not distinct
    comparisons: int  # pairs scored (each at most once)


def _vectorize(docs: list[list[str]]) -> list[dict[int, float]]:
    """TF-IDF rows (L2-normalised), each as {term: weight}: a pair's cosine is then a short dict walk."""
    if not any(docs):
        return [{} for _ in docs]
    m = TfidfVectorizer(analyzer=lambda d: d, binary=True, norm="l2", sublinear_tf=True).fit_transform(docs).tocsr()
    rows = []
    for i in range(m.shape[0]):
        lo, hi = m.indptr[i], m.indptr[i + 1]
        rows.append(dict(zip(m.indices[lo:hi].tolist(), m.data[lo:hi].tolist())))
    return rows


def _cosine(rows: list[dict[int, float]], i: int, j: int) -> float:
    a, b = rows[i], rows[j]
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def compare(titles: list[str], answers: list[str], glossary: Glossary) -> Comparison:
    """Score likely duplicate pairs among the questions (by index) without an all-pairs loop."""
    n = len(titles)
    terms = [glossary.terms(t) for t in titles]
    answer_terms = [_answer_terms(a, glossary) for a in answers]
    signatures = [glossary.signature(t) for t in terms]
    tv = _vectorize([list(dict.fromkeys(t)) for t in terms])
    av = _vectorize(answer_terms)

    postings: dict[str, list[int]] = defaultdict(list)
    for i, ts in enumerate(terms):
        for t in set(ts):
            postings[t].append(i)
    idf = {t: math.log((1 + n) / (1 + len(p))) + 1 for t, p in postings.items()}

    seen: set[tuple[int, int]] = set()
    pairs: list[Pair] = []

    def score(i: int, j: int) -> None:
        key = (min(i, j), max(i, j))
        if key not in seen:
            seen.add(key)
            pair = _decide(key[0], key[1], terms, signatures, tv, av, glossary)
            if pair.outcome != "distinct":
                pairs.append(pair)

    # Titles with the same set of terms are always compared (one dict lookup each), however common
    # their terms: "What is GD?" and "What is gradient descent?" share no rare term.
    same_terms: dict[frozenset[str], int] = {}
    for i, ts in enumerate(terms):
        if ts:
            first = same_terms.setdefault(frozenset(ts), i)
            if first != i:
                score(first, i)
    for i in range(n):
        shared: dict[int, float] = defaultdict(float)
        for t in set(terms[i]):
            p = postings[t]
            if len(p) > BLOCK_DF:
                continue
            for j in p:
                if j != i:
                    shared[j] += idf[t]
        for j in sorted(shared, key=lambda j: (-shared[j], j))[:TOP_K]:
            score(i, j)
    return Comparison(pairs, len(seen))


def _answer_terms(text: str, glossary: Glossary) -> list[str]:
    return glossary.canonical(tokens(text))


def _decide(i: int, j: int, terms, signatures, tv, av, glossary: Glossary) -> Pair:
    title = _cosine(tv, i, j)
    answer = _cosine(av, i, j)
    score = round(0.75 * title + 0.25 * answer, 3)
    sa, sb = set(terms[i]), set(terms[j])
    same_terms = bool(sa) and sa == sb
    # one title's terms all in the other's ("What is dropout?" / "… and how does it help?"): a person decides
    contained = bool(sa) and bool(sb) and (sa <= sb or sb <= sa) and score >= CONTAINED
    contrast = glossary.contrast(terms[i], terms[j], signatures[i], signatures[j])
    if not (sa & sb) - glossary.aspects:
        # nothing in common but "why" / "implement" / …: no shared subject, whatever the score
        outcome, why = "distinct", ""
    elif contrast:
        outcome = "candidate" if score >= CANDIDATE or contained else "distinct"
        why = "only one has " + " / ".join(contrast)
    elif same_terms:
        outcome, why = "merge", "same terms"
    elif title >= MERGE_TITLE and answer >= MERGE_ANSWER:
        outcome, why = "merge", "close titles, answers about the same things"
    elif score >= CANDIDATE or contained:
        outcome, why = "candidate", "close, not certain"
    else:
        outcome, why = "distinct", ""
    return Pair(i, j, score, round(title, 3), round(answer, 3), outcome, why)
