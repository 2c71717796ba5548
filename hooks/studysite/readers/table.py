"""CSV/TSV question lists (e.g. this site's own downloads/pytorch-interview-questions.csv): one row per
question, a question column and answer column(s) → `row` nodes for the segmenter."""
from __future__ import annotations

import csv
import io

from ..model import SourceError
from .base import ReadReport
from .stream import Node

QUESTION_HEADS = ("question", "questions", "q", "front", "prompt", "title")
ANSWER_HEADS = ("answer", "answers", "a", "back", "response", "explanation", "solution")


def _dialect(text: str):
    sample = text[:20000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        return None


def _header(row: list[str]) -> tuple[int | None, list[int]]:
    heads = [h.strip().lower() for h in row]
    q = next((k for k, h in enumerate(heads) if h in QUESTION_HEADS or h.startswith("question")), None)
    answers = [k for k, h in enumerate(heads) if h in ANSWER_HEADS or h.startswith("answer")]
    return q, answers


def sniff(text: str) -> float:
    """A header row naming a question column, in a file the csv module can split consistently."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    dialect = _dialect(text)
    if dialect is None or dialect.delimiter not in first:
        return 0.0
    row = next(csv.reader([first], dialect), [])
    q, answers = _header(row)
    return 1.0 if q is not None and answers else 0.0


def read(text: str, file: str) -> ReadReport:
    from ..segment import segment  # (segment imports readers.base: import it when reading)

    report = ReadReport(file=file, kind="table", reader="CSV" if _dialect(text) and _dialect(text).delimiter != "\t" else "TSV")
    dialect = _dialect(text)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # a cell may be as long as the file
    reader = csv.reader(io.StringIO(text), dialect) if dialect else csv.reader(io.StringIO(text))
    nodes: list[Node] = []
    try:
        header = next(reader)
        q_col, a_cols = _header(header)
        if q_col is None:
            raise SourceError(file, 1, "no question column in the header row (name one `question`)")
        heads = [h.strip().lower() for h in header]
        # this site's own export marks the questions its overlay added: they are not a source's
        added_col = heads.index("added_by_site") if "added_by_site" in heads else None
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in row):
                continue
            if added_col is not None and added_col < len(row) and row[added_col].strip().lower() == "true":
                report.drop("rows this site's overlay added (not from a source)")
                continue
            question = row[q_col].strip() if q_col < len(row) else ""
            answers = [row[k] for k in a_cols if k < len(row)]
            nodes.append(Node("row", line=start, text=question, title=" ".join(question.split()), fmt="md",
                              answer=[a.strip() for a in answers], raw=question))
    except csv.Error as e:
        raise SourceError(file, reader.line_num or None, f"not readable as CSV: {e}") from None
    segment(nodes, text.split("\n"), report, reader="table")
    return report
