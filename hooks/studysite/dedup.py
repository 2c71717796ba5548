"""Deduplicate questions within and across sources, and give each one a stable, readable ID.

The rule (why it is shaped like this):

* Two copies are the same question when their *keys* are equal. The key is the question's wording
  reduced to the words that carry its meaning, in order:
    - lower-cased, entities/markup gone, curly quotes straightened;
    - spelling variants unified: "Type1"/"Type 1"/"Type I" → "type_i", hyphens split ("max-pooling" →
      "max pooling", "CIFAR-10" → "cifar 10");
    - the question stem dropped ("what is", "what do you mean by", "give any one" …), then filler words
      ("the", "of", "and", "we" …);
    - a trailing context phrase dropped ("… in Tensor", "… in PyTorch", "… in deep learning"): it names
      where the question lives, not what it asks ("Level of abstraction in Tensor" ≡ "the levels of
      abstraction");
    - plurals singularised ("levels" → "level", "biases" → "bias").
  Every word that can change the meaning stays: "biases" ≠ "weights", "max" ≠ "average" ≠ "sum",
  "cifar 10" ≠ "cifar 10 cifar 100", "stride" ≠ "padding". Equal keys is a dict lookup, so grouping is
  linear in the number of questions — no all-pairs fuzzy matching.
* The ID is the key joined by "-" (capped at 8 words, with a short hash of the whole key when capped).
  It depends only on the key, so it does not change when an answer is edited, when a new source
  merges into the question (a merge needs an equal key), or when the topic map moves it. Curated
  aliases (sources/aliases.yaml) keep old IDs landing on their question if a title is reworded.
* Merging copies: the fullest answer is the base; from the others, a labelled part fills an empty label
  of the same name (the dump lost the text after its bold labels); other parts are added only for
  sentences/items the base does not already have (near-equal sentences count as the same).
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from .clean import clean_block, clean_title
from .model import Block, Question, SourceError
from .readers.base import RawQuestion

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
    return tuple(words) or tuple(TOKEN.findall(title.lower())) or ("question",)


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
    return frozenset(TOKEN.findall(t))


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    """Sentence a says nothing b does not: near-equal word sets (Jaccard ≥ 0.8; copies differ in spacing
    and markup), or a (of 4+ words) contained in b, as when one copy splits a run-on sentence."""
    if not a or not b:
        return a == b
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


def deduplicate(raws: list[RawQuestion]) -> list[Question]:
    """Group raw questions by key (source order kept) and merge each group into one Question."""
    groups: dict[tuple[str, ...], list[RawQuestion]] = defaultdict(list)
    for raw in raws:
        groups[question_key(clean_title(raw.title))].append(raw)
    questions = []
    for key, copies in groups.items():
        for copy in copies:
            copy.blocks = [clean_block(b) for b in copy.blocks]
        questions.append(
            Question(
                id=question_id(key),
                title=_best_title(copies),
                key=key,
                blocks=merge_blocks([c.blocks for c in copies]),
                sources=[c.ref for c in copies],
            )
        )
    _check_unique_ids(questions)
    return questions


def _check_unique_ids(questions: list[Question]) -> None:
    by_id: dict[str, Question] = {}
    for q in questions:
        if q.id in by_id:
            # Different keys, same slug (e.g. "torch.nn" vs "torch nn"): rare, and fixable by a person.
            first, ref = by_id[q.id].sources[0], q.sources[0]
            raise SourceError(ref.file, ref.line, f"question ID {q.id!r} is also the ID of {first.file}:{first.line} "
                              f"({first.text!r}) but the questions differ; reword one, or merge them in sources/aliases.yaml")
        by_id[q.id] = q
