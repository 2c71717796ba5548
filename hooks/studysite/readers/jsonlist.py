"""JSON question lists → `row` nodes: a list of objects with a question and an answer field, found at the
top or under common nestings ({"questions": [...]}, {"CNN": [...], "RNN": [...]}, [{"topic": …,
"questions": [...]}]). This site's own `questions.json` reads back (its added questions left out)."""

from __future__ import annotations

import json
import re
from typing import Any

from ..model import SourceError
from ..stream import Node, Parsed
from .table import ADDED, row_node

QUESTION_KEYS = ("question", "q", "title", "prompt", "front", "query", "instruction", "input")
ANSWER_KEYS = (
    "answer",
    "answers",
    "a",
    "answer_md",
    "response",
    "solution",
    "explanation",
    "back",
    "output",
    "summary",
    "reply",
)
LEVEL_KEYS = ("level", "difficulty")
GROUP_KEYS = ("topic", "category", "section", "chapter", "name", "title")
OPENING = re.compile(r"\s*(?:\[\s*[\{\]\"]|\{\s*[\"}])")
CONTAINER_KEYS = {"questions", "items", "data", "results", "entries", "records"}  # a key that names no topic
MAX_DEPTH = 6  # nestings deeper than this are not where question lists live


def sniff(text: str) -> float:
    return 1.0 if OPENING.match(text[:200]) else 0.0


def _field(record: dict, keys: tuple[str, ...]) -> str:
    lower = {str(k).lower(): k for k in record}
    return next((lower[k] for k in keys if k in lower), "")


def _is_record(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    key = _field(value, QUESTION_KEYS)
    if not key or not isinstance(value[key], str):
        return False
    # a group ({"title": "CNN", "questions": [...]}) holds records; a record may hold other lists (its
    # sources: [{"title": …, "url": …}]) — but those have no answers
    return not any(
        isinstance(v, list)
        and v
        and isinstance(v[0], dict)
        and _field(v[0], QUESTION_KEYS)
        and _field(v[0], ANSWER_KEYS)
        for v in value.values()
    )


def _collect(value: Any, section: str, depth: int, out: list[tuple[dict, str]]) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        records = [v for v in value if _is_record(v)]
        if records and len(records) * 2 >= len(value):
            out.extend((r, section) for r in records)
            return
        for v in value:
            _collect(v, section, depth + 1, out)
    elif isinstance(value, dict) and not _is_record(value):
        group = _field(value, GROUP_KEYS)
        name = value[group] if group and isinstance(value[group], str) else section
        for k, v in value.items():
            if isinstance(v, (list, dict)):
                keyed = str(k) if str(k).lower() not in CONTAINER_KEYS else ""
                _collect(v, keyed or name, depth + 1, out)


def _text(value: Any) -> list[str]:
    """Every string in an answer value (a string, a list of strings, an object of parts), in order."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list):
        return [s for v in value[:1000] for s in _text(v)]
    if isinstance(value, dict):
        return [s for v in list(value.values())[:1000] for s in _text(v)]
    return []


def parse(text: str, file: str) -> Parsed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SourceError(file, e.lineno, f"not readable as JSON: {e.msg} (column {e.colno})") from None
    found: list[tuple[dict, str]] = []
    _collect(data, "", 0, found)
    if not found:
        raise SourceError(
            file,
            None,
            "JSON without a list of question objects: expected e.g. "
            '[{"question": "…", "answer": "…"}] or {"questions": [...]}',
        )
    parsed = Parsed([], text.split("\n"), kind="json", reader="JSON")
    cursor, line = 0, 1
    for record, section in found:
        question = record[_field(record, QUESTION_KEYS)]
        if record.get("added_by_site") is True:
            parsed.dropped[ADDED] = parsed.dropped.get(ADDED, 0) + 1
            continue
        at = _find(text, question, cursor)
        if at >= 0:
            line += text.count("\n", cursor, at)
            cursor = at
        answer_key = _field(record, ANSWER_KEYS)
        node = row_node(line, question.strip(), _text(record[answer_key]) if answer_key else [], "md")
        _hints(node, record, section)
        parsed.nodes.append(node)
    return parsed


def _hints(node: Node, record: dict, section: str) -> None:
    level = _field(record, LEVEL_KEYS)
    node.difficulty = str(record[level]) if level and isinstance(record[level], (str, int)) else ""
    topic = _field(record, ("topic", "category", "section", "chapter"))
    node.section = record[topic] if topic and isinstance(record[topic], str) else section


def _find(text: str, value: str, start: int) -> int:
    """Where a string of the document is written (as JSON spells it), from `start` on; -1 if not found."""
    for ascii_only in (False, True):
        at = text.find(json.dumps(value, ensure_ascii=ascii_only), start)
        if at >= 0:
            return at
    return -1
