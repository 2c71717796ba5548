"""The records that flow through every stage: Source → Question (with Blocks and SourceRefs)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import SourceError as SourceError  # re-exported: it was defined here


@dataclass(frozen=True)
class SourceRef:
    """Where one copy of a question came from."""

    file: str  # repo-relative path, e.g. "sources/000_notes.txt"
    line: int  # 1-based line of the question
    text: str  # the question exactly as written there (raw: numbering, entities and markup kept)
    reader: str  # "dump" | "notes" | "html" | "table" | "overlay"
    section: str = ""  # the heading that groups the question in its source ("CNNs"): a topic hint
    level: str = ""  # a difficulty marker the source gives ("[H]", "Level: Advanced") → "advanced"; a hint


@dataclass
class Block:
    """One part of an answer.

    kind:
      "para"  – text
      "list"  – items (each a string)
      "table" – rows (first row is the header)
      "label" – label (e.g. "Tensor:") + text (may be empty when the scrape lost it)
      "subhead" – a sub-heading inside an answer (text)
      "code"  – text verbatim (indentation, comments), lang the language if the source names one
      "md"    – a markdown fragment kept whole (nested lists, block quotes), rendered then sanitised
      "html"  – an HTML fragment from a saved page, sanitised to the same allow-list
      "image" – an image the source shows: label = alt text, text = its URL (shown as a link, never loaded)
    fmt says how strings are to be treated when rendered:
      "text" – untrusted plain text: escaped on output, never interpreted
      "md"   – markdown from notes: rendered, then sanitised to an allow-list
      "html" – HTML from a saved page: sanitised to the same allow-list
    """

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    label: str = ""
    fmt: str = "text"
    origin: SourceRef | None = None
    lang: str = ""  # code blocks: the language the source names ("python")
    ordered: bool = False  # lists: numbered in the source

    def plain(self) -> str:
        """All words of the block as one string (for comparison and search, never for output)."""
        parts = [self.label, self.text, *self.items, *(c for r in self.rows for c in r)]
        return " ".join(p for p in parts if p)


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


@dataclass
class Demo:
    """Executed notebook cells that prove a question's answer."""

    notebook: str  # repo-relative path of the source notebook, e.g. "notebooks/tensors.ipynb"
    cells: list[int]  # 0-based indexes of the cells (in the notebook) tied to this question


@dataclass
class Correction:
    """A curated fix applied on top of the merged answer (see sources/overlay/)."""

    claim: str  # what the source said
    why: str  # why it is wrong (markdown, trusted: it is ours)


@dataclass
class Question:
    """One published question: everything pages, the manifest, search and study features need."""

    id: str  # stable, readable; the heading anchor and the permalink q/<id>/
    title: str  # cleaned question text
    key: tuple[str, ...]  # normalised wording used for deduplication (the ID derives from it)
    blocks: list[Block] = field(default_factory=list)
    topic: str = ""  # topic slug
    page: str = ""  # slug of the topic page it is on, when a large topic is split ("" = the topic's slug)
    sources: list[SourceRef] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # IDs merged into this one (keep landing here)
    demos: list[Demo] = field(default_factory=list)
    # Filled by the curated overlay (sources/overlay/):
    summary: str = ""  # short "interview answer", markdown (trusted)
    answer_md: str = ""  # curated replacement / completion of the answer, markdown (trusted)
    corrections: list[Correction] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # markdown links
    added_by_site: bool = False  # True for questions the site added (not in any raw source)
    review: str = ""  # the reviewer's note: what was checked and what was changed
    tags: list[str] = field(default_factory=list)
    level: str = ""  # "basic" | "intermediate" | "advanced" (overlay `level:`; see overlay.DEFAULT_LEVEL)
    # (question ID, title) pairs an interviewer asks next; the overlay resolves them after every file is applied
    follow_ups: list[tuple[str, str]] = field(default_factory=list)

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)


@dataclass
class Topic:
    slug: str
    title: str
    description: str = ""
    questions: list[Question] = field(default_factory=list)  # its URLs: urls.py
