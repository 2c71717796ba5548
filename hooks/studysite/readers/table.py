"""CSV/TSV question lists (e.g. this site's own downloads/pytorch-interview-questions.csv): one row per
question, a question column and answer column(s) → `row` nodes for the segmenter."""

from __future__ import annotations

import csv
import io

from ..model import SourceError
from ..stream import Node, Parsed

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
    try:
        row = next(csv.reader([first], dialect), [])
    except csv.Error:
        return 0.0
    q, answers = _header(row)
    return 1.0 if q is not None and answers else 0.0


def parse(text: str, file: str) -> Parsed:
    dialect = _dialect(text)
    name = "TSV" if dialect and dialect.delimiter == "\t" else "CSV"
    parsed = Parsed([], text.split("\n"), kind="table", reader=name)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # a cell may be as long as the file
    reader = csv.reader(io.StringIO(text), dialect) if dialect else csv.reader(io.StringIO(text))
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
                parsed.dropped[ADDED] = parsed.dropped.get(ADDED, 0) + 1
                continue
            question = row[q_col].strip() if q_col < len(row) else ""
            answers = [row[k].strip() for k in a_cols if k < len(row)]
            parsed.nodes.append(row_node(start, question, answers, "md"))
    except csv.Error as e:
        raise SourceError(file, reader.line_num or None, f"not readable as CSV: {e}") from None
    return parsed


ADDED = "rows this site's overlay added (not from a source)"


def row_node(line: int, question: str, answers: list[str], fmt: str) -> Node:
    """One question/answer record (a CSV row, a JSON object) as the segmenter's `row` node."""
    return Node(
        "row", line=line, text=question, title=" ".join(question.split()), fmt=fmt, answer=answers, raw=question
    )
