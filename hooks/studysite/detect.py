"""Learned question detection: how likely each candidate text is a question, from its form, its wording
and its context. The weights are data (data/detector.json, trained from the labelled corpus by
scripts/train-detector); scoring is a dot product, so loading and scoring take milliseconds."""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from operator import mul
from pathlib import Path
from typing import Protocol

from .stream import Node
from .wording import reads_as_question

MODEL_FILE = Path(__file__).parent / "data" / "detector.json"
WORD = re.compile(r"[a-z][a-z']{0,20}")


class Candidate(Protocol):
    """What the detector reads of a segmenter candidate (segment.Member)."""

    idx: int
    key: tuple
    title: str
    number: str
    numbered: bool
    bold: bool
    rest: str
    consumes: int
    has_answer: bool
    answer_chars: int
    next_kind: str
    end: int


@dataclass(frozen=True)
class Linear:
    """A logistic regression as data: weights by feature name."""

    weights: dict[str, float]
    intercept: float

    def dot(self, features: dict[str, float]) -> float:
        """The weighted sum of `features` (no intercept); the loop runs in C (map over the dict's views)."""
        return sum(map(mul, map(self.weights.get, features, repeat(0.0)), features.values()))

    def score(self, features: dict[str, float], base: float = 0.0) -> float:
        """The probability; `base` is a part of the weighted sum already computed (features scored apart)."""
        return _sigmoid(self.intercept + base + self.dot(features))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Model:
    """Two stages: the first scores each candidate alone; the second adds how its slot's other members
    scored (siblings that are questions make a plain-worded member with an answer likely one too)."""

    first: Linear
    second: Linear
    corpus_hash: str = ""


def _linear(data: dict) -> Linear:
    return Linear(dict(zip(data["features"], data["coef"], strict=True)), float(data["intercept"]))


def load_model(path: Path = MODEL_FILE) -> Model:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Model(_linear(data["first"]), _linear(data["second"]), data["corpus_hash"])


@lru_cache(maxsize=1)
def default_model() -> Model:
    return load_model()


def text_features(title: str) -> dict[str, float]:
    """The wording: ends with `?`, opens like a question or a task, length, leading words, case."""
    t = title.strip()
    split = t.split()
    last = t[-1:]
    f: dict[str, float] = {
        "ends_q": float(last == "?"),
        "q_inside": float("?" in t[:-1]),
        "asks": float(reads_as_question(t)),
        "ends_colon": float(last == ":"),
        "ends_period": float(last == "."),
        "len": min(len(t), 400) / 400,
        "short": float(len(split) <= 3),
        "long": float(len(split) > 30),
        "digits": float(any(map(str.isdigit, t[:3]))),
    }
    caps = [w for w in split if w[:1].isalpha()]
    if len(caps) >= 3:
        f["title_case"] = float(sum(w[0].isupper() for w in caps) / len(caps) > 0.7)
    words = WORD.findall(t.lower()[:200])
    if words:
        f["w0=" + words[0]] = 1.0
        if len(words) > 1:
            f["w01=" + words[0] + "_" + words[1]] = 1.0
    return f


def form_features(m: Candidate, node: Node) -> dict[str, float]:
    """How the text is marked: which slot, heading level, list depth, bold, numbering, prefix."""
    kind = m.key[0]
    f = {"slot=" + kind: 1.0}
    if kind == "heading":
        f[f"h{m.key[1]}"] = 1.0
    elif len(m.key) > 1:
        f[f"{kind}.depth={min(int(m.key[1]), 3)}"] = 1.0
    f["numbered"] = float(m.numbered)
    f["bold"] = float(m.bold or bool(node.bold))
    f["prefix_q"] = float(kind == "prefix")
    f["consumes"] = float(m.consumes > 0)
    f["rest"] = float(bool(m.rest))
    f["ordered"] = float(node.ordered)
    f["hint"] = float(bool(node.difficulty))
    return f


