"""How question text is worded: openings that ask, numbering and `Q:` prefixes, plain text of a title.
Language, not domain knowledge: the same for any subject (used by the segmenter and the detector)."""

from __future__ import annotations

import re

from .markers import lift

# Openings that make a sentence a question or a task. Language, not domain knowledge: the same for
# any subject.
QUESTION_WORDS = frozenset(
    [
        "what",
        "what's",
        "whats",
        "why",
        "how",
        "when",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "do",
        "does",
        "did",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "has",
        "have",
        "had",
        "explain",
        "describe",
        "define",
        "compare",
        "contrast",
        "differentiate",
        "distinguish",
        "list",
        "name",
        "give",
        "tell",
        "write",
        "implement",
        "state",
        "discuss",
        "outline",
        "summarize",
        "summarise",
        "mention",
        "illustrate",
        "derive",
        "show",
        "prove",
        "calculate",
        "compute",
        "design",
        "suggest",
        "identify",
        "elaborate",
        "clarify",
        "demonstrate",
        "walk",
        "provide",
        "estimate",
        "build",
        "create",
        "predict",
        "choose",
        "pick",
        "consider",
        "suppose",
        "imagine",
        "assume",
        "given",
        "find",
        "solve",
        "sketch",
        "propose",
    ]
)
# "Q: …", "Q3. …", "Question 3: …", "Ques. …" — and plain numbering "3. …", "3) …", "(3) …", "#3 …".
Q_PREFIX = re.compile(
    r"(?i)(?:question|ques\.?|q)(?:\s{0,3}(\d{1,4}(?:\.\d{1,4}){0,3})\s{0,3}[.:)\-–]?|\s{0,3}[.:])\s*"
)
NUM_PREFIX = re.compile(r"(?:\(?(\d{1,4}(?:\.\d{1,4}){0,3})\s{0,3}[.):\-–]|#(\d{1,4}))\s+")
# Trailing reference links: "… [[src](https://…)]", "… [src](…)", "… [1]".
TRAILING_REF = re.compile(r"\s*\[?\[(?:src|source|ref|\d{1,3})\](?:\([^()\s]{0,2000}\))?\]?\s*$", re.I)


def split_prefix(title: str) -> tuple[str, str, str]:
    """(kind, number, rest): kind "q" for Q:/Question N, "num" for plain numbering, "" for none."""
    t = title.strip()
    m = Q_PREFIX.match(t)
    if m and (m.group(1) or t[m.end() - 1 : m.end()] in ":." or re.match(r"(?i)(?:question|ques\.?|q)\s{0,3}[.:]", t)):
        return "q", m.group(1) or "", t[m.end() :].strip()
    if m := NUM_PREFIX.match(t):
        return "num", m.group(1) or m.group(2) or "", t[m.end() :].strip()
    return "", "", t


def strip_title(title: str) -> str:
    """Question text without numbering, Q: prefixes, emphasis markers or trailing reference links."""
    t = " ".join(title.split())
    t = t.replace("**", "").replace("__", "")
    for _ in range(2):  # "Q1. 1) …" happens
        kind, _num, rest = split_prefix(t)
        if not kind or not rest:
            break
        t = rest
    t = TRAILING_REF.sub("", t)
    t = lift(t).text
    t = t.strip(" *_")
    if t.endswith(" -"):
        t = t[:-2].rstrip()
    return t


def reads_as_question(title: str) -> bool:
    t = title.strip().rstrip(" .:*_)\"'”’")
    if not has_words(t):
        return False
    if t.endswith("?"):
        return True
    first = t.split(" ", 1)[0].lower().strip("*_\"'“‘(").rstrip(",:")
    return first.split("’")[0].split("'")[0] in QUESTION_WORDS or first in QUESTION_WORDS


def has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def md_plain(text: str) -> str:
    """Rough plain text of one markdown line (titles only): emphasis, code ticks and link targets gone."""
    t = re.sub(r"!?\[([^\[\]]{0,500})\]\([^()\s]{0,2000}\)", r"\1", text)
    t = t.replace("**", "").replace("__", "").replace("`", "")
    return " ".join(t.split())
