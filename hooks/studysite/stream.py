"""The neutral block stream every reader produces and the one segmenter reads.

A reader turns its format (markdown, a saved HTML page, a `tag => [ text ]` dump, a CSV) into a flat
list of `Node`s in document order, each with the file line it came from. Nesting is kept as data
(`parent`, `depth`), so the segmenter can tell a top-level list item from one inside an answer without
knowing which format it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    kind: str
    # heading   – level, text
    # para      – text (a paragraph outside any list item's first line)
    # item      – a list item: depth, ordered, number; text = its first paragraph (the "lead")
    # label     – a bold label on its own (dump `strong => [ Tensor: ]`)
    # code      – text verbatim, lang
    # table     – rows (first row the header)
    # quote     – a block quote (text = its markdown/html, kept whole)
    # html      – an HTML fragment (sanitised when rendered)
    # image     – text = URL, label = alt text
    # summary   – the <summary> of a <details>: a question slot of its own
    # row       – one row of a question/answer table or CSV: text = question, answer = answer cells
    # end       – the end of a <details> (closes the answer of its summary)
    # link      – a navigation/link-out element (dumps): never content
    # other     – an element that carries no content (counted, never shown)
    line: int
    end: int = 0  # last line (inclusive)
    text: str = ""
    fmt: str = "md"  # "md" | "html" | "text": how `text` is rendered
    level: int = 0  # heading level (1-6)
    depth: int = 0  # enclosing list items (0 = not in a list); for items, the item's own list depth
    ordered: bool = False
    number: str = ""  # the source's own numbering of an item ("3")
    lang: str = ""
    label: str = ""
    rows: list[list[str]] = field(default_factory=list)
    parent: int = -1  # index of the enclosing item (or details summary), -1 at top level
    list_id: int = -1  # items of one list share it
    answer: list[str] = field(default_factory=list)  # row: the answer cells
    raw: str = ""  # source text as written (provenance); for md lists, the whole list's markdown
    tag: str = ""  # the element name in the source (dump / html), for the log
    has_children: bool = False  # items: something nested under the lead (answer text, sub-lists, code)
    title: str = ""  # plain text of a heading, item lead or paragraph (markup gone): question candidates
    bold: str = ""  # plain text of a bold span the text opens with ("**What is X?** …" → "What is X?")
    rest: str = ""  # the text after that bold span or after the first line (same fmt as text)
    indent: int = 0  # items: columns before the list marker in the source
    span: tuple[int, int] = (0, 0)  # items: first and last line of their whole list (markdown source)
    difficulty: str = ""  # a difficulty the source states for this record (JSON `level`), as written
    section: str = ""  # a grouping the source states for this record (JSON `topic`, a group's name)


@dataclass
class Parsed:
    """What a reader hands to the segmenter: the block stream and what it noticed on the way."""

    nodes: list[Node]
    lines: list[str]  # the file's lines as the nodes number them
    kind: str  # "dump" | "notes" | "html" | "table" | "notebook" | "json"
    reader: str  # for the log: "markdown", "HTML page", "dump", "CSV", "notebook", "JSON"
    warnings: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # what the reader itself left out (reason -> count)
