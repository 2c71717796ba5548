"""Deduplicate questions within and across sources, and give each one a stable, readable ID.

The rule (why it is shaped like this):

* Two copies with equal *keys* are one question. The key is the question's wording reduced to the
  words that carry its meaning, in order:
    - lower-cased, entities/markup gone, curly quotes straightened;
    - spelling variants unified: "Type1"/"Type 1"/"Type I" → "type_i", hyphens split ("max-pooling" →
      "max pooling", "CIFAR-10" → "cifar 10");
    - the question stem dropped ("what is", "what do you mean by", "give any one" …), then filler words
      ("the", "of", "and", "we" …);
    - a trailing context phrase dropped ("… in Tensor", "… in PyTorch", "… in deep learning");
    - plurals singularised ("levels" → "level", "biases" → "bias").
* Groups with different keys may still ask the same thing in other words ("What Are Vanishing and
  Exploding Gradients?" / "What do you mean by exploding and vanishing gradients?"). similarity.py
  compares them by meaning (glossary terms, TF-IDF of titles and answers, blocked so the work stays
  linear) and says merge, candidate or distinct; contrast sets (max/average/sum, weights/biases, …) veto
  a merge. sources/duplicates.yaml (`same:` / `different:` pairs of IDs) always wins over the scorer.
* The ID is a group's key joined by "-" (capped at 8 words, with a short hash of the whole key when
  capped). Every group keeps that ID: when groups merge, one is the survivor and the others' IDs become
  its aliases (an anchor on its section and a q/<id>/ permalink), so no URL ever breaks.
* The survivor is the group whose ID sources/topics.yaml pins (the first pinned there), else the group
  seen first in source order. So adding a file, whatever its name, never changes the primary ID of a
  pinned question; a new question becomes pinned when a person places it in topics.yaml. Two pinned
  questions are never fused by the scorer (a new file could otherwise bridge them through a third):
  they stay candidates until a person writes a `same:` pair.
* Merging copies: the fullest answer is the base; from the others, a labelled part fills an empty label
  of the same name (the dump lost the text after its bold labels); other parts are added only for
  sentences/items the base does not already have (near-equal sentences count as the same). Every copy
  stays listed in the question's sources.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

from . import yamlfile
from .clean import clean_block, clean_title
from .gcpause import paused_gc
from .model import Block, Question, SourceError
from .readers.base import RawQuestion
from .similarity import Glossary, compare

STEMS = re.compile(
    r"^(?:what do you mean by|what do you understand (?:by|from)(?: the word)?|what is meant by|"
    r"what is the use of|what are the uses of|what is|what are|what's|whats|give any one|give an?|"
    r"explain|describe|define|tell me about|can you|how do we|how do you|how will you|how does|how do|"
    r"how can we|how can you)\b\s*"
)
CONTEXT = re.compile(
    r"\s+in (?:a |an |the )?(?:tensors?|pytorch|torch|deep learning|machine learning|dl|ml|"
    r"neural networks?)\s*$"
)
FILLER = set(
    """the a an of and or to for is are was be by with as in on at it its this that these those do does
    did we you your our i me my any one there their some""".split()
)
IRREGULAR = {"biases": "bias", "losses": "loss", "classes": "class", "analyses": "analysis"}
UNCOUNTABLE = {"bias", "series", "species", "lens", "canvas", "alias", "atlas", "gas", "has", "was", "yes", "less"}
SPELLINGS = [
    (re.compile(r"\btype\s?(?:1|i)\b"), "type_i"),
    (re.compile(r"\btype\s?(?:2|ii)\b"), "type_ii"),
    (re.compile(r"\bauto-?\s?encoders?\b"), "autoencoder"),
    (re.compile(r"\bback-?\s?propagation\b"), "backpropagation"),
    (re.compile(r"[‘’`´]"), "'"),
    (re.compile(r"\*\*|__"), ""),
]
TOKEN = re.compile(r"[a-z0-9]+(?:[._][a-z0-9]+)*")
MAX_ID_WORDS = 8


def singular(word: str) -> str:
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word in UNCOUNTABLE:
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


def question_key(title: str) -> tuple[str, ...]:
    t = title.lower().strip()
    for pattern, repl in SPELLINGS:
        t = pattern.sub(repl, t)
    t = re.sub(r"[?.!:;,\s]+$", "", t)
    t = re.sub(r"\s+-\s*$", "", t)
    t = STEMS.sub("", t)
    t = CONTEXT.sub("", t)
    t = re.sub(r"(?<=[a-z])-(?=[a-z0-9])", " ", t)
    words = [singular(w) for w in TOKEN.findall(t) if w not in FILLER]
    if words or TOKEN.findall(title.lower()):
        return tuple(words) or tuple(TOKEN.findall(title.lower()))
    # No Latin letters or digits (a title in Chinese, Russian, …): keyed by the whole title, so different
    # questions stay apart (they all became "question" and merged) and equal ones still merge.
    return ("question", hashlib.sha1(" ".join(title.casefold().split()).encode()).hexdigest()[:8])


MAX_ID_CHARS = 80  # an ID is a folder name (q/<id>/) and a URL: a 100,000-character title must not make one


def question_id(key: tuple[str, ...]) -> str:
    words = [re.sub(r"[._]+", "-", w) for w in key]
    slug = "-".join(words[:MAX_ID_WORDS])
    if len(words) > MAX_ID_WORDS or len(slug) > MAX_ID_CHARS:
        slug = slug[:MAX_ID_CHARS].rstrip("-") + "-" + hashlib.sha1(" ".join(key).encode()).hexdigest()[:4]
    return slug


# --- merging answers --------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")


def _norm(text: str) -> frozenset[str]:
    t = text.lower()
    for pattern, repl in SPELLINGS:
        t = pattern.sub(repl, t)
    words = TOKEN.findall(t)
    # Each number with its place among the sentence's numbers ("#0:2", "#1:2"): "a window of 2 and stride
    # 2" and "a window of 3 and stride 2" share the word "2" but not the values.
    values = [w for w in words if any(c.isdigit() for c in w)]
    return frozenset(words) | {f"#{k}:{v}" for k, v in enumerate(values)}


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    """Sentence a says nothing b does not: near-equal word sets (Jaccard ≥ 0.8; copies differ in spacing
    and markup), or a (of 4+ words) contained in b, as when one copy splits a run-on sentence."""
    if not a or not b:
        return a == b
    if any(t not in b for t in a if t.startswith("#")):
        return False  # a value only a gives (32 where b says 64): both sentences stay
    shared = len(a & b)
    return shared / len(a | b) >= 0.8 or (len(a) >= 4 and shared / len(a) >= 0.9)


def _answer_size(blocks: list[Block]) -> int:
    # Text length, plus a little per part: of two copies with about the same text, the one split into
    # parts (bullets, labels) reads better.
    return sum(len(b.plain()) + 20 for b in blocks)


def merge_blocks(copies: list[list[Block]]) -> list[Block]:
    """Fullest copy is the base; other copies add only what it lacks, each new part placed next to
    the part it followed in its own copy (so an intro sentence stays before the list it introduces)."""
    order = sorted(range(len(copies)), key=lambda i: -_answer_size(copies[i]))
    base = [Block(**{**vars(b), "items": list(b.items)}) for b in copies[order[0]]]
    for i in order[1:]:
        insert_at: int | None = None  # where the next new part goes; None until a part matched
        pending: list[Block] = []  # new parts seen before the first match: they go before it
        for block in copies[i]:
            pos = _match(base, block)
            if pos is None:
                new = _new_part(base, block)
                if new is None:
                    continue  # everything it says is already there (possibly split differently)
                pos = _replace_fuller(base, block)
                if pos is None:
                    if insert_at is None:
                        pending.append(new)
                    else:
                        base.insert(insert_at, new)
                        insert_at += 1
                    continue
            if pending:
                base[pos:pos] = pending
                pos += len(pending)
                pending = []
            insert_at = pos + 1
        base.extend(pending)
    return base


def _match(base: list[Block], block: Block) -> int | None:
    """Index of the base part this part duplicates (filling an empty label on the way), else None."""
    if block.kind == "label":
        for pos, b in enumerate(base):
            if b.kind == "label" and _norm(b.label) == _norm(block.label):
                if not b.text and block.text:
                    b.text, b.fmt, b.origin = block.text, block.fmt, block.origin
                return pos
    sentences = [_norm(s) for s in _sentences(block)]
    for pos, b in enumerate(base):
        theirs = [_norm(s) for s in _sentences(b)]
        if sentences and all(any(_same(s, t) for t in theirs) for s in sentences):
            return pos
    return None


def _replace_fuller(base: list[Block], block: Block) -> int | None:
    """A paragraph saying all a base paragraph says and more replaces it in place (fuller text wins)."""
    if block.kind != "para":
        return None
    sentences = [_norm(s) for s in _sentences(block)]
    for pos, b in enumerate(base):
        theirs = [_norm(s) for s in _sentences(b)]
        if b.kind == "para" and theirs and all(any(_same(t, s) for s in sentences) for t in theirs):
            b.text, b.fmt, b.origin = block.text, block.fmt, block.origin
            return pos
    return None


def _new_part(base: list[Block], block: Block) -> Block | None:
    """The part reduced to sentences/items no base part has; None when nothing is new."""
    seen = [_norm(s) for b in base for s in _sentences(b)]
    # Also pairs of neighbouring sentences: one copy may run two of the other's sentences together.
    seen += [a | b for a, b in zip(seen, seen[1:])]
    new = [s for s in _sentences(block) if not any(_same(_norm(s), t) for t in seen)]
    if not new:
        return None
    if block.kind == "para":
        return Block(**{**vars(block), "text": " ".join(new)})
    if block.kind == "list":
        return Block(**{**vars(block), "items": new})
    return block


def _sentences(block: Block) -> list[str]:
    if block.kind == "para":
        return [s for s in _SENTENCE.split(block.text) if s.strip()]
    if block.kind == "list":
        return list(block.items)
    if block.kind == "label":
        return [f"{block.label} {block.text}".strip()]
    if block.kind != "table":  # code, md/html fragments, sub-headings, images: compared whole
        return [block.text or block.label]
    return [" | ".join(" ".join(r) for r in block.rows)]


def _best_title(raws: list[RawQuestion]) -> str:
    titles = [clean_title(r.title) for r in raws]
    # A real question ("…?") beats a label-style title ("Level of abstraction in Tensor -");
    # otherwise the first copy in source order, so adding a later source does not retitle.
    return sorted(titles, key=lambda t: not t.endswith("?"))[0]


@dataclass
class Candidate:
    """Two published questions that may be one: a person decides (sources/duplicates.yaml)."""

    ids: tuple[str, str]
    score: float
    why: str


@dataclass
class Dedup:
    questions: list[Question]
    candidates: list[Candidate] = field(default_factory=list)
    merged_by_meaning: list[tuple[str, str]] = field(default_factory=list)  # (alias, survivor) the scorer merged
    comparisons: int = 0


@dataclass
class Decisions:
    """sources/duplicates.yaml: pairs of question IDs a person declared the same or different."""

    same: list[tuple[str, str, int]] = field(default_factory=list)  # (id, id, line)
    different: list[tuple[str, str, int]] = field(default_factory=list)
    file: str = "sources/duplicates.yaml"

    @classmethod
    def load(cls, path: Path, rel: str) -> "Decisions":
        found = cls(file=rel)
        if not path.exists():
            return found
        root = yamlfile.compose(path, rel)  # the one safe loader: no aliases, no key twice
        if root is None:
            return found
        if not isinstance(root, yaml.MappingNode):
            raise SourceError(rel, root.start_mark.line + 1, "expected `same:` and `different:` lists of [id, id] pairs")
        for key, value in root.value:
            if key.value not in ("same", "different"):
                raise SourceError(rel, key.start_mark.line + 1, f"unknown key {key.value!r}: expected `same:` or `different:`")
            if isinstance(value, yaml.ScalarNode) and value.value in ("", "null", "~"):
                continue
            if not isinstance(value, yaml.SequenceNode):
                raise SourceError(rel, value.start_mark.line + 1, f"`{key.value}:` must be a list of [id, id] pairs")
            for item in value.value:
                line = item.start_mark.line + 1
                ids = [n.value for n in item.value] if isinstance(item, yaml.SequenceNode) else []
                if len(ids) != 2 or not all(isinstance(n, yaml.ScalarNode) for n in item.value) or ids[0] == ids[1]:
                    raise SourceError(rel, line, "each entry must be a pair of two different question IDs, e.g. - [max-pooling, average-pooling]")
                getattr(found, key.value).append((ids[0], ids[1], line))
        return found

    def check(self, known: set[str]) -> None:
        for kind in ("same", "different"):
            for a, b, line in getattr(self, kind):
                for qid in (a, b):
                    if qid not in known:
                        raise SourceError(self.file, line, f"{qid!r} is not the ID of any source question ({kind}: [{a}, {b}])")


def deduplicate(raws: list[RawQuestion], **kw) -> list[Question]:
    return find_duplicates(raws, **kw).questions


def find_duplicates(
    raws: list[RawQuestion],
    *,
    glossary: Glossary | None = None,
    decisions: Decisions | None = None,
    pinned: Iterable[str] = (),
) -> Dedup:
    """Group copies with equal keys, then merge groups that ask the same thing in other words.

    Each group keeps the ID it would have on its own; merged groups' IDs become aliases of the survivor.
    The survivor is the group whose ID a curated file pins (sources/topics.yaml, first there), else the
    group seen first in source order — so a new file, whatever its name, never takes over the primary ID
    of a pinned question.
    """
    with paused_gc():  # many small acyclic objects: the collector's passes made this super-linear
        return _find_duplicates(raws, glossary, decisions or Decisions(), pinned)


def _find_duplicates(raws: list[RawQuestion], glossary: Glossary | None, decisions: Decisions,
                     pinned: Iterable[str]) -> Dedup:
    groups: dict[tuple[str, ...], list[RawQuestion]] = defaultdict(list)
    for raw in raws:
        groups[question_key(clean_title(raw.title))].append(raw)
    keys = list(groups)
    for copies in groups.values():
        for copy in copies:
            copy.blocks = [clean_block(b) for b in copy.blocks]
    ids = [question_id(k) for k in keys]
    _check_unique_ids(ids, [groups[k][0] for k in keys], keys)
    index = {qid: i for i, qid in enumerate(ids)}
    decisions.check(set(index))

    titles = [_best_title(groups[k]) for k in keys]
    result = Dedup([])
    if glossary is not None and len(keys) > 1:
        answers = [" ".join(b.plain() for c in groups[k] for b in c.blocks) for k in keys]
        comparison = compare(titles, answers, glossary)
        result.comparisons = comparison.comparisons
        terms = [glossary.terms(t) for t in titles]
    else:
        comparison, terms = None, []

    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    members: dict[int, list[int]] = {i: [i] for i in range(len(keys))}
    apart = {frozenset((index[a], index[b])) for a, b, _ in decisions.different}

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[rj] = ri
            members[ri] += members.pop(rj)

    for a, b, line in decisions.same:  # a person's decision always wins
        union(index[a], index[b])
    for a, b, line in decisions.different:
        if find(index[a]) == find(index[b]):
            raise SourceError(decisions.file, line, f"{a!r} and {b!r} are listed as different, but `same:` pairs join them")

    pinned = list(pinned)
    curated = {index[qid] for qid in pinned if qid in index}

    def can_join(ri: int, rj: int) -> bool:
        # Questions a person placed separately in topics.yaml are distinct until a person says `same:`;
        # otherwise one new file could fuse two curated questions (and their overlays) through a third.
        if curated.intersection(members[ri]) and curated.intersection(members[rj]):
            return False
        for x in members[ri]:
            for y in members[rj]:
                if frozenset((x, y)) in apart or (terms and glossary.contrast(terms[x], terms[y])):
                    return False
        return True

    open_pairs = []
    if comparison is not None:
        for p in sorted(comparison.pairs, key=lambda p: (-p.score, p.a, p.b)):
            ri, rj = find(p.a), find(p.b)
            if ri == rj or frozenset((p.a, p.b)) in apart:
                continue
            if p.outcome == "merge" and can_join(ri, rj):
                union(ri, rj)
                continue
            open_pairs.append(p)

    rank = {qid: n for n, qid in enumerate(pinned)}
    clusters = sorted(members.values(), key=min)  # source order of each cluster's first group
    survivor_of: dict[int, int] = {}
    for cluster in clusters:
        survivor = min(cluster, key=lambda i: (rank.get(ids[i], len(rank)), i))
        for i in cluster:
            survivor_of[i] = survivor
        others = [i for i in sorted(cluster) if i != survivor]
        copies = [c for i in [survivor, *others] for c in groups[keys[i]]]
        in_order = [c for i in sorted(cluster) for c in groups[keys[i]]]
        result.questions.append(
            Question(
                id=ids[survivor],
                title=titles[survivor],
                key=keys[survivor],
                blocks=merge_blocks([c.blocks for c in copies]),
                sources=[c.ref for c in in_order],
                aliases=[ids[i] for i in others],
            )
        )
        result.merged_by_meaning += [(ids[i], ids[survivor]) for i in others if not _decided_same(decisions, ids[i])]

    seen: set[frozenset[int]] = set()
    for p in open_pairs:
        sa, sb = survivor_of[p.a], survivor_of[p.b]
        pair = frozenset((sa, sb))
        if sa == sb or pair in seen:
            continue
        seen.add(pair)
        result.candidates.append(Candidate((ids[sa], ids[sb]) if sa < sb else (ids[sb], ids[sa]), p.score, p.why))
    return result


def _decided_same(decisions: Decisions, qid: str) -> bool:
    return any(qid in (a, b) for a, b, _ in decisions.same)


def _check_unique_ids(ids: list[str], firsts: list[RawQuestion], keys: list[tuple[str, ...]] | None = None) -> None:
    """Different questions whose wordings give one slug (e.g. "torch.nn" vs "torch nn"): the later one
    gets the slug plus a short hash of its wording (in place), so both publish; the pipeline reports it,
    with the sources/aliases.yaml line that merges them if they are the same question."""
    by_id: dict[str, RawQuestion] = {}
    for i, (qid, raw) in enumerate(zip(ids, firsts)):
        if qid in by_id:
            key = keys[i] if keys is not None else question_key(clean_title(raw.title))
            qid = ids[i] = f"{qid}-{hashlib.sha1(' '.join(key).encode()).hexdigest()[:4]}"
        by_id[qid] = raw
