"""The ways authors mark a question — *slot kinds* — as a table, as markdown-it keeps its block rules:
each row names the node kinds it looks at and a small function that turns one node into candidates.
A new layout is a new row. For every node the first row (in table order) that finds a candidate wins."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .markers import lift
from .stream import Node
from .wording import has_words, md_plain, reads_as_question, split_prefix, strip_title

ANSWER_PREFIX = re.compile(r"(?i)[*_]{0,2}(?:a|ans|answer)\s{0,3}[.:][*_]{0,2}\s*")
# "Answer:", "Ans.", "Solution" on their own: the start of an answer, never a question (nor its end)
ANSWER_MARK = re.compile(r"(?i)\W*(?:a|ans|answers?|solution|explanation|response)\W*")
LINKS_SECTIONS = {"links", "resources", "further reading"}  # study links, not questions (notes)
CONTENT = {"para", "item", "label", "code", "table", "quote", "html", "image", "row"}


@dataclass
class Member:
    """One text in a candidate slot."""

    idx: int  # node index
    key: tuple
    title: str  # question text, cleaned of numbering/markup
    raw: str  # as written
    number: str = ""
    numbered: bool = False
    rest: str = ""  # answer text on the question's own line/paragraph (same fmt as the node)
    rest_fmt: str = "md"
    consumes: int = 0  # following nodes that belong to the question text ("## Question 3" + bold para)
    row: int = -1  # table rows: row index
    offset: int = 0  # lines from the node's first line to the question's (a markdown table's row)
    bold: bool = False
    # context, filled by slot_context(); the detector's score, filled by detect.score_slots()
    has_answer: bool = False
    answer_chars: int = 0
    next_kind: str = "end"
    end: int = 0  # the first node past its answer, as its own slot would give it
    links_only: bool = False  # all that follows it is navigation links
    p: float = 0.0

    @property
    def question_like(self) -> bool:
        return reads_as_question(self.title)

    @property
    def slot(self) -> tuple[int, int]:
        """Where it sits: node index, and table row for a row of a table node."""
        return (self.idx, self.row)


Finder = Callable[[int, Node, list[Node]], list[Member]]


@dataclass(frozen=True)
class SlotKind:
    name: str
    describe: str  # for the log ("level-{} headings": the key's second part fills the braces)
    order: int  # preference when two slots score the same (lower first)
    nodes: frozenset[str]  # node kinds the finder looks at
    find: Finder


# --- finders: one node → its candidates ---------------------------------------------------------


def heading_members(i: int, n: Node, nodes: list[Node]) -> list[Member]:
    m = _member(i, ("heading", n.level), n.title, n.raw or n.text, n)
    kind, num, rest = split_prefix(n.title.replace("**", ""))
    if kind and not has_words(strip_title(n.title)) or (kind == "q" and not rest):
        # "## Question 3" on its own: the question is the paragraph under it
        nxt = nodes[i + 1] if i + 1 < len(nodes) else None
        if nxt is not None and nxt.kind in ("para", "label") and nxt.parent == n.parent:
            title = nxt.bold or nxt.title
            m = Member(
                i,
                ("heading", n.level),
                strip_title(title),
                n.title + " " + (nxt.raw or nxt.text),
                number=num,
                numbered=bool(num),
                consumes=1,
                rest=nxt.rest if nxt.bold else "",
                rest_fmt=nxt.fmt,
            )
    return [m]


def item_members(i: int, n: Node, nodes: list[Node]) -> list[Member]:
    if not (n.title or n.text):
        return []
    number = n.number if n.ordered else ""
    if n.bold:
        head, rest = whole_line_bold(n)
        rest = strip_answer(rest)
    else:
        head, rest = _item_head(n)
    kind, num, _ = split_prefix(head)
    member = Member(
        i,
        ("item", n.depth),
        strip_title(head),
        n.raw or n.text,
        number=number or num,
        numbered=bool(number or kind),
        rest=rest,
        rest_fmt=n.fmt,
        bold=bool(n.bold),
    )
    return [member]


def _item_head(n: Node) -> tuple[str, str]:
    """An item's question line(s) as plain text, and the rest of its lead (answer text)."""
    text = n.text if n.tag != "h" else n.title
    lines = text.split("\n")
    title_lines = 1
    if len(lines) > 1 and not lines[0].rstrip().endswith("?"):
        title_lines = next((k + 1 for k, ln in enumerate(lines) if ln.rstrip().endswith("?")), 1)
    head = "\n".join(lines[:title_lines])
    rest = "\n".join(lines[title_lines:]).strip()
    head_plain = md_plain(head) if n.fmt == "md" else " ".join(head.split())
    if len(lines) == 1 and n.title:
        head_plain = n.title  # the parser's plain text: all emphasis and links gone
    # "Why …? (Say that …)": the parenthesis after the question is the author's answer hint
    cut = head_plain.find("? (")
    if cut > 0 and head_plain.rstrip().endswith(")"):
        rest = (head_plain[cut + 2 :] + ("\n" + rest if rest else "")).strip()
        head_plain = head_plain[: cut + 1]
    return head_plain, rest


