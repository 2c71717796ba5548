"""What belongs to a question: where its answer ends, and the nodes under it as answer blocks (code,
tables and nested lists kept)."""

from __future__ import annotations

import bisect
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from .model import Block, SourceRef
from .slots import ANSWER_PREFIX, Member
from .stream import Node
from .wording import reads_as_question


@dataclass(frozen=True)
class Stops:
    """The nodes an answer may end at, by the kind of its question's node: a heading may end any answer,
    the next item an item's, the close of its `<details>` a summary's; no other node ends one."""

    heading: list[int]
    item: list[int]  # headings and items
    summary: list[int]  # headings and ends

    def of(self, kind: str) -> list[int]:
        return self.item if kind == "item" else self.summary if kind == "summary" else self.heading


def stops(nodes: list[Node]) -> Stops:
    where = Stops([], [], [])
    for i, n in enumerate(nodes):
        if n.kind == "heading":
            where.heading.append(i)
            where.item.append(i)
            where.summary.append(i)
        elif n.kind == "item":
            where.item.append(i)
        elif n.kind == "end":
            where.summary.append(i)
    return where


def answer_ends(nodes: list[Node], anchors: list[Member], where: Stops | None = None) -> list[int]:
    """For each anchor, the index of the first node that is no longer its answer (`where`: stops(nodes),
    when the caller has it)."""
    where = where or stops(nodes)
    ends = []
    starts = sorted({m.idx for m in anchors})
    for m in anchors:
        if m.row >= 0 or nodes[m.idx].kind == "row":
            ends.append(m.idx + 1)
            continue
        pos = bisect.bisect_right(starts, m.idx)
        nxt = starts[pos] if pos < len(starts) else len(nodes)
        ends.append(_end(nodes, m.idx, m.idx + 1 + m.consumes, nxt, where))
    return ends


def _end(nodes: list[Node], q_idx: int, first: int, nxt: int, where: Stops) -> int:
    """Where the answer of the question at q_idx, starting at `first`, ends before the next anchor `nxt`."""
    node = nodes[q_idx]
    positions = where.of(node.kind)
    k = bisect.bisect_left(positions, first)
    while k < len(positions) and (j := positions[k]) < nxt:
        n = nodes[j]
        if n.kind == "heading" and _closes(node, n, nodes, q_idx, j):
            return j
        if n.kind == "heading" and _link_out(nodes, j, nxt):
            return j  # "#### Explore all answers here 👉 [site](…)" and a banner: the page's, not the answer's
        if node.kind == "summary" and n.kind == "end" and not _inside(nodes, j, q_idx):
            return j + 1
        if node.kind == "item" and _next_item(node, n, nodes, q_idx, j):
            return j
        k += 1
    return max(first, nxt)


def _next_item(q: Node, n: Node, nodes: list[Node], q_idx: int, n_idx: int) -> bool:
    """Is n, seen inside the answer of list item q, the next item of q's list (not part of its answer)?"""
    if n.kind != "item" or n.depth > q.depth or _inside(nodes, n_idx, q_idx):
        return False
    # an item indented under the question, against the list syntax, is its answer
    return not (n.indent > q.indent and n.depth == q.depth and not reads_as_question(n.title))


def _link_out(nodes: list[Node], idx: int, stop: int) -> bool:
    """A heading that is a link elsewhere, followed by nothing but HTML, images and links."""
    h = nodes[idx]
    if not re.search(r"\]\(https?://|<a\s", h.text):
        return False
    return all(nodes[j].kind in ("html", "image", "link", "other", "end") for j in range(idx + 1, stop))


def _closes(q: Node, h: Node, nodes: list[Node], q_idx: int, h_idx: int) -> bool:
    """Does heading h end the answer of question q?"""
    if _inside(nodes, h_idx, q_idx):
        return False  # a heading inside the question's own list item / details
    if q.kind == "heading":
        return h.level <= q.level
    return True


def _inside(nodes: list[Node], idx: int, ancestor: int) -> bool:
    """Is node idx inside node ancestor? A parent comes before its children in the stream, so the walk up
    stops once it is above the ancestor."""
    p = nodes[idx].parent
    while p > ancestor:
        p = nodes[p].parent
    return p == ancestor and p >= 0


def answer_blocks(
    nodes: list[Node], body: list[int], lines: list[str], file: str, reader: str, *, notes_style: bool = False
) -> list[Block]:
    """The nodes under a question → answer blocks, structure kept (code, tables, nested lists)."""
    if not body:
        return []
    if (
        notes_style
        and all(nodes[i].kind in ("item", "para") for i in body)
        and any(nodes[i].kind == "item" for i in body)
    ):
        return _notes_blocks(nodes, body, file, reader)
    blocks: list[Block] = []
    skip_until = -1
    for k, i in enumerate(body):
        if i <= skip_until:
            continue
        n = nodes[i]
        origin = SourceRef(file, n.line, (n.raw or n.text)[:500], reader)
        if n.kind == "item":
            block, skip_until = _list_block(nodes, body, k, lines, origin)
            blocks.append(block)
            continue
        make = BLOCK_MAKERS.get(n.kind)  # link, other, end: never content
        if make is not None:
            blocks.append(make(n, lines, origin))
    return blocks


