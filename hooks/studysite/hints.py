"""Per-file reading hints (sources/reading.yaml): for what the detector still reads wrong, a person says
how a file's questions are marked — a slot kind, line ranges to skip, a pattern question texts match.

    files:
      my-list.md:
        questions: heading 3      # heading N | item | item depth N | bold | prefix | summary | row | qpara
        skip: [1-40, 310-330]     # lines holding no questions (a contents list, a footer)
        pattern: '^Q\\d+'          # a regular expression every question's text matches
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlfile
from .model import SourceError
from .stream import Node

FILE_NAME = "reading.yaml"
SLOT_SPEC = re.compile(r"(heading) ([1-6])|(item)(?: depth (\d{1,2}))?|(bold|prefix|summary|row|qpara|lines)")
RANGE = re.compile(r"\s*(\d{1,7})\s*(?:-\s*(\d{1,7}))?\s*")
KEYS = {"questions", "skip", "pattern"}
NO_QUESTIONS_HINT = (
    "or say how in sources/reading.yaml, e.g. `files: {{{file}: {{questions: heading 3}}}}` "
    "(heading N, item, item depth N, bold, prefix, summary, row or qpara; `skip: [1-40]` for lines "
    "holding no questions; `pattern: '^Q\\d+'` for text every question matches)"
)


@dataclass
class FileHints:
    slot: tuple = ()  # ("heading", 3), ("item",), ("item", 2), ("bold",) …
    skip: list[tuple[int, int]] = field(default_factory=list)
    pattern: re.Pattern[str] | None = None

    def skip_nodes(self, nodes: list[Node]) -> None:
        for n in nodes:
            if any(lo <= n.line <= hi for lo, hi in self.skip):
                n.kind, n.tag = "other", "skipped"

    def takes(self, key: tuple) -> bool:
        return not self.slot or key[: len(self.slot)] == self.slot

    def apply(self, by_key: dict[tuple, list], nodes: list[Node]) -> None:
        """A named slot's members are questions and no other slot's; a pattern narrows them down."""
        for key, members in by_key.items():
            for m in members:
                if not self.takes(key):
                    m.p = 0.0
                elif self.pattern is not None:
                    m.p = 1.0 if self.pattern.search(m.title) or self.pattern.search(m.raw) else 0.0
                elif self.slot:
                    m.p = 1.0


def parse_slot(spec: str) -> tuple:
    m = SLOT_SPEC.fullmatch(spec.strip())
    if not m:
        raise ValueError(spec)
    if m.group(1):
        return ("heading", int(m.group(2)))
    if m.group(3):
        return ("item", int(m.group(4))) if m.group(4) else ("item",)
    return (m.group(5),)


def load(path: Path, rel: str, known: set[str] | None = None) -> dict[str, FileHints]:
    """{file name: hints}; every mistake is a SourceError naming reading.yaml and the line."""
    data = yamlfile.expect_mapping(yamlfile.load(path, rel), rel, FILE_NAME)
    unknown = set(data) - {"files"}
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise SourceError(rel, yamlfile.line_of(data, key), f"unknown key {key!r}: expected `files:`")
    files = yamlfile.expect_mapping(data.get("files"), rel, "`files`", yamlfile.line_of(data, "files"))
    out: dict[str, FileHints] = {}
    for name, entry in files.items():
        line = yamlfile.line_of(files, name)
        if known is not None and name not in known:
            raise SourceError(rel, line, f"{name!r} is not a file in sources/ (names are file names, e.g. my-list.md)")
        out[str(name)] = _entry(yamlfile.expect_mapping(entry, rel, f"`{name}`", line), rel, line)
    return out


def _entry(entry: dict, rel: str, line: int | None) -> FileHints:
    bad = set(entry) - KEYS
    if bad:
        key = sorted(map(str, bad))[0]
        raise SourceError(rel, yamlfile.line_of(entry, key, line), f"unknown key {key!r}: expected {sorted(KEYS)}")
    hints = FileHints()
    if "questions" in entry:
        try:
            hints.slot = parse_slot(str(entry["questions"]))
        except ValueError:
            raise SourceError(
                rel,
                yamlfile.line_of(entry, "questions", line),
                f"questions: {entry['questions']!r} is not a slot kind (heading N, item, item depth N, "
                "bold, prefix, summary, row, qpara)",
            ) from None
    for item in yamlfile.expect_list(entry.get("skip"), rel, "`skip`", yamlfile.line_of(entry, "skip", line)):
        m = RANGE.fullmatch(str(item))
        if not m or (m.group(2) and int(m.group(2)) < int(m.group(1))):
            raise SourceError(
                rel, yamlfile.line_of(entry, "skip", line), f"skip: {item!r} is not a line or a range (12-40)"
            )
        hints.skip.append((int(m.group(1)), int(m.group(2) or m.group(1))))
    if "pattern" in entry:
        hints.pattern = _pattern(entry["pattern"], rel, yamlfile.line_of(entry, "pattern", line))
    return hints


def _pattern(value: object, rel: str, line: int | None) -> re.Pattern[str]:
    if not isinstance(value, str) or not value or len(value) > 200:
        raise SourceError(rel, line, "pattern must be a regular expression (text, at most 200 characters)")
    try:
        return re.compile(value)
    except re.error as e:
        raise SourceError(rel, line, f"pattern {value!r} is not a regular expression: {e}") from None


def for_file(path: Path, rel: str) -> FileHints | None:
    """The hints sources/reading.yaml gives for the raw file at `path` (read each time: it is small)."""
    hints_file = path.parent / FILE_NAME
    if not hints_file.is_file():
        return None
    hints_rel = rel.rsplit("/", 1)[0] + "/" + FILE_NAME if "/" in rel else FILE_NAME
    known = {p.name for p in path.parent.iterdir() if p.is_file()}
    return load(hints_file, hints_rel, known).get(path.name)
