"""Markdown (CommonMark + GFM tables) → the neutral block stream, via markdown-it-py.

markdown-it gives a flat token stream whose block tokens carry `map = [first_line, last_line)`; this
module walks it once and keeps what the segmenter needs: headings, paragraphs, list items with their
depth and first paragraph ("lead"), code with its language, tables, quotes, HTML blocks and
`<details><summary>`. Nothing here decides what a question is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_core import inline as core_inline
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token
from selectolax.lexbor import LexborHTMLParser

from ..model import SourceError
from ..stream import Node

# markdown-it stops reading blocks at `maxNesting` (20 by default: a list nested 9 deep lost the rest of the
# file); 200 reads lists nested ~99 deep, and a file nested deeper is one error naming the line, never a
# silent cut. Inline markup keeps the default (deeper inline nesting makes its emphasis scanner slow).
MAX_NESTING = 200
INLINE_NESTING = 20
MD = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])


def _inline(state: StateCore) -> None:
    state.md.options["maxNesting"] = INLINE_NESTING
    try:
        core_inline(state)
    finally:
        state.md.options["maxNesting"] = MAX_NESTING


MD.core.ruler.at("inline", _inline)
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})")
SUMMARY = re.compile(r"<summary\b", re.I)
DETAILS_END = re.compile(r"</details\s*>", re.I)


def close_unclosed_fences(lines: list[str], file: str) -> tuple[list[str], list[str]]:
    """A code fence that is never closed would swallow the rest of the file (every later question
    into one answer). Close it at the first blank line after it, and say so."""
    out = list(lines)
    warnings: list[str] = []
    open_at: int | None = None
    marker = ""
    for n, line in enumerate(lines):
        stripped = line.lstrip()
        if open_at is None:
            m = FENCE_OPEN.match(stripped[: len(stripped)])  # fences may be indented in list items
            if m and (m.group(2)[0] != "`" or "`" not in stripped[len(m.group(2)) :]):
                open_at, marker = n, m.group(2)
            continue
        if stripped.startswith(marker) and not stripped[len(marker) :].strip(marker[0]).strip():
            open_at = None
    if open_at is not None:
        blank = next((k for k in range(open_at + 1, len(lines)) if not lines[k].strip()), None)
        if blank is not None and any(lines[k].strip() for k in range(blank, len(lines))):
            indent = len(lines[open_at]) - len(lines[open_at].lstrip())
            out[blank] = " " * indent + marker
            warnings.append(
                f"{file}:{open_at + 1}: code block opened here is never closed; "
                f"read as closed at line {blank + 1} (add the closing {marker})"
            )
    return out, warnings


def _line_at(lines: list[str], n: int) -> str:
    return lines[n - 1] if 0 < n <= len(lines) else ""


def inline_title(tok) -> str:
    """Plain text of an inline token: emphasis markers, links and HTML gone, code kept as text."""
    out: list[str] = []
    for c in tok.children or []:
        if c.type in ("text", "code_inline"):
            out.append(c.content)
        elif c.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif c.type == "image":
            out.append(c.content)
    return " ".join("".join(out).split())


def bold_lead(tok) -> tuple[str, str]:
    """("What is X?", "the rest") when the inline text opens with a bold span, else ("", "")."""
    children = tok.children or []
    k = 0
    while k < len(children) and children[k].type == "text" and not children[k].content.strip():
        k += 1
    if k >= len(children) or children[k].type != "strong_open":
        return "", ""
    depth, parts = 0, []
    for j in range(k, len(children)):
        c = children[j]
        if c.type == "strong_open":
            depth += 1
        elif c.type == "strong_close":
            depth -= 1
            if depth == 0:
                break
        elif c.type in ("text", "code_inline"):
            parts.append(c.content)
        elif c.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    bold = " ".join("".join(parts).split())
    content = tok.content
    m = re.match(r"\s*(\*\*|__)", content)
    rest = ""
    if m:
        close = content.find(m.group(1), m.end())
        # "**What is X?**" may be followed by a colon, a hard break and then the answer
        while close != -1 and content[close - 1 : close] == "\\":
            close = content.find(m.group(1), close + 2)
        if close != -1:
            rest = content[close + 2 :].strip()
    return bold, rest


def read_nodes(text: str, file: str) -> tuple[list[Node], list[str], list[str]]:
    """(nodes, source lines, warnings)."""
    # markdown-it counts a lone "\r" as a line break too; read_file has normalised them already
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines, warnings = close_unclosed_fences(text.split("\n"), file)
    tokens = MD.parse("\n".join(lines))
    too_deep = next((t for t in tokens if t.level >= MAX_NESTING - 1), None)
    if too_deep is not None:
        line = too_deep.map[0] + 1 if too_deep.map else None
        raise SourceError(
            file, line, f"nested more than {MAX_NESTING // 2} levels deep here; flatten the list or quote"
        )
    return _Walk(tokens, lines).run(), lines, warnings


def _span(t: Token) -> tuple[int, int]:
    """A block token's first and last source line (1-based, inclusive); (0, 0) when it has no map."""
    return (t.map[0] + 1, t.map[1]) if t.map else (0, 0)