@dataclass(frozen=True)
class SlotShape:
    """What a slot's members share, computed once per slot (per member it would be quadratic)."""

    n: int
    asks: list[bool]
    asking: float  # share of members that read as questions
    numbered: float
    answered: float
    bold_majority: bool
    numbered_majority: bool
    forms: list[tuple]  # each member's form (form_of)
    form_counts: Counter[tuple]  # how many members share each form


def form_of(m: Candidate, node: Node) -> tuple:
    """How a member is marked, all together: a member whose siblings share its form is one of a kind."""
    return (node.ordered, m.number.isdigit(), m.numbered, m.bold, m.has_answer, m.consumes > 0, bool(m.rest))


def slot_shape(slot: Sequence[Candidate], asks: list[bool], nodes: list[Node]) -> SlotShape:
    n = len(slot)
    numbered = sum(s.numbered for s in slot)
    forms = [form_of(m, nodes[m.idx]) for m in slot]
    return SlotShape(
        n,
        asks,
        sum(asks) / n,
        numbered / n,
        sum(s.has_answer for s in slot) / n,
        sum(s.bold for s in slot) * 2 >= n,
        numbered * 2 >= n,
        forms,
        Counter(forms),
    )


def context_features(m: Candidate, slot: Sequence[Candidate], shape: SlotShape, k: int, total: int) -> dict[str, float]:
    """Where it stands: its answer, what follows, whether its slot's other members share its form."""
    n = shape.n
    f = {
        "has_answer": float(m.has_answer),
        "answer": math.log1p(m.answer_chars) / 10,
        "next=" + m.next_kind: 1.0,
        "slot_size": math.log1p(n) / 6,
        "slot_single": float(n == 1),
        "slot_asks": shape.asking,
        "slot_asks_hi": float(shape.asking >= 0.5),
        "slot_numbered": shape.numbered,
        "slot_answered": shape.answered,
        "first": float(k == 0),
        "last": float(k == n - 1),
        "pos": m.idx / max(total, 1),
    }
    if m.number.isdigit() and k and slot[k - 1].number.isdigit():
        f["seq"] = float(int(m.number) == int(slot[k - 1].number) + 1)
    # neighbours in the slot: a text between two that ask, with an answer like theirs, is likely one too
    prev_asks = k > 0 and shape.asks[k - 1]
    next_asks = k + 1 < n and shape.asks[k + 1]
    f["prev_asks"], f["next_asks"] = float(prev_asks), float(next_asks)
    f["between_asks"] = float((prev_asks or k == 0) and (next_asks or k == n - 1) and n > 1)
    f["same_bold"] = float(m.bold == shape.bold_majority)
    f["same_numbered"] = float(m.numbered == shape.numbered_majority)
    share = shape.form_counts[shape.forms[k]] / n
    f["form_share"] = share
    f["form_minor"] = float(share * 2 < 1 and n > 2)
    return f


CROSSED = ("asks", "ends_q", "numbered", "has_answer", "slot_asks_hi", "title_case", "short", "between_asks")


@lru_cache(maxsize=64)
def _crossed(kind: str) -> tuple[tuple[str, str], ...]:
    """The features that are weighed per slot kind, and their names crossed with the kind."""
    return tuple((name, f"{kind}&{name}") for name in CROSSED)


def features(
    m: Candidate, node: Node, slot: Sequence[Candidate], shape: SlotShape, k: int, total: int, text: dict[str, float]
) -> dict[str, float]:
    f = text  # each candidate's own dict (slot_features makes one per member): filled in place
    f.update(form_features(m, node))
    f.update(context_features(m, slot, shape, k, total))
    for name, crossed in _crossed(m.key[0]):
        if f.get(name):
            f[crossed] = f[name]
    if f["has_answer"] and f["slot_asks_hi"]:
        f["answered_in_asking_slot"] = 1.0
        f["answered_between_asks"] = f["between_asks"]
    return f


