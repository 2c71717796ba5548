"""Scraped-page dumps: one element per `tag => [ text ]` line → the neutral block stream.

Tolerant: a value runs from its `[` to the last `]` before the next element line, so values may hold
`]` and `[`, span lines, and carry code. A value with no closing `]` at all is an error naming the line.
Which headings are questions is the segmenter's call (h2, h3 or h4, numbered or not).
"""

from __future__ import annotations

import html
import re

from ..model import SourceError
from ..stream import Node, Parsed

ELEMENT = re.compile(r"([A-Za-z][A-Za-z0-9]{0,20}) => \[")
# Markup residue left by the scraper, e.g. "network./p&gt;" (after entity decoding: "network./p>").
RESIDUE = re.compile(r"</?\s?/?(?:p|br|div|span|li|strong|em|b|i)\s?/?>|(?<=\S)/p>", re.I)
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
PARA_TAGS = {"p", "dd", "blockquote", "em", "i", "caption", "figcaption"}
LABEL_TAGS = {"strong", "b", "dt"}
CODE_TAGS = {"pre", "code"}
SERIAL = re.compile(r"s\.?\s?no\.?|#|sr\.?\s?no\.?|no\.?", re.I)


def sniff(text: str) -> float:
    """Share of non-blank lines that open an element (code inside values lowers it, so a file that
    opens with elements and has many of them counts as a dump too)."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        return 0.0
    starts = sum(1 for ln in lines if ELEMENT.match(ln))
    share = starts / len(lines)
    if ELEMENT.match(lines[0]) and starts >= 5 and share >= 0.2:
        return max(share, 0.6)
    return share


def parse_elements(text: str, file: str) -> list[tuple[str, str, int]]:
    """(tag, raw value, line) per element; an element whose value never closes is an error."""
    lines = text.split("\n")  # "\n" only, so line numbers match an editor's
    starts = [n for n, line in enumerate(lines) if ELEMENT.match(line)]
    first_text = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first_text is not None and (not starts or first_text < starts[0]):
        raise SourceError(file, first_text + 1, f"expected `tag => [ text ]`, found {lines[first_text].strip()[:60]!r}")
    out = []
    for k, start in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(lines)
        m = ELEMENT.match(lines[start])
        assert m is not None  # starts holds only lines ELEMENT matched
        tag = m.group(1).lower()
        value = "\n".join([lines[start][m.end() :], *lines[start + 1 : stop]]).rstrip()
        if not value.endswith("]"):
            raise SourceError(file, start + 1, f"unclosed `[` in `{tag} => [` element")
        out.append((tag, value[:-1], start + 1))
    return out


def clean_value(raw: str) -> str:
    """Entity-decoded, residue-free, whitespace-folded text. Still plain text: escaped on output."""
    text = html.unescape(raw)
    text = RESIDUE.sub("", text)
    return " ".join(text.split())


def read_nodes(text: str, file: str) -> list[Node]:
    nodes: list[Node] = []
    table: list[tuple[str, str, int]] = []
    list_id = 0

    def flush_table() -> None:
        if table:
            nodes.append(_table_node(table, file))
            table.clear()

    for tag, raw, line in parse_elements(text, file):
        end = line + raw.count("\n")
        if tag in ("th", "td"):
            value = clean_value(raw)
            if tag == "th" and table and table[-1][0] == "td":
                flush_table()  # a header row after data rows starts the next table
            table.append((tag, value, line))
            continue
        flush_table()
        if tag in CODE_TAGS:
            nodes.append(_code_node(tag, raw, line, end))
            continue
        value = clean_value(raw)
        if tag == "li" and value and (not nodes or nodes[-1].kind != "item"):
            list_id += 1  # an item after anything but an item starts the next list
        nodes.append(_element_node(tag, value, raw, line, end, list_id))
    flush_table()
    return nodes


def _code_node(tag: str, raw: str, line: int, end: int) -> Node:
    """Verbatim, less the one space the scraper writes after "[" and the blank edges."""
    code = html.unescape(raw)
    code = (code[1:] if code.startswith(" ") else code).rstrip().strip("\n")
    return Node("code", line=line, end=end, text=code, fmt="text", raw=raw.strip(), tag=tag)


def _element_node(tag: str, value: str, raw: str, line: int, end: int, list_id: int) -> Node:
    """Any element but a table cell or code: its node, by tag."""
    if tag == "a":
        return Node("link", line=line, end=end, text=value, fmt="text", raw=raw.strip(), tag=tag)
    if not value and tag in HEADINGS | PARA_TAGS | LABEL_TAGS | {"li"}:
        return Node("other", line=line, end=end, fmt="text", tag="empty")
    if tag in HEADINGS:
        return Node(
            "heading",
            line=line,
            end=end,
            level=int(tag[1]),
            text=value,
            title=value,
            fmt="text",
            raw=raw.strip(),
            tag=tag,
        )
    if tag in PARA_TAGS:
        return Node("para", line=line, end=end, text=value, title=value, fmt="text", raw=raw.strip(), tag=tag)
    if tag in LABEL_TAGS:
        # A bold label ("Tensor:") whose explanation the scrape may have lost; or a bold question.
        return Node(
            "label", line=line, end=end, text=value, title=value, bold=value, fmt="text", raw=raw.strip(), tag=tag
        )
    if tag == "li":
        return Node(
            "item",
            line=line,
            end=end,
            text=value,
            title=value,
            depth=1,
            fmt="text",
            list_id=list_id,
            raw=raw.strip(),
            tag=tag,
        )
    return Node("other", line=line, end=end, fmt="text", tag=tag)


def parse(text: str, file: str) -> Parsed:
    return Parsed(read_nodes(text, file), text.split("\n"), kind="dump", reader="dump")


def _table_node(cells: list[tuple[str, str, int]], file: str) -> Node:
    """Rebuild a flattened th/td run: the th count gives the column count."""
    header = [c[1] for c in cells if c[0] == "th"]
    data = [c[1] for c in cells if c[0] == "td"]
    width = len(header) or 1
    if len(data) % width:
        raise SourceError(file, cells[0][2], f"table has {len(data)} cells, not a multiple of its {width} columns")
    rows = ([header] if header else []) + [data[i : i + width] for i in range(0, len(data), width)]
    # A leading serial-number column ("S.No", "1.", "2." …) carries nothing: drop it.
    if (
        header
        and len(header) > 1
        and SERIAL.fullmatch(header[0].strip())
        and all(re.fullmatch(r"\d+\.?", r[0].strip()) for r in rows[1:])
    ):
        rows = [r[1:] for r in rows]
    return Node("table", line=cells[0][2], end=cells[-1][2], rows=rows, fmt="text", raw=cells[0][1], tag="table")
