"""Keys and IDs: a question's wording reduced to the words that carry its meaning, and the slug made of it.

The key of a title, in order: lower-cased; markup gone, curly quotes straightened; spelling variants
unified ("Type1"/"Type 1"/"Type I" → "type_i"); the question stem dropped ("what is", "what do you
mean by" …); a trailing context phrase dropped ("… in PyTorch"); hyphens between words split; filler
words dropped; plurals singularised. Two copies with equal keys are one question.

The domain words these steps use (stems, context phrases, filler, plurals, spellings) are data: the
`keys:` section of sources/glossary.yaml. Changing them changes IDs (sources/aliases.yaml keeps an old
ID landing).

The ID is the key joined by "-" (at most 8 words and 80 characters; a short hash of the whole key
when capped).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlfile
from .model import SourceError

TOKEN = re.compile(r"[a-z0-9]+(?:[._][a-z0-9]+)*")
MAX_ID_WORDS = 8
MAX_ID_CHARS = 80  # an ID is a folder name (q/<id>/) and a URL: a 100,000-character title must not make one
GLOSSARY = Path(__file__).resolve().parents[2] / "sources" / "glossary.yaml"
SPACE_OR_HYPHEN = r"[-\s]?"
_MARKUP = [(re.compile(r"[‘’`´]"), "'"), (re.compile(r"\*\*|__"), "")]


def _alternation(phrases: list[str], between: str = r"\s") -> str:
    """Phrases as one regex alternation, longest first, words joined by `between`."""
    ordered = sorted({p.lower().strip() for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    return "|".join(between.join(re.escape(w) for w in re.split(r"[-\s]+", p)) for p in ordered)


@dataclass
class KeyRules:
    """The `keys:` section of the glossary, compiled."""

    stems: re.Pattern = re.compile(r"^$")
    context: re.Pattern = re.compile(r"^$")
    filler: frozenset[str] = frozenset()
    plurals: dict[str, str] = field(default_factory=dict)
    uncountable: frozenset[str] = frozenset()
    spellings: list[tuple[re.Pattern, str]] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: dict, rel: str = "glossary") -> KeyRules:
        for name in ("stems", "context", "filler", "uncountable"):
            if not isinstance(data.get(name) or [], list):
                raise SourceError(rel, None, f"keys.{name}: expected a list of words or phrases")
        for name in ("plurals", "spellings"):
            if not isinstance(data.get(name) or {}, dict):
                raise SourceError(rel, None, f"keys.{name}: expected a mapping")
        stems = [str(s) for s in data.get("stems") or []]
        context = [str(s) for s in data.get("context") or []]
        spellings = [
            (re.compile(rf"\b(?:{_alternation([str(v) for v in variants], SPACE_OR_HYPHEN)})\b"), str(canonical))
            for canonical, variants in (data.get("spellings") or {}).items()
        ]
        return cls(
            stems=re.compile(rf"^(?:{_alternation(stems)})\b\s*") if stems else re.compile(r"^(?!)"),
            context=re.compile(rf"\s+in (?:a |an |the )?(?:{_alternation(context)})\s*$")
            if context
            else re.compile(r"(?!)"),
            filler=frozenset(w for f in data.get("filler") or [] for w in str(f).split()),
            plurals={str(k): str(v) for k, v in (data.get("plurals") or {}).items()},
            uncountable=frozenset(str(w) for w in data.get("uncountable") or []),
            spellings=spellings + _MARKUP,
        )


_RULES: dict[tuple[str, int], KeyRules] = {}


def rules(path: Path = GLOSSARY) -> KeyRules:
    """The key rules of the project's glossary (read once per version of the file)."""
    mtime = path.stat().st_mtime_ns if path.exists() else 0
    cached = _RULES.get((str(path), mtime))
    if cached is None:
        data = yamlfile.load(path, "sources/glossary.yaml") if path.exists() else {}
        keys = (data or {}).get("keys") or {}
        if not isinstance(keys, dict):
            raise SourceError("sources/glossary.yaml", None, "keys: expected a mapping (stems, context, filler, …)")
        cached = _RULES[(str(path), mtime)] = KeyRules.from_data(keys, "sources/glossary.yaml")
    return cached


def singular(word: str, r: KeyRules | None = None) -> str:
    r = r or rules()
    if word in r.plurals:
        return r.plurals[word]
    if word in r.uncountable:
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


def spelled(text: str, r: KeyRules | None = None) -> str:
    """Lower-cased text with the glossary's spelling variants unified."""
    t = text.lower()
    for pattern, repl in (r or rules()).spellings:
        t = pattern.sub(repl, t)
    return t


def question_key(title: str) -> tuple[str, ...]:
    r = rules()
    t = spelled(title.strip(), r)
    t = re.sub(r"[?.!:;,\s]+$", "", t)
    t = re.sub(r"\s+-\s*$", "", t)
    t = r.stems.sub("", t)
    t = r.context.sub("", t)
    t = re.sub(r"(?<=[a-z])-(?=[a-z0-9])", " ", t)
    words = [singular(w, r) for w in TOKEN.findall(t) if w not in r.filler]
    if words or TOKEN.findall(title.lower()):
        return tuple(words) or tuple(TOKEN.findall(title.lower()))
    # No Latin letters or digits (a title in Chinese, Russian, …): keyed by the whole title, so different
    # questions stay apart (they all became "question" and merged) and equal ones still merge.
    return ("question", hashlib.sha1(" ".join(title.casefold().split()).encode()).hexdigest()[:8])


def question_id(key: tuple[str, ...]) -> str:
    words = [re.sub(r"[._]+", "-", w) for w in key]
    slug = "-".join(words[:MAX_ID_WORDS])
    if len(words) > MAX_ID_WORDS or len(slug) > MAX_ID_CHARS:
        slug = slug[:MAX_ID_CHARS].rstrip("-") + "-" + short_hash(key)
    return slug


def short_hash(key: tuple[str, ...]) -> str:
    return hashlib.sha1(" ".join(key).encode()).hexdigest()[:4]


def make_unique(ids: list[str], keys: list[tuple[str, ...]]) -> None:
    """Different questions whose wordings give one slug (e.g. "torch.nn" vs "torch nn"): the later one
    gets the slug plus a short hash of its wording (in place), so both publish; the pipeline reports it,
    with the sources/aliases.yaml line that merges them if they are the same question."""
    taken: set[str] = set()
    for i, qid in enumerate(ids):
        if qid in taken:
            qid = ids[i] = f"{qid}-{short_hash(keys[i])}"
        taken.add(qid)
