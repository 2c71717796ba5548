"""Deduplicate questions within and across sources, and give each one a stable, readable ID.

The rule (why it is shaped like this):

* Two copies with equal *keys* are one question (ids.py: the wording reduced to the words that carry
  its meaning). The ID is the key as a slug.
* Groups with different keys may still ask the same thing in other words. similarity.py finds the
  pairs worth comparing (nearest neighbours in sentence-embedding space, shared rare terms) and the
  learned pair model (pairmodel.py) says merge, candidate or distinct; a glossary contrast (max /
  average pooling, weights / biases, …) vetoes a merge. sources/duplicates.yaml always wins.
* Doubtful pairs are grouped (clustering.py; one line decides a group) and ranked; at most 10 per 100
  new questions (questions no topics.yaml entry pins yet) go to a person on review/duplicates/. The
  model decides the rest, and the page lists those decisions.
* Every group keeps its ID: when groups merge, one is the survivor and the others' IDs become its
  aliases, so no URL ever breaks. The survivor is the group whose ID sources/topics.yaml pins (the
  first pinned there), else the group seen first in source order. Two pinned questions are never fused
  by the scorer (a new file could otherwise bridge them through a third): a person writes `same:`.
* Copies merge into one answer (merge.py: fuller text wins, nothing said twice).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .clean import clean_block, clean_title
from .clustering import UnionFind, group_pairs, model_says_same, review_budget, within_budget
from .decisions import Decisions
from .embeddings import Encoder
from .gcpause import paused_gc
from .ids import make_unique, question_id, question_key
from .merge import best_title, merge_blocks
from .model import Question, SourceError
from .pairmodel import PairModel
from .readers.base import RawQuestion
from .similarity import Glossary, Pair, compare

__all__ = [
    "Candidate",
    "Decisions",
    "Dedup",
    "deduplicate",
    "find_duplicates",
    "merge_blocks",
    "question_id",
    "question_key",
]


@dataclass
class Candidate:
    """Two published questions that may be one: a person decides (sources/duplicates.yaml)."""

    ids: tuple[str, str]
    score: float
    why: str
    group: int = 0  # candidates with the same group number are decided together
    decided: str = ""  # "same" / "different" when the model decided it (over the review budget)


@dataclass
class Dedup:
    questions: list[Question]
    candidates: list[Candidate] = field(default_factory=list)  # for a person, grouped and ranked
    merged_by_meaning: list[tuple[str, str]] = field(default_factory=list)  # (alias, survivor) the scorer merged
    comparisons: int = 0
    auto_decided: list[Candidate] = field(default_factory=list)  # doubtful pairs the model decided (over budget)
    new_questions: int = 0  # questions no topics.yaml entry pins: the review budget is 10 per 100 of them


def deduplicate(raws: list[RawQuestion], **kw) -> list[Question]:
    return find_duplicates(raws, **kw).questions


def find_duplicates(
    raws: list[RawQuestion],
    *,
    glossary: Glossary | None = None,
    decisions: Decisions | None = None,
    pinned: Iterable[str] = (),
    encoder: Encoder | None = None,
    model: PairModel | None = None,
    review_budget: int | None | str = "auto",
) -> Dedup:
    """Group copies with equal keys, then merge groups that ask the same thing in other words.

    review_budget: how many doubtful pairs a person is shown ("auto": 10 per 100 new questions; None:
    all of them, as the evaluation needs).
    """
    with paused_gc():  # many small acyclic objects: the collector's passes made this super-linear
        return _Run(raws, glossary, decisions or Decisions(), list(pinned)).run(encoder, model, review_budget)


class _Run:
    """One deduplication: key groups, their clusters, and the pairs still open."""

    def __init__(self, raws: list[RawQuestion], glossary: Glossary | None, decisions: Decisions, pinned: list[str]):
        groups: dict[tuple[str, ...], list[RawQuestion]] = defaultdict(list)
        for raw in raws:
            groups[question_key(clean_title(raw.title))].append(raw)
        self.keys = list(groups)
        self.copies = [groups[k] for k in self.keys]
        for copies in self.copies:
            for copy in copies:
                copy.blocks = [clean_block(b) for b in copy.blocks]
        self.ids = [question_id(k) for k in self.keys]
        make_unique(self.ids, self.keys)
        self.index = {qid: i for i, qid in enumerate(self.ids)}
        decisions.check(set(self.index))
        self.glossary, self.decisions, self.pinned = glossary, decisions, pinned
        self.titles = [best_title(c) for c in self.copies]
        self.terms = [glossary.terms(t) for t in self.titles] if glossary else []
        # contrast(a, b) is None exactly when the two signatures are equal: computed once per question
        self.sigs = [glossary.signature(t) for t in self.terms] if glossary else []
        self._cluster_sigs: dict[tuple[int, int], frozenset] = {}
        self.uf = UnionFind(len(self.keys))
        self.apart = {frozenset((self.index[a], self.index[b])) for a, b, _ in decisions.different}
        self.apart_of: dict[int, set[int]] = defaultdict(set)
        for a, b, _ in decisions.different:
            self.apart_of[self.index[a]].add(self.index[b])
            self.apart_of[self.index[b]].add(self.index[a])
        self.curated = {self.index[qid] for qid in pinned if qid in self.index}
        self.result = Dedup([], new_questions=len(self.keys) - len(self.curated))
        self.must_review: set[int] = set()  # id() of pairs a person must see whatever the budget

    def run(self, encoder: Encoder | None, model: PairModel | None, budget: int | None | str) -> Dedup:
        self._apply_decisions()
        open_pairs: list[Pair] = []
        if self.glossary is not None and len(self.keys) > 1:
            answers = [" ".join(b.plain() for c in copies for b in c.blocks) for copies in self.copies]
            comparison = compare(self.titles, answers, self.glossary, encoder, model)
            self.result.comparisons = comparison.comparisons
            open_pairs = self._merge_confident(comparison.pairs)
        limit = review_budget(self.result.new_questions) if budget == "auto" else budget
        self._review(self._candidates(open_pairs), None if isinstance(limit, str) else limit)
        self._publish()
        return self.result

    def _apply_decisions(self) -> None:
        for a, b, _ in self.decisions.same:  # a person's decision always wins
            self.uf.union(self.index[a], self.index[b])
        for a, b, line in self.decisions.different:
            if self.uf.find(self.index[a]) == self.uf.find(self.index[b]):
                raise SourceError(
                    self.decisions.file, line, f"{a!r} and {b!r} are listed as different, but `same:` pairs join them"
                )

    def can_join(self, i: int, j: int) -> bool:
        """Whether the scorer may fuse the clusters of i and j: not two curated questions (a person placed
        them apart in topics.yaml), no `different:` decision, no glossary contrast between any members."""
        ri, rj = self.uf.find(i), self.uf.find(j)
        mi, mj = self.uf.members[ri], self.uf.members[rj]
        if self.curated.intersection(mi) and self.curated.intersection(mj):
            return False
        if self._decided_apart(ri, rj):
            return False
        # some member of one contrasts with some member of the other unless all share one signature
        return not self.sigs or len(self._signatures(ri) | self._signatures(rj)) <= 1

    def _signatures(self, root: int) -> frozenset:
        """The distinct contrast signatures of a cluster's members (members only grow, so the
        (root, size) pair names one state of the cluster)."""
        members = self.uf.members[root]
        key = (root, len(members))
        if key not in self._cluster_sigs:
            self._cluster_sigs[key] = frozenset(self.sigs[x] for x in members)
        return self._cluster_sigs[key]

    def _decided_apart(self, ra: int, rb: int) -> bool:
        """A person declared some member of one cluster different from some member of the other."""
        if not self.apart_of:
            return False
        small, other = (ra, rb) if len(self.uf.members[ra]) <= len(self.uf.members[rb]) else (rb, ra)
        return any(self.uf.find(y) == other for x in self.uf.members[small] for y in self.apart_of.get(x, ()))

    def _merge_confident(self, pairs: list[Pair]) -> list[Pair]:
        """Merge the model's confident pairs (strongest first); return the pairs left open."""
        open_pairs = []
        for p in sorted(pairs, key=lambda p: (-p.score, p.a, p.b)):
            if self.uf.find(p.a) == self.uf.find(p.b) or frozenset((p.a, p.b)) in self.apart:
                continue
            if p.outcome == "merge" and self.can_join(p.a, p.b):
                self.uf.union(p.a, p.b)
            else:
                # a pair the model would merge but the rules keep apart (two curated questions): a person's call
                self.must_review |= {id(p)} if p.outcome == "merge" else set()
                open_pairs.append(p)
        return open_pairs

    def _candidates(self, open_pairs: list[Pair]) -> list[tuple[Candidate, Pair]]:
        """One candidate per pair of clusters (its strongest pair), named by the clusters' first groups."""
        found: dict[frozenset[int], tuple[Candidate, Pair]] = {}
        for p in open_pairs:
            ra, rb = self.uf.find(p.a), self.uf.find(p.b)
            key = frozenset((ra, rb))
            if ra == rb or key in found or self._decided_apart(ra, rb):
                continue
            a, b = sorted((min(self.uf.members[ra]), min(self.uf.members[rb])))
            found[key] = (Candidate((self.ids[a], self.ids[b]), p.score, p.why), p)
        return list(found.values())

    def _review(self, candidates: list[tuple[Candidate, Pair]], budget: int | None) -> None:
        """Group and rank the doubtful pairs; a person gets the budget's worth, the model decides the rest."""
        pair_of = {id(c): p for c, p in candidates}
        groups = group_pairs(c for c, _ in candidates)
        forced = [g for g in groups if any(id(pair_of[id(c)]) in self.must_review for c in g.pairs)]
        forced_ids = {id(g) for g in forced}
        shown, decided = within_budget([g for g in groups if id(g) not in forced_ids], budget)
        shown = forced + shown
        for n, g in enumerate(shown, 1):
            for c in g.pairs:
                c.group = n
                self.result.candidates.append(c)
        for g in decided:
            for c in sorted(g.pairs, key=lambda c: -c.score):
                p = pair_of[id(c)]
                same = model_says_same(c.score, p.vetoed or not self.can_join(p.a, p.b))
                if same:
                    self.uf.union(p.a, p.b)
                c.decided = "same" if same else "different"
                self.result.auto_decided.append(c)

    def _publish(self) -> None:
        rank = {qid: n for n, qid in enumerate(self.pinned)}
        same_by_person = self.decisions.decided_same()
        for cluster in self.uf.clusters():  # source order of each cluster's first group
            survivor = min(cluster, key=lambda i: (rank.get(self.ids[i], len(rank)), i))
            others = [i for i in sorted(cluster) if i != survivor]
            copies = [c for i in [survivor, *others] for c in self.copies[i]]
            in_order = [c for i in sorted(cluster) for c in self.copies[i]]
            self.result.questions.append(
                Question(
                    id=self.ids[survivor],
                    title=self.titles[survivor],
                    key=self.keys[survivor],
                    blocks=merge_blocks([c.blocks for c in copies]),
                    sources=[c.ref for c in in_order],
                    aliases=[self.ids[i] for i in others],
                )
            )
            self.result.merged_by_meaning += [
                (self.ids[i], self.ids[survivor]) for i in others if self.ids[i] not in same_by_person
            ]
        # candidates name each cluster by its survivor's ID
        survivor_id = {qid: q.id for q in self.result.questions for qid in [q.id, *q.aliases]}
        for c in self.result.candidates + self.result.auto_decided:
            a, b = (survivor_id[i] for i in c.ids)
            c.ids = (a, b) if a <= b else (b, a)
        seen: set[tuple[str, str]] = set()
        kept = []
        for c in self.result.candidates:  # a pair the model merged over budget may have joined two of them
            if c.ids[0] != c.ids[1] and c.ids not in seen:
                seen.add(c.ids)
                kept.append(c)
        self.result.candidates = kept
