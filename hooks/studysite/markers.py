"""Metadata markers on a question (`[E]`/`[M]`/`[H]`, `(Hard)`, difficulty emoji, `Topic: …`, `Level: …`):
lifted off the text as level and topic hints. The vocabulary is data (hooks/studysite/data/markers.yaml); the shapes
(a bracketed word, a `label: value` run, a symbol at either end) are the same for every subject."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import yamlfile
from .model import SourceError

# The reader's vocabulary of markers ships with the library (like the detector model): every project, a
# test's tiny one included, reads sources with the same words.
VOCABULARY = Path(__file__).resolve().parent / "data" / "markers.yaml"
LEVELS = ("basic", "intermediate", "advanced")
BRACKETED = re.compile(r"[\[(【{]\s*([^\[\]()【】{}\n]{1,24}?)\s*[\])】}]")
EDGE = " \t*_-–—:|,;"


@dataclass(frozen=True)
class Vocabulary:
    levels: dict[str, str]  # marker (lower case) → level
    labels: dict[str, str]  # label (lower case) → "level" | "topic"
    symbols: tuple[str, ...]  # level markers without letters (emoji, stars), longest first
    label_re: re.Pattern[str]


@dataclass
class Marked:
    text: str
    level: str = ""
    topic: str = ""


def load_vocabulary(path: Path, rel: str) -> Vocabulary:
    data = yamlfile.expect_mapping(yamlfile.load(path, rel), rel, "markers.yaml")
    levels: dict[str, str] = {}
    for level, words in yamlfile.expect_mapping(data.get("levels"), rel, "`levels`").items():
        if level not in LEVELS:
            raise SourceError(rel, yamlfile.line_of(data["levels"], level), f"level {level!r} is not one of {LEVELS}")
        for word in yamlfile.expect_list(words, rel, f"`levels.{level}`"):
            levels[str(word).lower()] = level
    labels: dict[str, str] = {}
    for kind, words in yamlfile.expect_mapping(data.get("labels"), rel, "`labels`").items():
        if kind not in ("level", "topic"):
            raise SourceError(
                rel, yamlfile.line_of(data["labels"], kind), f"label kind {kind!r}: expected level or topic"
            )
        for word in yamlfile.expect_list(words, rel, f"`labels.{kind}`"):
            labels[str(word).lower()] = kind
    symbols = tuple(sorted((w for w in levels if not any(c.isalnum() for c in w)), key=len, reverse=True))
    names = "|".join(re.escape(w) for w in sorted(labels, key=len, reverse=True)) or "(?!)"
    label_re = re.compile(rf"(?i)(?:^|(?<=[\s*_(\[|,;]))[*_]{{0,2}}({names})[*_]{{0,2}}\s{{0,3}}[:：][*_]{{0,2}}\s*")
    return Vocabulary(levels, labels, symbols, label_re)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return load_vocabulary(VOCABULARY, "hooks/studysite/data/markers.yaml")


def lift(text: str, vocab: Vocabulary | None = None) -> Marked:
    """The text without its markers, and the level / topic they named."""
    vocab = vocab or vocabulary()
    out = Marked(text)
    if len(text) > 2000:
        return out  # a paragraph of answer text, not a question line
    _labels(out, vocab)
    _brackets(out, vocab)
    _symbols(out, vocab)
    out.text = out.text.strip(EDGE) if out.text != text else text
    return out


def _labels(out: Marked, vocab: Vocabulary) -> None:
    """`Level: Advanced`, `**Topic:** Architectures, **Level**: Advanced` — at the start or the end."""
    found = list(vocab.label_re.finditer(out.text))
    if not found:
        return
    cuts: list[tuple[int, int]] = []
    for k, m in enumerate(found):
        stop = found[k + 1].start() if k + 1 < len(found) else len(out.text)
        value_end = _value_end(out.text, m.end(), stop)
        value = out.text[m.end() : value_end].strip(EDGE + "()[]")
        kind = vocab.labels[m.group(1).lower()]
        if kind == "level":
            value_end, level = _level_value(out.text, m.end(), value_end, vocab)
            if not level:
                continue
            out.level = out.level or level
        else:
            out.topic = out.topic or value
        cuts.append((m.start(), value_end))
    for start, end in reversed(cuts):
        before = out.text[:start].rstrip("([ ")
        out.text = before + " " + out.text[end:].lstrip(")] ")
    out.text = " ".join(out.text.split())


def _level_value(text: str, start: int, end: int, vocab: Vocabulary) -> tuple[int, str]:
    """The longest run of up to three words after a level label that the vocabulary knows."""
    words = list(re.finditer(r"\S+", text[start:end]))
    for n in range(min(3, len(words)), 0, -1):
        stop = start + words[n - 1].end()
        level = vocab.levels.get(text[start:stop].strip(EDGE).lower(), "")
        if level:
            return stop, level
    return end, ""


def _value_end(text: str, start: int, stop: int) -> int:
    """A marker's value runs to a separator, the end of its line or the next label."""
    m = re.compile(r"[,;|\n)\]]|\s[–—-]\s|\*\*|__|\?").search(text, start, stop)
    return m.start() if m else stop


def _brackets(out: Marked, vocab: Vocabulary) -> None:
    """`[E]`, `(Hard)`, `[Medium]` at either end of the text."""
    for _ in range(3):
        t = out.text.strip(EDGE)
        changed = False
        for m in BRACKETED.finditer(t):
            at_edge = not t[: m.start()].strip(EDGE) or not t[m.end() :].strip(EDGE + ".?")
            level = vocab.levels.get(m.group(1).strip().lower(), "")
            if at_edge and level and (m.start() == 0 or len(m.group(1)) > 1 or t[m.end() :].strip(EDGE) == ""):
                out.level = out.level or level
                out.text = (t[: m.start()] + " " + t[m.end() :]).strip()
                changed = True
                break
        if not changed:
            return


def _symbols(out: Marked, vocab: Vocabulary) -> None:
    """Difficulty emoji or stars at either end."""
    t = out.text.strip()
    for sym in vocab.symbols:
        if t.startswith(sym) or t.endswith(sym):
            out.level = out.level or vocab.levels[sym]
            t = t.removeprefix(sym) if t.startswith(sym) else t.removesuffix(sym)
            out.text = t.strip()
            return
