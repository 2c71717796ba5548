"""Merging copies of one question: one answer that says everything the copies say, once.

The fullest copy is the base; from the others, a labelled part fills an empty label of the same name
(a dump lost the text after its bold labels); other parts are added only for sentences or items the
base does not already have (near-equal sentences count as the same), each placed next to the part it
followed in its own copy. The title is a real question ("…?") if a copy has one, else the first.
"""

from __future__ import annotations

import re

from .clean import clean_title
from .ids import TOKEN, KeyRules, rules, spelled
from .model import Block
from .readers.base import RawQuestion

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")


class _Norms(dict):
    """Each text's word set, computed once per merge: the parts of a large group of copies are compared
    with every base part again and again (normalising each time made merging grow with the square of
    the copies' text; the glossary's rules are also looked up once, not once per sentence)."""

    def __init__(self) -> None:
        super().__init__()
        self.rules = rules()

    def __missing__(self, text: str) -> frozenset[str]:
        value = self[text] = _norm(text, self.rules)
        return value


def _norm(text: str, r: KeyRules | None = None) -> frozenset[str]:
    words = TOKEN.findall(spelled(text, r))
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
    norms = _Norms()
    for i in order[1:]:
        insert_at: int | None = None  # where the next new part goes; None until a part matched
        pending: list[Block] = []  # new parts seen before the first match: they go before it
        for block in copies[i]:
            pos = _match(base, block, norms)
            if pos is None:
                new = _new_part(base, block, norms)
                if new is None:
                    continue  # everything it says is already there (possibly split differently)
                pos = _replace_fuller(base, block, norms)
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


def _match(base: list[Block], block: Block, norms: _Norms) -> int | None:
    """Index of the base part this part duplicates (filling an empty label on the way), else None."""
    if block.kind == "label":
        for pos, b in enumerate(base):
            if b.kind == "label" and norms[b.label] == norms[block.label]:
                if not b.text and block.text:
                    b.text, b.fmt, b.origin = block.text, block.fmt, block.origin
                return pos
    sentences = [norms[s] for s in _sentences(block)]
    for pos, b in enumerate(base):
        theirs = [norms[s] for s in _sentences(b)]
        if sentences and all(any(_same(s, t) for t in theirs) for s in sentences):
            return pos
    return None


def _replace_fuller(base: list[Block], block: Block, norms: _Norms) -> int | None:
    """A paragraph saying all a base paragraph says and more replaces it in place (fuller text wins)."""
    if block.kind != "para":
        return None
    sentences = [norms[s] for s in _sentences(block)]
    for pos, b in enumerate(base):
        theirs = [norms[s] for s in _sentences(b)]
        if b.kind == "para" and theirs and all(any(_same(t, s) for s in sentences) for t in theirs):
            b.text, b.fmt, b.origin = block.text, block.fmt, block.origin
            return pos
    return None


def _new_part(base: list[Block], block: Block, norms: _Norms) -> Block | None:
    """The part reduced to sentences/items no base part has; None when nothing is new."""
    seen = [norms[s] for b in base for s in _sentences(b)]
    # Also pairs of neighbouring sentences: one copy may run two of the other's sentences together.
    seen += [a | b for a, b in zip(seen, seen[1:], strict=False)]
    new = [s for s in _sentences(block) if not any(_same(norms[s], t) for t in seen)]
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


def best_title(raws: list[RawQuestion]) -> str:
    titles = [clean_title(r.title) for r in raws]
    # A real question ("…?") beats a label-style title ("Level of abstraction in Tensor -");
    # otherwise the first copy in source order, so adding a later source does not retitle.
    return sorted(titles, key=lambda t: not t.endswith("?"))[0]