def _list_block(nodes: list[Node], body: list[int], k: int, lines: list[str], origin: SourceRef) -> tuple[Block, int]:
    """One list: consecutive items of the list id of body[k] (and everything nested in them) → one block,
    and the last node index it took."""
    n = nodes[body[k]]
    group, nested = [], []
    members_of = set()
    for j in body[k:]:
        nj = nodes[j]
        if nj.kind == "item" and nj.list_id == n.list_id:
            group.append(j)
            members_of.add(j)
        elif _has_ancestor_in(nodes, j, members_of):
            nested.append(j)
        else:
            break
    last = max(group + nested)
    if not nested or n.fmt != "md":
        items = [nodes[g].text for g in group if nodes[g].text]
        if nested and n.fmt != "md":
            items += [nodes[j].text for j in nested if nodes[j].text]
        return Block(kind="list", items=items, fmt=n.fmt, ordered=n.ordered, origin=origin), last
    lo = min(nodes[g].line for g in group)
    hi = max(nodes[j].end for j in group + nested)
    return Block(kind="md", text=_dedent_lines(lines, lo, hi), fmt="md", origin=origin), last


def _para(n: Node, lines: list[str], origin: SourceRef) -> Block:
    return Block(kind="para", text=n.text, fmt=n.fmt, origin=origin)


def _label(n: Node, lines: list[str], origin: SourceRef) -> Block:
    return Block(kind="label", label=n.text, fmt=n.fmt, origin=origin)


def _subhead(n: Node, lines: list[str], origin: SourceRef) -> Block:
    return Block(kind="subhead", text=n.title if n.fmt != "md" else n.text, fmt=n.fmt, origin=origin)


def _code(n: Node, lines: list[str], origin: SourceRef) -> Block:
    return Block(kind="code", text=n.text, lang=n.lang, fmt="text", origin=origin)


def _table(n: Node, lines: list[str], origin: SourceRef) -> Block:
    return Block(kind="table", rows=n.rows, fmt=n.fmt, origin=origin)


def _quote(n: Node, lines: list[str], origin: SourceRef) -> Block:
    return Block(kind="md", text=_dedent_lines(lines, n.line, n.end), fmt="md", origin=origin)


def _html(n: Node, lines: list[str], origin: SourceRef) -> Block:
    return Block(kind="html", text=n.text, fmt="html", origin=origin)


def _image(n: Node, lines: list[str], origin: SourceRef) -> Block:
    return Block(kind="image", text=n.text, label=n.label, fmt="text", origin=origin)


# node kind → its answer block (a list item is `_list_block`: it takes the items after it too)
BLOCK_MAKERS: dict[str, Callable[[Node, list[str], SourceRef], Block]] = {
    "para": _para,
    "label": _label,
    "heading": _subhead,
    "summary": _subhead,
    "code": _code,
    "table": _table,
    "quote": _quote,
    "html": _html,
    "image": _image,
}


def _has_ancestor_in(nodes: list[Node], idx: int, ancestors: set[int]) -> bool:
    p = nodes[idx].parent
    while p >= 0:
        if p in ancestors:
            return True
        p = nodes[p].parent
    return False


ANSWER_WORDS = {
    "answer",
    "answer:",
    "ans",
    "ans:",
    "ans.",
    "a:",
    "a.",
    "solution",
    "solution:",
    "explanation",
    "explanation:",
}
_EMPTY_HTML = re.compile(r"(?is)(?:<br\s*/?>|</?p[^>]{0,200}>|</?div[^>]{0,200}>|&nbsp;|\s)*")


def tidy(blocks: list[Block]) -> list[Block]:
    """Drop an "Answer" marker (the answer follows it), an "Ans:" opening, and HTML that shows nothing."""
    out: list[Block] = []
    for b in blocks:
        if b.kind == "html" and _EMPTY_HTML.fullmatch(b.text) and "<img" not in b.text.lower():
            continue
        if (
            not out
            and b.kind in ("subhead", "para", "label")
            and (b.text or b.label).strip(" *_#").lower() in ANSWER_WORDS
        ):
            continue
        if not out and b.kind == "para" and (m := ANSWER_PREFIX.match(b.text)):
            b.text = b.text[m.end() :]
        out.append(b)
    return out


def _dedent_lines(lines: list[str], first: int, last: int) -> str:
    return textwrap.dedent("\n".join(lines[first - 1 : last])).strip("\n")


def _notes_blocks(nodes: list[Node], body: list[int], file: str, reader: str) -> list[Block]:
    """Notes whose answers are bullets under the question bullet: bold `Label:` bullets stay labels,
    runs of short bullets a list, full sentences paragraphs (a bullet is how notes indent text)."""
    parts: list[tuple[int, str, bool]] = []
    for i in body:
        n = nodes[i]
        if n.kind == "item" and n.text:
            parts.append((n.line, n.text, True))
        elif n.kind == "para" and n.text:
            parts.append((n.line, n.text, False))
    blocks: list[Block] = []
    for line, text, is_bullet in parts:
        text = " ".join(text.split())
        origin = SourceRef(file=file, line=line, text=text, reader=reader)
        if is_bullet and (m := LABEL.match(text)):
            blocks.append(Block(kind="label", label=m.group(1).strip(), text=m.group(2), fmt="md", origin=origin))
        elif is_bullet and len(text.split()) <= 10 and not re.search(r"[.:!?]$", text):
            if blocks and blocks[-1].kind == "list":
                blocks[-1].items.append(text)
            else:
                blocks.append(Block(kind="list", items=[text], fmt="md", origin=origin))
        else:
            blocks.append(Block(kind="para", text=text, fmt="md", origin=origin))
    for b in blocks:
        if b.kind == "list" and len(b.items) == 1:
            b.kind, b.text, b.items = "para", b.items[0], []
    return blocks


LABEL = re.compile(r"^\*\*([^*]{1,60}?:)\*\*\s*(.*)$")
