"""Learned question detection: how likely each candidate text is a question, from its form, its wording
and its context. The weights are data (data/detector.json, trained from the labelled corpus by
scripts/train-detector); scoring is a weighted sum over whole columns of features (numpy), so loading and
scoring take milliseconds."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import islice, repeat
from operator import itemgetter, mul
from pathlib import Path
from typing import Protocol

import numpy as np

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
    offset: int
    p: float


@dataclass(frozen=True)
class Linear:
    """A logistic regression as data: weights by feature name."""

    weights: dict[str, float]
    intercept: float

    def dot(self, features: dict[str, float]) -> float:
        """The weighted sum of `features` (no intercept); the loop runs in C (map over the dict's views)."""
        return sum(map(mul, map(self.weights.get, features, repeat(0.0)), features.values()))


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


# --- features ------------------------------------------------------------------------------------
# Every candidate of a file is one row of a Table: its own features as columns (one array per feature),
# its one-hot features as names, and what its slot's members share once per slot. Scoring weighs whole
# columns (numpy); training reads the same table as one dict per candidate (Table.dicts).

TEXT = ("ends_q", "q_inside", "asks", "ends_colon", "ends_period", "len", "short", "long", "digits", "title_case")
FORM = ("numbered", "bold", "consumes", "rest", "ordered", "hint")
CONTEXT = (
    *("has_answer", "answer", "first", "last", "pos", "seq", "prev_asks", "next_asks", "between_asks"),
    *("same_bold", "same_numbered", "form_share", "form_minor"),
)
COLUMNS = TEXT + FORM + CONTEXT
ONE_HOT = ("w0", "w01", "next")  # each candidate's feature name (value 1), "" for none
OPTIONAL = ("title_case", "seq")  # features a candidate may lack (absent from its dict, 0 in its column)
CROSSED = ("asks", "ends_q", "numbered", "has_answer", "title_case", "short", "between_asks")  # x slot kind
NAN = float("nan")


def text_row(title: str) -> tuple:
    """The wording (TEXT, then the w0 and w01 names): ends with `?`, opens like a question or a task,
    length, leading words, case."""
    t = title.strip()
    split = t.split()
    last = t[-1:]
    letters = list(filter(str.isalpha, map(itemgetter(0), split)))  # words that start with a letter
    title_case = float(sum(map(str.isupper, letters)) / len(letters) > 0.7) if len(letters) >= 3 else NAN
    words = [w.group() for w in islice(WORD.finditer(t.lower()[:200]), 2)]
    return (
        float(last == "?"),
        float("?" in t[:-1]),
        float(reads_as_question(t)),
        float(last == ":"),
        float(last == "."),
        min(len(t), 400) / 400,
        float(len(split) <= 3),
        float(len(split) > 30),
        float(any(map(str.isdigit, t[:3]))),
        title_case,
        "w0=" + words[0] if words else "",
        f"w01={words[0]}_{words[1]}" if len(words) > 1 else "",
    )


def form_of(m: Candidate, node: Node) -> tuple:
    """How a member is marked, all together: a member whose siblings share its form is one of a kind."""
    return (node.ordered, m.number.isdigit(), m.numbered, m.bold, m.has_answer, m.consumes > 0, bool(m.rest))


def _floats(values: Iterable, n: int) -> np.ndarray:
    return np.fromiter(values, dtype=float, count=n)


def _form_columns(members: list[Candidate], nodes: list[Node]) -> dict[str, np.ndarray]:
    """How each text is marked (FORM): numbering, bold, a following node it takes, text on its line."""
    n, marked = len(members), [nodes[m.idx] for m in members]
    return {
        "numbered": _floats((m.numbered for m in members), n),
        "bold": _floats((m.bold or bool(node.bold) for m, node in zip(members, marked, strict=True)), n),
        "consumes": _floats((m.consumes > 0 for m in members), n),
        "rest": _floats((bool(m.rest) for m in members), n),
        "ordered": _floats((node.ordered for node in marked), n),
        "hint": _floats((bool(node.difficulty) for node in marked), n),
    }


@dataclass(frozen=True)
class Layout:
    """Where each candidate stands in its slot (all slots one after another)."""

    sizes: np.ndarray  # members per slot
    slot_of: np.ndarray  # each candidate's slot
    size: np.ndarray  # each candidate's slot size
    first: np.ndarray  # first of its slot
    last: np.ndarray  # last of its slot

    @classmethod
    def of(cls, sizes: np.ndarray) -> Layout:
        starts = np.cumsum(sizes) - sizes
        slot_of = np.repeat(np.arange(len(sizes)), sizes)
        k = np.arange(int(sizes.sum())) - starts[slot_of]
        size = sizes[slot_of]
        return cls(sizes, slot_of, size, k == 0, k == size - 1)

    def majority(self, values: np.ndarray) -> np.ndarray:
        """Per candidate: whether at least half its slot's members have `values`."""
        return (np.add.reduceat(values, self.sizes.cumsum() - self.sizes) * 2 >= self.sizes)[self.slot_of]


def _context_columns(members: list[Candidate], at: Layout, asks: np.ndarray, forms: list[tuple], total: int) -> dict:
    """Where each text stands (CONTEXT): its answer, what follows, whether its slot's other members ask
    and share its form."""
    n = len(members)
    numbers = [m.number for m in members]
    digits = [s.isdigit() for s in numbers]
    firsts = at.first.tolist()
    seq = [
        float(int(numbers[i]) == int(numbers[i - 1]) + 1) if digits[i] and not firsts[i] and digits[i - 1] else NAN
        for i in range(n)
    ]
    prev_asks = np.concatenate(([0.0], asks[:-1]))
    next_asks = np.concatenate((asks[1:], [0.0]))
    prev_asks[at.first], next_asks[at.last] = 0.0, 0.0
    counts = Counter(forms)
    share = _floats((counts[f] for f in forms), n) / at.size
    bold = _floats((m.bold for m in members), n)
    numbered = _floats((m.numbered for m in members), n)
    return {
        "has_answer": _floats((m.has_answer for m in members), n),
        "answer": _floats(map(math.log1p, (m.answer_chars for m in members)), n) / 10,
        "first": at.first.astype(float),
        "last": at.last.astype(float),
        "pos": _floats((m.idx for m in members), n) / max(total, 1),
        "seq": np.array(seq, dtype=float),
        "prev_asks": prev_asks,
        "next_asks": next_asks,
        # a text between two that ask, with an answer like theirs, is likely one too
        "between_asks": (((prev_asks == 1) | at.first) & ((next_asks == 1) | at.last) & (at.size > 1)).astype(float),
        "same_bold": (bold.astype(bool) == at.majority(bold)).astype(float),
        "same_numbered": (numbered.astype(bool) == at.majority(numbered)).astype(float),
        "form_share": share,
        "form_minor": ((share * 2 < 1) & (at.size > 2)).astype(float),
    }


def _shared(key: tuple, n: int, counts: tuple[float, float, float], levels: list) -> dict[str, float]:
    """The features a slot's members share: its kind and level, its size, how many ask, are numbered and
    have an answer (`counts`), and a heading level among the levels the file uses (0: its top level)."""
    kind = key[0]
    asks, numbered, answered = counts
    f = {"slot=" + kind: 1.0}
    if kind == "heading":
        f[f"h{key[1]}"] = 1.0
        f["hrank=" + str(min(levels.index(key[1]), 3))] = 1.0
        if key[1] == levels[-1] and len(levels) > 1:
            f["hdeepest"] = 1.0
    elif len(key) > 1:
        f[f"{kind}.depth={min(int(key[1]), 3)}"] = 1.0
    f["prefix_q"] = float(kind == "prefix")
    f["slot_size"] = math.log1p(n) / 6
    f["slot_single"] = float(n == 1)
    f["slot_asks"] = asks / n
    f["slot_asks_hi"] = float(asks / n >= 0.5)
    f["slot_numbered"] = numbered / n
    f["slot_answered"] = answered / n
    if f["slot_asks_hi"]:
        f[kind + "&slot_asks_hi"] = 1.0
    return f


@dataclass
class Table:
    """The features of every candidate of a file, slot by slot (in the slots' order)."""

    members: list[Candidate]
    kinds: list[str]  # each slot's kind
    sizes: np.ndarray  # each slot's number of members
    columns: dict[str, np.ndarray]  # COLUMNS, 0 where a candidate lacks the feature
    absent: dict[str, np.ndarray]  # OPTIONAL: where a candidate lacks it
    names: dict[str, list[str]]  # ONE_HOT
    shared: list[dict[str, float]]  # per slot
    groups: np.ndarray  # each candidate's form group: the members of its slot that share its form
    idx: np.ndarray  # each candidate's node

    @property
    def starts(self) -> np.ndarray:
        return np.cumsum(self.sizes) - self.sizes

    def per_member(self, per_slot: Sequence[float] | np.ndarray) -> np.ndarray:
        return np.repeat(np.asarray(per_slot, dtype=float), self.sizes)

    @cached_property
    def dicts(self) -> list[dict[str, float]]:
        """One dict per candidate (training): what it shares with its slot, its columns, its one-hot
        names, the features crossed with its slot's kind."""
        cols = [(c, v.tolist()) for c, v in self.columns.items()]
        gone = {c: v.tolist() for c, v in self.absent.items()}
        out: list[dict[str, float]] = []
        at = 0
        for kind, shared, n in zip(self.kinds, self.shared, self.sizes.tolist(), strict=True):
            for i in range(at, at + n):
                f = shared | {c: v[i] for c, v in cols if not (c in gone and gone[c][i])}
                f.update((name[i], 1.0) for name in self.names.values() if name[i])
                f.update((f"{kind}&{c}", f[c]) for c in CROSSED if f.get(c))
                if f["has_answer"] and f["slot_asks_hi"]:
                    f["answered_in_asking_slot"] = 1.0
                    f["answered_between_asks"] = f["between_asks"]
                out.append(f)
            at += n
        return out


def table(slots: dict[tuple, list], nodes: list[Node]) -> Table:
    """Every candidate's features, computed once per file (both stages read them)."""
    members = [m for ms in slots.values() for m in ms]
    at = Layout.of(np.array([len(ms) for ms in slots.values()], dtype=int))
    n = len(members)
    idx = np.fromiter((m.idx for m in members), dtype=int, count=n)
    texts = list(zip(*map(text_row, (m.title for m in members)), strict=True)) or [()] * (len(TEXT) + 2)
    columns = {c: np.array(v, dtype=float) for c, v in zip(TEXT, texts, strict=False)}
    columns |= _form_columns(members, nodes)
    forms = [(s, form_of(m, nodes[m.idx])) for s, m in zip(at.slot_of.tolist(), members, strict=True)]
    if n:
        columns |= _context_columns(members, at, columns["asks"], forms, len(nodes))
    else:
        columns |= {c: np.zeros(0) for c in CONTEXT}
    group_of = {f: i for i, f in enumerate(dict.fromkeys(forms))}
    absent = {c: np.isnan(columns[c]) for c in OPTIONAL}
    for c, gone in absent.items():
        columns[c][gone] = 0.0
    starts = at.sizes.cumsum() - at.sizes
    counts = (
        zip(*(np.add.reduceat(columns[c], starts).tolist() for c in ("asks", "numbered", "has_answer")), strict=True)
        if n
        else ()
    )
    levels = sorted({key[1] for key in slots if key[0] == "heading"})
    return Table(
        members,
        [key[0] for key in slots],
        at.sizes,
        columns,
        absent,
        {"w0": list(texts[-2]), "w01": list(texts[-1]), "next": ["next=" + m.next_kind for m in members]},
        [_shared(key, len(ms), c, levels) for (key, ms), c in zip(slots.items(), counts, strict=False)],
        np.array([group_of[f] for f in forms], dtype=int),
        idx,
    )


# --- scoring ------------------------------------------------------------------------------------


def weigh(t: Table, linear: Linear, extra: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Every candidate's weighted sum under `linear`, intercept included (plus `extra` columns)."""
    w = linear.weights
    z = t.per_member([linear.intercept + linear.dot(s) for s in t.shared])
    for c, v in (t.columns | (extra or {})).items():
        if weight := w.get(c):
            z += weight * v
    for names in t.names.values():
        z += np.fromiter(map(w.get, names, repeat(0.0)), dtype=float, count=len(names))
    for c in CROSSED:
        crossed = [w.get(f"{kind}&{c}", 0.0) for kind in t.kinds]
        if any(crossed):
            z += t.per_member(crossed) * t.columns[c]
    # an answered member of a slot that mostly asks
    asking = t.columns["has_answer"] * t.per_member([s["slot_asks_hi"] for s in t.shared])
    between = w.get("answered_between_asks", 0.0) * t.columns["between_asks"]
    z += asking * (w.get("answered_in_asking_slot", 0.0) + between)
    return z


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def held_questions(t: Table, p1: np.ndarray) -> np.ndarray:
    """For each candidate, how many candidates that stage one takes for questions lie inside its answer:
    a text over questions is a section that groups them, not a question itself."""
    ends = np.fromiter((m.end for m in t.members), dtype=int, count=len(t.members))
    likely = np.sort(t.idx[p1 >= 0.5])
    return np.searchsorted(likely, ends, side="left") - np.searchsorted(likely, t.idx, side="right")


def stage_two(t: Table, p1: np.ndarray) -> dict[str, np.ndarray]:
    """What the second stage adds to a candidate's own features: how it and its slot's members scored
    (the share above even, the mean, its neighbours in the slot), and how many likely questions its
    answer holds."""
    starts, sizes = t.starts, t.sizes
    hi = t.per_member(np.add.reduceat(p1 >= 0.5, starts) / sizes)
    prev = np.concatenate(([1.0], p1[:-1]))
    nxt = np.concatenate((p1[1:], [1.0]))
    prev[starts] = 1.0
    nxt[starts + sizes - 1] = 1.0
    held = held_questions(t, p1)
    logit = np.log(np.maximum(p1, 1e-6) / np.maximum(1 - p1, 1e-6))
    return {
        "s2.p1": p1,
        "s2.logit": np.clip(logit, -6.0, 6.0) / 6,
        "s2.slot_hi": hi,
        "s2.slot_mean": t.per_member(np.add.reduceat(p1, starts) / sizes),
        "s2.neighbours": np.minimum(prev, nxt),
        "s2.answered_hi": t.columns["has_answer"] * hi,
        "s2.between": ((prev >= 0.5) & (nxt >= 0.5) & (t.per_member(sizes) > 1)).astype(float),
        "s2.holds": (held > 0).astype(float),
        "s2.holds_n": np.minimum(held, 10) / 10,
        **_form_group(t, p1),
    }


def _form_group(t: Table, p1: np.ndarray) -> dict[str, np.ndarray]:
    """How the other members of a candidate's form group (its slot's members marked as it is) scored: the
    share stage one takes for questions (a slot whose members of one form mostly ask is taken whole); for
    a member of a form of its own, the share of its slot's other members."""
    hi = (p1 >= 0.5).astype(float)
    size = np.bincount(t.groups)[t.groups]
    others = np.bincount(t.groups, weights=hi)[t.groups] - hi
    slot_size = t.per_member(t.sizes)
    slot_others = t.per_member(np.add.reduceat(hi, t.starts)) - hi
    share = np.where(size > 1, others / np.maximum(size - 1, 1), slot_others / np.maximum(slot_size - 1, 1))
    return {"s2.form_hi": share}


def stacked_features(t: Table, p1: np.ndarray) -> list[dict[str, float]]:
    """Second-stage features (training): a candidate's own features plus stage_two's."""
    two = stage_two(t, p1)
    rows = zip(*(v.tolist() for v in two.values()), strict=True)
    return [f | dict(zip(two, row, strict=True)) for f, row in zip(t.dicts, rows, strict=True)]


def first_scores(t: Table, first: Linear) -> np.ndarray:
    """Stage one: each candidate's probability from its own features."""
    return sigmoid(weigh(t, first))


def score_slots(slots: dict[tuple, list], nodes: list[Node], model: Model | None = None) -> None:
    """Set `p` (the probability of being a question) on every candidate. A record's question field (CSV,
    JSON) is a question by the data's own schema: a file of records alone needs no scoring."""
    members = [m for ms in slots.values() for m in ms]
    records = [nodes[m.idx].kind == "row" for m in members]
    if all(records):
        for m in members:
            m.p = 1.0
        return
    model = model or default_model()
    t = table(slots, nodes)
    p = sigmoid(weigh(t, model.second, stage_two(t, first_scores(t, model.first))))
    for m, v, record in zip(members, p.tolist(), records, strict=True):
        m.p = 1.0 if record else v
