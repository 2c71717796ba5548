"""Markdown question lists (READMEs, personal notes): markdown-it block stream → the one segmenter."""
from __future__ import annotations

from .base import ReadReport
from .markdown import read_nodes


def sniff(text: str) -> float:
    """Markdown is the fallback for text: anything with words can be tried (the segmenter decides)."""
    return 1.0 if text.strip() else 0.0


def read(text: str, file: str) -> ReadReport:
    from ..segment import segment  # (segment imports readers.base: import it when reading)

    report = ReadReport(file=file, kind="notes", reader="markdown")
    nodes, lines, warnings = read_nodes(text, file)
    report.warnings += warnings
    segment(nodes, lines, report, reader="notes")
    return report
