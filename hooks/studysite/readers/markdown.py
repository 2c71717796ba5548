"""Markdown (CommonMark + GFM tables) → the neutral block stream, via markdown-it-py.

markdown-it gives a flat token stream whose block tokens carry `map = [first_line, last_line)`; this
module walks it once and keeps what the segmenter needs: headings, paragraphs, list items with their
depth and first paragraph ("lead"), code with its language, tables, quotes, HTML blocks and
`<details><summary>`. Nothing here decides what a question is.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import inline as core_inline
from markdown_it.rules_core.state_core import StateCore
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
    nodes: list[Node] = []
    items: list[int] = []  # open list items (node indexes)
    lists: list[tuple[int, bool, tuple[int, int]]] = []  # open lists: id, ordered, span
    awaiting_lead: int | None = None  # item whose first child has not been seen yet
    details: list[int] = []  # open <details> summaries
    next_list = 0

    def emit(node: Node) -> int:
        nonlocal awaiting_lead
        awaiting_lead = None
        parent = items[-1] if items else (details[-1] if details else -1)
        node.parent = parent
        node.depth = len(items) if node.kind != "item" else node.depth
        if parent >= 0:
            nodes[parent].has_children = True
        nodes.append(node)
        return len(nodes) - 1

    i = 0
    while i < len(tokens):
        t = tokens[i]
        first, last = (t.map[0] + 1, t.map[1]) if t.map else (0, 0)
        if t.type in ("bullet_list_open", "ordered_list_open"):
            lists.append((next_list, t.type == "ordered_list_open", (first, last)))
            next_list += 1
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t.type == "list_item_open":
            list_id, ordered, span = lists[-1]
            src = lines[first - 1] if 0 < first <= len(lines) else ""
            node = Node(
                "item",
                line=first,
                end=last,
                depth=len(lists),
                ordered=ordered,
                number=t.info,
                list_id=list_id,
                span=span,
                indent=len(src) - len(src.lstrip()),
            )
            idx = emit(node)
            items.append(idx)
            awaiting_lead = idx
        elif t.type == "list_item_close":
            items.pop()
            awaiting_lead = None
        elif t.type in ("heading_open", "paragraph_open"):
            inline = tokens[i + 1]
            title = inline_title(inline)
            bold, rest = bold_lead(inline)
            content = inline.content.strip()
            if awaiting_lead is not None:
                item = nodes[awaiting_lead]
                item.text, item.title, item.bold, item.rest = content, title, bold, rest
                # provenance: the item's line as written, less its list marker ("### What is X?")
                item.raw = LIST_MARKER.sub("", _line_at(lines, item.line), count=1).strip() or content
                item.tag = "h" if t.type == "heading_open" else "p"
                awaiting_lead = None
            elif t.type == "heading_open":
                emit(
                    Node(
                        "heading",
                        line=first,
                        end=last,
                        level=int(t.tag[1]),
                        text=content,
                        title=title,
                        bold=bold,
                        rest=rest,
                        raw=_line_at(lines, first).strip() or content,
                    )
                )
            else:
                emit(Node("para", line=first, end=last, text=content, title=title, bold=bold, rest=rest, raw=content))
            i += 3
            continue
        elif t.type in ("fence", "code_block"):
            lang = t.info.strip().split(" ")[0] if t.type == "fence" else ""
            emit(Node("code", line=first, end=last, text=t.content.rstrip("\n"), lang=lang, fmt="text"))
        elif t.type == "table_open":
            rows: list[list[str]] = []
            j = i + 1
            while tokens[j].type != "table_close":
                if tokens[j].type == "tr_open":
                    rows.append([])
                elif tokens[j].type == "inline":
                    rows[-1].append(tokens[j].content.strip())
                j += 1
            emit(Node("table", line=first, end=last, rows=rows))
            i = j + 1
            continue
        elif t.type == "blockquote_open":
            depth, j = 1, i + 1
            while depth:
                depth += {"blockquote_open": 1, "blockquote_close": -1}.get(tokens[j].type, 0)
                j += 1
            emit(Node("quote", line=first, end=last, text="\n".join(lines[first - 1 : last])))
            i = j
            continue
        elif t.type == "html_block":
            _html_block(t.content, first, last, emit, details, nodes)
        elif t.type == "hr":
            pass
        i += 1
    return nodes, lines, warnings


def _html_block(content: str, first: int, last: int, emit, details: list[int], nodes: list[Node]) -> None:
    """HTML inside markdown: <details><summary> is a question slot; other HTML is kept (sanitised)."""
    if SUMMARY.search(content):
        tree = LexborHTMLParser(content)
        summary = tree.css_first("summary")
        title = " ".join((summary.text() if summary else "").split())
        after = content[SUMMARY.search(content).start() :]
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