def bold_members(i: int, n: Node, nodes: list[Node]) -> list[Member]:
    bold, rest = whole_line_bold(n)
    if not bold or not (not rest or bold.rstrip().endswith(("?", ".", ":")) or reads_as_question(strip_title(bold))):
        return []
    _kind, num, _ = split_prefix(n.title)
    return [
        Member(
            i,
            ("bold", n.depth),
            strip_title(bold),
            n.raw or n.text,
            number=num,
            numbered=bool(split_prefix(bold)[1]),
            rest=strip_answer(rest),
            rest_fmt=n.fmt,
            bold=True,
        )
    ]


def qpara_members(i: int, n: Node, nodes: list[Node]) -> list[Member]:
    """A paragraph that is one question ("What is X?" then the answer in the next paragraph)."""
    if n.kind != "para" or "\n" in n.text.strip() or not n.title.rstrip().endswith("?") or len(n.title) >= 300:
        return []
    if n.bold:
        return []
    kind, num, _ = split_prefix(n.title)
    return [
        Member(
            i,
            ("qpara", n.depth),
            strip_title(n.title),
            n.raw or n.text,
            number=num,
            numbered=bool(kind),
            rest_fmt=n.fmt,
        )
    ]


def prefix_members(i: int, n: Node, nodes: list[Node]) -> list[Member]:
    kind, num, rest = split_prefix(n.title)
    if kind != "q" or not rest:
        return []
    first, _, after = (n.text if n.fmt != "html" else n.title).partition("\n")
    return [
        Member(
            i,
            ("prefix", n.depth),
            strip_title(md_plain(first) if n.fmt == "md" else first),
            n.raw or n.text,
            number=num,
            numbered=True,
            rest=strip_answer(after),
            rest_fmt=n.fmt,
        )
    ]


def summary_members(i: int, n: Node, nodes: list[Node]) -> list[Member]:
    return [_member(i, ("summary",), n.title, n.title, n)]


def row_members(i: int, n: Node, nodes: list[Node]) -> list[Member]:
    if n.kind == "row":
        return [Member(i, ("row",), strip_title(n.title), n.raw or n.title, rest_fmt=n.fmt)]
    if len(n.rows) < 2 or len(n.rows[0]) < 2:
        return []
    head = [md_plain(c).lower() for c in n.rows[0]]
    q_col = next((k for k, h in enumerate(head) if h.startswith("question") or h in ("q", "questions")), None)
    body = n.rows[1:]
    col = q_col if q_col is not None else 0
    if q_col is None and sum(reads_as_question(md_plain(r[col])) for r in body if len(r) > col) <= len(body) / 2:
        return []
    # a markdown table's row r is on line r + 1 of the table (after the header and the delimiter row)
    return [
        Member(
            i,
            ("row",),
            strip_title(md_plain(r[col])),
            r[col],
            row=r_i,
            rest_fmt=n.fmt,
            offset=r_i + 1 if n.fmt == "md" else 0,
        )
        for r_i, r in enumerate(body, start=1)
        if len(r) > col
    ]


NUMBERED_LINE = re.compile(r"\s{0,3}\(?(\d{1,4})[.):]?\s+(\S.{0,2000})")


def lines_members(i: int, n: Node, nodes: list[Node]) -> list[Member]:
    """Numbered lines run together in one paragraph ("9 name few optimizers" lines after a list whose
    markers lost their dot): each line is a candidate."""
    if n.fmt != "md" or n.text.count("\n") < 2:
        return []
    lines = n.text.split("\n")
    numbered = [(k, m) for k, ln in enumerate(lines) if (m := NUMBERED_LINE.fullmatch(ln))]
    if len(numbered) < 3 or len(numbered) * 10 < (len(lines) - (n.kind == "item")) * 8:
        return []
    out = []
    if n.kind == "item" and n.number and (not numbered or numbered[0][0] != 0):
        out.append(
            Member(
                i,
                ("lines", n.depth),
                strip_title(md_plain(lines[0])),
                lines[0],
                number=n.number,
                numbered=True,
                row=0,
                rest_fmt=n.fmt,
            )
        )
    for k, m in numbered:
        out.append(
            Member(
                i,
                ("lines", n.depth),
                strip_title(md_plain(m.group(2))),
                lines[k],
                number=m.group(1),
                numbered=True,
                row=k,
                offset=k,
                rest_fmt=n.fmt,
            )
        )
    return out