def slot_features(slots: dict[tuple, list], nodes: list[Node]) -> dict[int, dict[str, float]]:
    """Features of every candidate, keyed by id() of the candidate."""
    out: dict[int, dict[str, float]] = {}
    levels = sorted({key[1] for key in slots if key[0] == "heading"})

    for key, members in slots.items():
        texts = [text_features(m.title) for m in members]
        shape = slot_shape(members, [bool(t["asks"]) for t in texts], nodes)
        # a heading level among the levels the file uses (0: its top level), not the level's number
        rank = {"hrank=" + str(min(levels.index(key[1]), 3)): 1.0} if key[0] == "heading" else {}
        if rank and key[1] == levels[-1] and len(levels) > 1:
            rank["hdeepest"] = 1.0
        for k, (m, text) in enumerate(zip(members, texts, strict=True)):
            out[id(m)] = f = features(m, nodes[m.idx], members, shape, k, len(nodes), text)
            f.update(rank)
    return out


def held_questions(slots: Sequence[Sequence[Candidate]], p1s: Sequence[list[float]]) -> list[list[int]]:
    """For each candidate, how many candidates of other slots that stage one takes for questions lie
    inside its answer: a text over questions is a section that groups them, not a question itself."""
    likely = sorted(
        m.idx for members, p1 in zip(slots, p1s, strict=True) for m, p in zip(members, p1, strict=True) if p >= 0.5
    )
    return [
        [bisect.bisect_left(likely, m.end) - bisect.bisect_right(likely, m.idx) for m in members] for members in slots
    ]


def stage_two(slot: Sequence[Candidate], p1: list[float], holds: list[int]) -> list[dict[str, float]]:
    """What the second stage adds to a candidate's own features: how it and its slot's members scored,
    and how many likely questions its answer holds."""
    n = len(slot)
    hi = sum(p >= 0.5 for p in p1) / n
    mean = sum(p1) / n
    out = []
    for k, (m, p, held) in enumerate(zip(slot, p1, holds, strict=True)):
        prev = p1[k - 1] if k else 1.0
        nxt = p1[k + 1] if k + 1 < n else 1.0
        out.append(
            {
                "s2.p1": p,
                "s2.logit": max(-6.0, min(6.0, math.log(max(p, 1e-6) / max(1 - p, 1e-6)))) / 6,
                "s2.slot_hi": hi,
                "s2.slot_mean": mean,
                "s2.neighbours": min(prev, nxt),
                "s2.answered_hi": float(m.has_answer) * hi,
                "s2.between": float(prev >= 0.5 and nxt >= 0.5 and n > 1),
                "s2.holds": float(held > 0),
                "s2.holds_n": min(held, 10) / 10,
            }
        )
    return out


def stacked_features(
    slot: Sequence[Candidate], feats: list[dict[str, float]], p1: list[float], holds: list[int]
) -> list[dict[str, float]]:
    """Second-stage features (training): a candidate's own features plus stage_two's."""
    return [f | f2 for f, f2 in zip(feats, stage_two(slot, p1, holds), strict=True)]


def score_slots(slots: dict[tuple, list], nodes: list[Node], model: Model | None = None) -> None:
    """Set `p` (the probability of being a question) on every candidate."""
    model = model or default_model()
    feats = slot_features(slots, nodes)
    first, second = model.first, model.second
    groups = list(slots.values())
    own = [[feats[id(m)] for m in members] for members in groups]
    p1s = [[first.score(f) for f in fs] for fs in own]
    for members, fs, p1, holds in zip(groups, own, p1s, held_questions(groups, p1s), strict=True):
        for m, f, f2 in zip(members, fs, stage_two(members, p1, holds), strict=True):
            # a record's question field (CSV, JSON) is a question by the data's own schema
            m.p = 1.0 if nodes[m.idx].kind == "row" else second.score(f2, second.dot(f))
