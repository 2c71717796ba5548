"""Jupyter notebooks (.ipynb) → the neutral block stream: markdown cells through the markdown reader,
code cells kept as code (in the answer of the question they follow), outputs ignored.

The cells are laid end to end as one markdown document (code cells as fences, an HTML comment between
cells so no list or paragraph runs from one cell into the next); `cell_of` maps its lines back to cells.
"""

from __future__ import annotations

import json
import re
import warnings

import nbformat

from ..model import SourceError
from ..stream import Parsed
from .markdown import read_nodes

# A notebook's top-level keys, in the order nbformat writes them; any of them opening the file says notebook.
OPENING = re.compile(r'\{\s*"(?:cells|metadata|nbformat|nbformat_minor|worksheets)"\s*:')
SEPARATOR = "<!-- cell -->"
TICKS = re.compile(r"`{3,}")


def sniff(text: str) -> float:
    head = text.lstrip()[:2000]
    return 1.0 if OPENING.match(head) or (head.startswith("{") and '"cell_type"' in head) else 0.0


def load(text: str, file: str) -> nbformat.NotebookNode:
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        raise SourceError(file, e.lineno, f"not a readable notebook (JSON: {e.msg}, column {e.colno})") from None
    try:
        with warnings.catch_warnings():  # "cell is missing an id field": a notebook as old files are
            warnings.simplefilter("ignore")
            return nbformat.reads(text, as_version=4)
    except Exception as e:  # nbformat raises several kinds for a document that is not a notebook
        raise SourceError(file, None, f"not a readable notebook: {type(e).__name__}: {str(e)[:200]}") from None


def as_markdown(nb: nbformat.NotebookNode) -> tuple[str, list[tuple[int, int]]]:
    """(one markdown document, for each of its lines the (0-based cell, 1-based line in the cell))."""
    lang = str((nb.get("metadata") or {}).get("kernelspec", {}).get("language", "") or "python")
    out: list[str] = []
    where: list[tuple[int, int]] = []

    def put(line: str, cell: int, at: int) -> None:
        out.append(line)
        where.append((cell, at))

    for k, cell in enumerate(nb.get("cells") or []):
        source = cell.get("source") or ""
        source = "".join(source) if isinstance(source, list) else str(source)
        lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        kind = cell.get("cell_type")
        if kind == "markdown":
            for n, line in enumerate(lines, start=1):
                put(line, k, n)
        elif kind == "code" and source.strip():
            fence = "`" * max(3, 1 + max((len(m) for m in TICKS.findall(source)), default=0))
            put(fence + lang, k, 1)
            for n, line in enumerate(lines, start=1):
                put(line, k, n)
            put(fence, k, len(lines))
        else:
            continue  # raw cells and empty code cells carry no question or answer
        for sep in ("", SEPARATOR, ""):
            put(sep, k, len(lines))
    return "\n".join(out), where


def parse(text: str, file: str) -> Parsed:
    markdown, _where = as_markdown(load(text, file))
    nodes, lines, warnings = read_nodes(markdown, file)
    return Parsed(nodes, lines, kind="notebook", reader="notebook", warnings=warnings)


def cell_of(text: str, file: str, line: int) -> tuple[int, int]:
    """The (0-based cell, 1-based line in it) a line of the notebook's markdown came from."""
    _markdown, where = as_markdown(load(text, file))
    return where[min(max(line, 1), len(where)) - 1] if where else (0, 1)