class _Walk:
    """One pass over markdown-it's token stream: each token type has a handler (`HANDLERS`, as
    markdown-it-py's own rule tables), which emits nodes and returns the index of the next token."""

    def __init__(self, tokens: list[Token], lines: list[str]) -> None:
        self.tokens = tokens
        self.lines = lines
        self.nodes: list[Node] = []
        self.items: list[int] = []  # open list items (node indexes)
        self.lists: list[tuple[int, bool, tuple[int, int]]] = []  # open lists: id, ordered, span
        self.awaiting_lead: int | None = None  # item whose first child has not been seen yet
        self.details: list[int] = []  # open <details> summaries
        self.next_list = 0

    def run(self) -> list[Node]:
        i = 0
        while i < len(self.tokens):
            t = self.tokens[i]
            handler = HANDLERS.get(t.type)
            i = handler(self, i, t) if handler is not None else i + 1  # hr and closing tokens: nothing
        return self.nodes

    def emit(self, node: Node) -> int:
        self.awaiting_lead = None
        parent = self.items[-1] if self.items else (self.details[-1] if self.details else -1)
        node.parent = parent
        node.depth = len(self.items) if node.kind != "item" else node.depth
        if parent >= 0:
            self.nodes[parent].has_children = True
        self.nodes.append(node)
        return len(self.nodes) - 1

    def list_open(self, i: int, t: Token) -> int:
        self.lists.append((self.next_list, t.type == "ordered_list_open", _span(t)))
        self.next_list += 1
        return i + 1

    def list_close(self, i: int, t: Token) -> int:
        self.lists.pop()
        return i + 1

    def item_open(self, i: int, t: Token) -> int:
        first, last = _span(t)
        list_id, ordered, span = self.lists[-1]
        src = self.lines[first - 1] if 0 < first <= len(self.lines) else ""
        node = Node(
            "item",
            line=first,
            end=last,
            depth=len(self.lists),
            ordered=ordered,
            number=t.info,
            list_id=list_id,
            span=span,
            indent=len(src) - len(src.lstrip()),
        )
        idx = self.emit(node)
        self.items.append(idx)
        self.awaiting_lead = idx
        return i + 1

    def item_close(self, i: int, t: Token) -> int:
        self.items.pop()
        self.awaiting_lead = None
        return i + 1

    def text_block(self, i: int, t: Token) -> int:
        """A heading or paragraph: an item's lead when it is the item's first child."""
        first, last = _span(t)
        inline = self.tokens[i + 1]
        title = inline_title(inline)
        bold, rest = bold_lead(inline)
        content = inline.content.strip()
        if self.awaiting_lead is not None:
            item = self.nodes[self.awaiting_lead]
            item.text, item.title, item.bold, item.rest = content, title, bold, rest
            # provenance: the item's line as written, less its list marker ("### What is X?")
            item.raw = LIST_MARKER.sub("", _line_at(self.lines, item.line), count=1).strip() or content
            item.tag = "h" if t.type == "heading_open" else "p"
            self.awaiting_lead = None
        elif t.type == "heading_open":
            raw = _line_at(self.lines, first).strip() or content
            level = int(t.tag[1])
            self.emit(
                Node(
                    "heading",
                    line=first,
                    end=last,
                    level=level,
                    text=content,
                    title=title,
                    bold=bold,
                    rest=rest,
                    raw=raw,
                )
            )
        else:
            self.emit(Node("para", line=first, end=last, text=content, title=title, bold=bold, rest=rest, raw=content))
        return i + 3

    def code(self, i: int, t: Token) -> int:
        first, last = _span(t)
        lang = t.info.strip().split(" ")[0] if t.type == "fence" else ""
        self.emit(Node("code", line=first, end=last, text=t.content.rstrip("\n"), lang=lang, fmt="text"))
        return i + 1

    def table(self, i: int, t: Token) -> int:
        first, last = _span(t)
        rows: list[list[str]] = []
        j = i + 1
        while self.tokens[j].type != "table_close":
            if self.tokens[j].type == "tr_open":
                rows.append([])
            elif self.tokens[j].type == "inline":
                rows[-1].append(self.tokens[j].content.strip())
            j += 1
        self.emit(Node("table", line=first, end=last, rows=rows))
        return j + 1

    def blockquote(self, i: int, t: Token) -> int:
        first, last = _span(t)
        depth, j = 1, i + 1
        while depth:
            depth += {"blockquote_open": 1, "blockquote_close": -1}.get(self.tokens[j].type, 0)
            j += 1
        self.emit(Node("quote", line=first, end=last, text="\n".join(self.lines[first - 1 : last])))
        return j

    def html_block(self, i: int, t: Token) -> int:
        first, last = _span(t)
        _html_block(t.content, first, last, self.emit, self.details, self.nodes)
        return i + 1


