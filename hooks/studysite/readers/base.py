"""What every reader returns: raw questions plus a report of what was read and left out."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Block, SourceRef


@dataclass
class RawQuestion:
    """A question as a reader found it, before cleaning and merging."""

    ref: SourceRef
    title: str  # question text without numbering/markup, entities decoded
    blocks: list[Block] = field(default_factory=list)


@dataclass
class ReadReport:
    """What a reader saw, so the build log can say what came in and what was left out."""

    file: str
    kind: str
    questions: list[RawQuestion] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> count
    study_links: list[dict] = field(default_factory=list)  # notes only
    warnings: list[str] = field(default_factory=list)

    def drop(self, reason: str, n: int = 1) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + n
