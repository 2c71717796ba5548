"""sources/duplicates.yaml: the decisions a person made about possible duplicates (they always win).

    same:       [[id, id, …], …]   one question: merged, the later IDs stay aliases
    different:  [[id, id], …]      different questions: never merged, no longer listed as candidates

An entry of `same:` may name a whole group (the review page offers one line per group); an entry of
`different:` with more than two IDs keeps every two of them apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import yaml

from . import yamlfile
from .model import SourceError


EXAMPLE = "e.g. - [max-pooling, average-pooling]"


@dataclass
class Decisions:
    """Pairs of question IDs a person declared the same or different (a group is stored as its pairs)."""

    same: list[tuple[str, str, int]] = field(default_factory=list)  # (id, id, line)
    different: list[tuple[str, str, int]] = field(default_factory=list)
    file: str = "sources/duplicates.yaml"

    @classmethod
    def load(cls, path: Path, rel: str) -> Decisions:
        found = cls(file=rel)
        if not path.exists():
            return found
        root = yamlfile.compose(path, rel)  # the one safe loader: no aliases, no key twice
        if root is None:
            return found
        if not isinstance(root, yaml.MappingNode):
            raise SourceError(
                rel, root.start_mark.line + 1, "expected `same:` and `different:` lists of [id, id] pairs"
            )
        for key, value in root.value:
            if key.value not in ("same", "different"):
                raise SourceError(
                    rel, key.start_mark.line + 1, f"unknown key {key.value!r}: expected `same:` or `different:`"
                )
            for ids, line in _entries(value, key.value, rel):
                pairs = zip(ids, ids[1:], strict=False) if key.value == "same" else combinations(ids, 2)
                getattr(found, key.value).extend((a, b, line) for a, b in pairs)
        return found

    def check(self, known: set[str]) -> None:
        for kind in ("same", "different"):
            for a, b, line in getattr(self, kind):
                for qid in (a, b):
                    if qid not in known:
                        raise SourceError(
                            self.file, line, f"{qid!r} is not the ID of any source question ({kind}: [{a}, {b}])"
                        )

    def decided_same(self) -> set[str]:
        return {qid for a, b, _ in self.same for qid in (a, b)}


def _entries(value: yaml.Node, kind: str, rel: str) -> list[tuple[list[str], int]]:
    """The [id, id, …] entries of one section, each with its line."""
    if isinstance(value, yaml.ScalarNode) and value.value in ("", "null", "~"):
        return []
    if not isinstance(value, yaml.SequenceNode):
        raise SourceError(rel, value.start_mark.line + 1, f"`{kind}:` must be a list of [id, id] pairs")
    entries = []
    for item in value.value:
        line = item.start_mark.line + 1
        nodes = item.value if isinstance(item, yaml.SequenceNode) else []
        ids = [n.value for n in nodes if isinstance(n, yaml.ScalarNode)]
        if len(ids) < 2 or len(ids) != len(nodes) or len(set(ids)) != len(ids):
            raise SourceError(
                rel, line, f"each entry must be a pair of two different question IDs (or a group of them), {EXAMPLE}"
            )
        entries.append((ids, line))
    return entries
