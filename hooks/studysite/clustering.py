"""Clusters of questions: a small union-find, and the grouping of doubtful pairs into one decision each.

Doubtful pairs that share a question are one group for a person ("these three ask the same thing"), so
one line in sources/duplicates.yaml decides it. Groups are ranked by how unsure the model is (its
probability nearest one half first) and only as many reach the review page as the review budget allows:
at most ``REVIEW_PER_100`` pairs per 100 new questions. The model decides the rest, and the page lists
those decisions so a person can see and overturn them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

REVIEW_PER_100 = 10  # pairs a person is asked about, per 100 new questions
AUTO_SAME = 0.5  # an over-budget pair the model finds at least this likely the same is merged


class UnionFind:
    """Disjoint sets over 0..n-1 that also keep each root's members (in the order they joined)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        self.parent[rj] = ri
        self.members[ri] += self.members.pop(rj)
        return True

    def clusters(self) -> list[list[int]]:
        """Every cluster, in the order of its first member."""
        return sorted(self.members.values(), key=min)


def review_budget(new_questions: int) -> int:
    return math.ceil(new_questions * REVIEW_PER_100 / 100)


@dataclass
class Group:
    """Doubtful pairs that share questions; a person decides them with one line."""

    pairs: list = field(default_factory=list)  # objects with .ids and .score

    @property
    def ids(self) -> list[str]:
        return sorted({qid for p in self.pairs for qid in p.ids})

    @property
    def doubt(self) -> float:
        """How unsure the model is about its most doubtful pair (0 = sure, 0.5 = a coin toss)."""
        return max(0.5 - abs(p.score - 0.5) for p in self.pairs)


def group_pairs(pairs: Iterable) -> list[Group]:
    """Connected groups of pairs (by the IDs they name), the most doubtful first."""
    pairs = list(pairs)
    index: dict[Hashable, int] = {}
    for p in pairs:
        for qid in p.ids:
            index.setdefault(qid, len(index))
    uf = UnionFind(len(index))
    for p in pairs:
        uf.union(index[p.ids[0]], index[p.ids[1]])
    groups: dict[int, Group] = defaultdict(Group)
    for p in pairs:
        groups[uf.find(index[p.ids[0]])].pairs.append(p)
    return sorted(groups.values(), key=lambda g: (-g.doubt, -max(p.score for p in g.pairs), g.ids))


def within_budget(groups: list[Group], budget: int | None) -> tuple[list[Group], list[Group]]:
    """(groups a person reviews, groups the model decides): whole groups, at most `budget` pairs."""
    if budget is None:
        return groups, []
    shown, decided, used = [], [], 0
    for g in groups:
        if used + len(g.pairs) <= budget:
            shown.append(g)
            used += len(g.pairs)
        else:
            decided.append(g)
    return shown, decided


def model_says_same(score: float, vetoed: bool) -> bool:
    return score >= AUTO_SAME and not vetoed
