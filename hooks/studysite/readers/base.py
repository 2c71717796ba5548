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
    kind: str  # "dump" | "notes" (markdown) | "html" | "table" (CSV/TSV) | "empty"
    questions: list[RawQuestion] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> count
    study_links: list[dict] = field(default_factory=list)  # notes only
    warnings: list[str] = field(default_factory=list)
    reader: str = ""  # how the file was read, for the log: "markdown", "HTML page", "dump", "CSV"
    layout: str = ""  # how its questions are marked, e.g. "numbered list items, bold"
    unanswered: int = 0  # questions the source gives no answer for (kept)

    def drop(self, reason: str, n: int = 1) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + n

    def log_line(self) -> str:
        """`sources/x.md (markdown; questions: numbered list items, bold): 40 questions, 2 unanswered; left out: …`"""
        how = self.reader or self.kind
        if self.layout:
            how += f"; questions: {self.layout}"
        line = f"{self.file} ({how}): {len(self.questions)} questions"
        if self.unanswered:
            line += f", {self.unanswered} unanswered"
        if self.dropped:
            line += "; left out: " + ", ".join(f"{n} {why}" for why, n in sorted(self.dropped.items()))
        return line