HANDLERS: dict[str, Callable[[_Walk, int, Token], int]] = {
    "bullet_list_open": _Walk.list_open,
    "ordered_list_open": _Walk.list_open,
    "bullet_list_close": _Walk.list_close,
    "ordered_list_close": _Walk.list_close,
    "list_item_open": _Walk.item_open,
    "list_item_close": _Walk.item_close,
    "heading_open": _Walk.text_block,
    "paragraph_open": _Walk.text_block,
    "fence": _Walk.code,
    "code_block": _Walk.code,
    "table_open": _Walk.table,
    "blockquote_open": _Walk.blockquote,
    "html_block": _Walk.html_block,
}


def _html_block(content: str, first: int, last: int, emit, details: list[int], nodes: list[Node]) -> None:
    """HTML inside markdown: <details><summary> is a question slot; other HTML is kept (sanitised)."""
    opening = SUMMARY.search(content)
    if opening:
        tree = LexborHTMLParser(content)
        summary = tree.css_first("summary")
        title = " ".join((summary.text() if summary else "").split())
        after = content[opening.start() :]
        after = re.sub(r"(?is)^.*?</summary\s*>", "", after, count=1)
        idx = emit(Node("summary", line=first, end=last, text=title, title=title, fmt="text"))
        details.append(idx)
        rest = DETAILS_END.split(after)[0].strip()
        if rest:
            emit(Node("html", line=first, end=last, text=rest, fmt="html"))
        if DETAILS_END.search(after):
            details.pop()
            emit(Node("end", line=last, end=last))
        return
    if DETAILS_END.search(content) and details:
        before = DETAILS_END.split(content)[0].strip()
        if before:
            emit(Node("html", line=first, end=last, text=before, fmt="html"))
        details.pop()
        emit(Node("end", line=last, end=last))
        return
    stripped = re.sub(r"(?is)<!--.*?-->", "", content).strip()
    if stripped:
        emit(Node("html", line=first, end=last, text=stripped, fmt="html"))
