"""The one loader of every curated YAML file (topics, aliases, study plan, glossary, duplicates decisions,
reading hints, overlay front matter): safe, bounded, with line numbers.

Curated files often arrive in pull requests, so the loader treats them as hostile: anchors and aliases
are refused (nine levels of nine aliases expand a 1 KB file to gigabytes), so are tags (`!!python/…`,
`!!binary`, custom `!foo`), nesting deeper than MAX_DEPTH and files over MAX_BYTES. A key given twice in
a mapping is an error (YAML would keep the last one silently). Every mapping and list the loader builds
remembers the 1-based line of each key / item, so a check can say `sources/topics.yaml:12: topic 3 has
no slug` instead of raising a KeyError. Every error is one line: `file:line: what is wrong`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .model import SourceError

MAX_BYTES = 2 * 1024 * 1024  # a curated file is hand-written: 2 MiB is far above any real one
MAX_DEPTH = 64  # nesting levels; deeper input would exhaust PyYAML's recursion


class UnsafeYAML(SourceError):
    """A curated file uses a YAML feature the loader refuses (anchors, aliases, tags, huge, deep)."""


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
    """SafeLoader that refuses anchors, aliases, explicit tags and deep nesting while composing, before
    anything is constructed (so a bomb never expands)."""

    rel = ""
    first_line = 1
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        line = event.start_mark.line + self.first_line
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise UnsafeYAML(self.rel, line, "YAML anchors and aliases are not allowed")
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            raise UnsafeYAML(self.rel, line, f"YAML tags are not allowed (found {_printable(tag)})")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise UnsafeYAML(self.rel, line, f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line, out.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key is a list or mapping", key_node.start_mark
            ) from None
        if key in out:  # YAML lets the later one win silently: a typo would go unnoticed
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice (first on line {out.lines[key]})", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line, out.lines = node.start_mark.line + 1, [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def _printable(tag: str) -> str:
    """A tag as it was written (`!!python/object` rather than `tag:yaml.org,2002:python/object`), escaped."""
    tag = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
    return tag.encode("unicode_escape").decode("ascii")[:80]


def _loader(text: str, rel: str, first_line: int) -> _Loader:
    if len(text) > MAX_BYTES:
        raise UnsafeYAML(rel, None, f"{len(text):,} characters of YAML: curated files are at most {MAX_BYTES:,}")
    loader = _Loader(text)
    loader.rel, loader.first_line = rel, first_line
    return loader


def _syntax_error(e: yaml.YAMLError, rel: str, first_line: int) -> SourceError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    line = mark.line + first_line if mark else first_line
    what = getattr(e, "problem", None) or str(e).splitlines()[0]
    context, start = getattr(e, "context", None), getattr(e, "context_mark", None)
    if context and start is not None and start.line + first_line != line:
        context += f" that starts on line {start.line + first_line}"
    return SourceError(rel, line, f"invalid YAML: {what}" + (f" ({context})" if context else ""))


def loads(text: str, rel: str, *, first_line: int = 1) -> Any:
    """Parse YAML text; any problem becomes one `rel:line: …` SourceError (first_line: where text starts)."""
    loader = _loader(text, rel, first_line)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as e:
        raise _syntax_error(e, rel, first_line) from None
    except RecursionError:
        raise UnsafeYAML(rel, None, f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()


def compose(path: Path, rel: str) -> yaml.Node | None:
    """The node tree of a curated file (for readers that need each node's line), checked like load():
    no anchors, aliases or tags, bounded size and depth, and no key twice in a mapping."""
    loader = _loader(read_text(path, rel), rel, 1)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as e:
        raise _syntax_error(e, rel, 1) from None
    finally:
        loader.dispose()
    _check_keys(root, rel)
    return root


def _check_keys(root: yaml.Node | None, rel: str) -> None:
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1
                if isinstance(key, yaml.ScalarNode) and key.value in seen:
                    raise SourceError(rel, line, f"key {key.value!r} appears twice (first on line {seen[key.value]})")
                if isinstance(key, yaml.ScalarNode):
                    seen[key.value] = line
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def read_text(path: Path, rel: str) -> str:
    """A curated file's text: UTF-8 (a BOM is dropped), at most MAX_BYTES, else one clear error."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UnsafeYAML(rel, None, f"{size:,} bytes: curated files are at most {MAX_BYTES:,}")
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(rel, None, f"cannot be read ({e.strerror or type(e).__name__})") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise SourceError(rel, None, f"not UTF-8 (byte at offset {e.start}); save it as UTF-8") from None


def load(path: Path, rel: str) -> Any:
    return loads(read_text(path, rel), rel)


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
        raise SourceError(
            rel, where(value) or line, f"{what} must be a mapping (`key: value` lines), not {_kind(value)}"
        )
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