SLOTS: list[SlotKind] = [
    SlotKind("heading", "level-{} headings", 0, frozenset({"heading"}), heading_members),
    SlotKind("summary", "<details> summaries", 1, frozenset({"summary"}), summary_members),
    SlotKind("row", "table rows", 2, frozenset({"row", "table"}), row_members),
    SlotKind("lines", "numbered lines", 7, frozenset({"para", "item"}), lines_members),
    SlotKind("item", "list items", 3, frozenset({"item"}), item_members),
    SlotKind("bold", "bold-led paragraphs", 4, frozenset({"para", "label"}), bold_members),
    SlotKind("qpara", "paragraphs that ask", 6, frozenset({"para"}), qpara_members),
    SlotKind("prefix", "Q:/Question N paragraphs", 5, frozenset({"para", "label"}), prefix_members),
]
BY_NAME = {s.name: s for s in SLOTS}
TRIED = ", ".join(s.describe.replace("level-{} ", "") for s in SLOTS)


def candidates(nodes: list[Node], slots: list[SlotKind] | None = None) -> list[Member]:
    """Every node's candidates, by the first slot kind that finds any (study-link sections excepted)."""
    rows = slots or SLOTS
    by_kind: dict[str, list[SlotKind]] = {}
    for s in rows:
        for k in s.nodes:
            by_kind.setdefault(k, []).append(s)
    out: list[Member] = []
    for i, (n, in_links) in enumerate(zip(nodes, links_sections(nodes), strict=True)):
        if in_links:
            continue  # study links (notes), never questions
        for s in by_kind.get(n.kind, ()):
            if found := s.find(i, n, nodes):
                out.extend(m for m in found if not ANSWER_MARK.fullmatch(m.title))
                break
    return out


def by_slot(members: list[Member]) -> dict[tuple, list[Member]]:
    out: dict[tuple, list[Member]] = {}
    for m in members:
        out.setdefault(m.key, []).append(m)
    return out


# --- helpers ------------------------------------------------------------------------------------


def _member(i: int, key: tuple, title: str, raw: str, n: Node) -> Member:
    kind, num, _rest = split_prefix(title.replace("**", ""))
    return Member(i, key, strip_title(title), raw, number=num, numbered=bool(kind), rest_fmt=n.fmt)


def whole_line_bold(n: Node) -> tuple[str, str]:
    """(bold text, rest). A one-line paragraph whose bold is broken by a stray `**` inside the question
    ("**45. What's … in less **than a minute?**") is one bold question, not a bold part and an answer."""
    one_line = "\n" not in n.text.strip()
    if n.bold and n.rest and one_line and n.rest.rstrip("*_ ").endswith("?"):
        return n.title, ""
    if not n.bold and one_line and n.text.startswith(("**", "__")) and n.text.rstrip().endswith(("**", "__")):
        return n.title, ""  # the parser found no bold in it (a stray "**" inside), the author meant one
    return n.bold, n.rest


def strip_answer(text: str) -> str:
    text = text.strip()
    if m := ANSWER_PREFIX.match(text):
        text = text[m.end() :]
    return text.strip()


def links_sections(nodes: list[Node]) -> list[bool]:
    out, inside = [], False
    for n in nodes:
        if n.kind == "heading":
            inside = n.title.strip(" -").lower() in LINKS_SECTIONS
        out.append(inside)
    return out


def lift_metadata(nodes: list[Node]) -> None:
    """Markers on a block become hints on it; a block that is nothing but markers is metadata, not text."""
    for n in nodes:
        if n.kind not in ("heading", "para", "label", "item", "row", "summary") or not n.title:
            continue
        kind, _num, rest = split_prefix(n.title)
        marked = lift(rest if kind else n.title)
        if marked.text == (rest if kind else n.title):
            continue
        n.difficulty = n.difficulty or marked.level
        n.section = n.section or marked.topic
        if not has_words(strip_title(marked.text)) and n.kind != "item":
            n.kind, n.tag = "other", "metadata"
            continue
        n.title = n.title[: len(n.title) - len(rest)] + marked.text if kind else marked.text
        if n.bold and not has_words(strip_title(n.bold)):
            n.bold, n.rest = "", ""
        first, _, after = n.text.partition("\n")
        if after.strip() and n.fmt == "md" and not has_words(strip_title(md_plain(first))):
            n.text = after.strip()  # a line of markers over the question ("**12) Topic:** CNNs, **Level**: Hard")
