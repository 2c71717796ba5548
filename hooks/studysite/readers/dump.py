"""Reader for scraped HTML dumps: one element per `tag => [ text ]` line, values may span lines."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..model import Block, SourceError, SourceRef
from .base import RawQuestion, ReadReport

ELEMENT = re.compile(r"^([A-Za-z][A-Za-z0-9]*) => \[(.*)$")
QUESTION = re.compile(r"^\s*(\d+)\s*[).:-]\s*(.+)$")
# "Click here for more information" and similar link-outs: not content, counted as dropped.
LINK_OUT = re.compile(r"^\s*click here\b", re.I)
# Markup residue left by the scraper, e.g. "network./p&gt;" (after entity decoding: "network./p>").
RESIDUE = re.compile(r"</?\s*/?(?:p|br|div|span|li|strong|em|b|i)\s*/?>|(?<=\S)/p>", re.I)
ANSWER_TAGS = {"p", "li", "strong", "b", "em", "th", "td", "pre", "code", "blockquote", "dd", "dt"}
# Headings other than a numbered h3 end the question section (site navigation follows).
SECTION_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass
class Element:
    tag: str
    value: str  # raw text between "[" and "]" (entities not decoded)
    line: int


def sniff(text: str) -> float:
    """Share of non-blank lines that open an element: a dump is mostly such lines."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        return 0.0
    starts = sum(1 for ln in lines if ELEMENT.match(ln))
    return starts / len(lines)


def parse_elements(text: str, file: str) -> list[Element]:
    """Split a dump into elements; an unclosed `[` is an error naming file and line."""
    elements: list[Element] = []
    lines = text.split("\n")  # "\n" only, so line numbers match an editor's
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        m = ELEMENT.match(line)
        if not m:
            raise SourceError(file, i + 1, f"expected `tag => [ text ]`, found {line.strip()[:60]!r}")
        tag, rest, start = m.group(1).lower(), m.group(2), i
        chunks = [rest]
        while not chunks[-1].rstrip().endswith("]"):
            i += 1
            if i >= len(lines) or ELEMENT.match(lines[i]):
                raise SourceError(file, start + 1, f"unclosed `[` in `{tag} => [` element")
            chunks.append(lines[i])
        value = "\n".join(chunks).rstrip()
        elements.append(Element(tag, value[:-1], start + 1))
        i += 1
    return elements


def clean_value(raw: str) -> str:
    """Entity-decoded, residue-free, whitespace-folded text. Still plain text: escaped on output."""
    text = html.unescape(raw)
    text = RESIDUE.sub("", text)
    return " ".join(text.split())


def read(text: str, file: str) -> ReadReport:
    report = ReadReport(file=file, kind="dump")
    current: RawQuestion | None = None
    table: list[Element] = []  # flattened th/td run of the current question

    def flush_table() -> None:
        if current is not None and table:
            current.blocks.append(_table_block(table, current.ref))
        table.clear()

    for el in parse_elements(text, file):
        value = clean_value(el.value)
        if el.tag == "h3" and (m := QUESTION.match(value)):
            flush_table()
            ref = SourceRef(file=file, line=el.line, text=el.value.strip(), reader="dump")
            current = RawQuestion(ref=ref, title=m.group(2).strip())
            report.questions.append(current)
            continue
        if el.tag in SECTION_TAGS:
            # Page title before the first question, or navigation sections after the last one.
            flush_table()
            current = None
            report.drop("headings outside questions (page title, navigation)")
            continue
        if current is None:
            report.drop("elements outside questions (intro, navigation)")
            continue
        if el.tag == "a":
            report.drop("'Click here' links" if LINK_OUT.match(value) else "navigation links")
            continue
        if el.tag not in ANSWER_TAGS:
            report.drop(f"non-content <{el.tag}> elements")
            continue
        if not value:
            report.drop("empty elements")
            continue
        if el.tag in ("th", "td"):
            if el.tag == "th" and table and table[-1].tag == "td":
                flush_table()  # a header row after data rows starts the next table
            table.append(Element(el.tag, value, el.line))
            continue
        flush_table()
        origin = SourceRef(file=file, line=el.line, text=el.value.strip(), reader="dump")
        blocks = current.blocks
        if el.tag in ("strong", "b", "dt"):
            # A label whose explanation the scrape lost; the merge may recover it from another source.
            blocks.append(Block(kind="label", label=value, origin=origin))
        elif el.tag == "li":
            if blocks and blocks[-1].kind == "list":
                blocks[-1].items.append(value)
            else:
                blocks.append(Block(kind="list", items=[value], origin=origin))
        else:
            blocks.append(Block(kind="para", text=value, origin=origin))
    flush_table()
    for q in report.questions:
        if not q.blocks:
            report.warnings.append(f"{file}:{q.ref.line}: question has no answer text in this source")
    return report


def _table_block(cells: list[Element], ref: SourceRef) -> Block:
    """Rebuild a flattened th/td run: the th count gives the column count."""
    header = [c.value for c in cells if c.tag == "th"]
    data = [c.value for c in cells if c.tag == "td"]
    width = len(header) or 1
    if len(data) % width:
        raise SourceError(ref.file, cells[0].line, f"table has {len(data)} cells, not a multiple of its {width} columns")
    rows = [header] + [data[i : i + width] for i in range(0, len(data), width)] if header else [
        data[i : i + width] for i in range(0, len(data), width)
    ]
    # A leading serial-number column ("S.No", "1.", "2." …) carries nothing: drop it.
    if header and len(header) > 1 and re.fullmatch(r"s\.?\s*no\.?|#|sr\.?\s*no\.?|no\.?", header[0].strip(), re.I) and all(
        re.fullmatch(r"\d+\.?", r[0].strip()) for r in rows[1:]
    ):
        rows = [r[1:] for r in rows]
    return Block(kind="table", rows=rows, origin=SourceRef(ref.file, cells[0].line, cells[0].value, "dump"))
