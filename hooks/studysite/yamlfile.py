"""Read the curated YAML files (topics, aliases, study plan, overlay front matter) with line numbers.

Every mapping and list the loader builds remembers the 1-based line of each key / item, so a check
can say `sources/topics.yaml:12: topic 3 has no slug` instead of raising a KeyError.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .model import SourceError


class LineDict(dict):
    """A mapping that knows where it and each of its keys start (1-based lines)."""

    line: int = 1
    lines: dict

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    line: int = 1
    lines: list

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line, out.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "a key is a list or mapping", key_node.start_mark) from None
        if key in out:  # YAML lets the later one win silently: a typo would go unnoticed
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice (first on line {out.lines[key]})", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line, out.lines = node.start_mark.line + 1, [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def loads(text: str, rel: str, *, first_line: int = 1):
    """Parse YAML text; a syntax error becomes `rel:line: invalid YAML: …` (first_line: where text starts)."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + first_line if mark else first_line
        what = getattr(e, "problem", None) or str(e).splitlines()[0]
        context, start = getattr(e, "context", None), getattr(e, "context_mark", None)
        if context and start is not None and start.line + first_line != line:
            context += f" that starts on line {start.line + first_line}"
        raise SourceError(rel, line, f"invalid YAML: {what}" + (f" ({context})" if context else "")) from None


def load(path: Path, rel: str):
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise SourceError(rel, None, f"not UTF-8 (byte at offset {e.start}); save it as UTF-8") from None
    return loads(text.removeprefix("\ufeff"), rel)


def line_of(container, key, default: int | None = None) -> int | None:
    """The line of key in a LineDict / index in a LineList, else the container's own line, else default."""
    if isinstance(container, (LineDict, LineList)):
        return container.line_of(key)
    return default


def where(container) -> int | None:
    return getattr(container, "line", None)


def expect_mapping(value, rel: str, what: str, line: int | None = None) -> dict:
    if value is None:
        return LineDict()
    if not isinstance(value, dict):
        raise SourceError(rel, where(value) or line, f"{what} must be a mapping (`key: value` lines), not {_kind(value)}")
    return value


def expect_list(value, rel: str, what: str, line: int | None = None) -> list:
    if value is None:
        return LineList()
    if not isinstance(value, list):
        raise SourceError(rel, where(value) or line, f"{what} must be a list, not {_kind(value)}")
    return value


def _kind(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"{type(value).__name__} {value!r}"[:60]
