"""Markdown question lists (READMEs, personal notes): markdown-it block stream."""

from __future__ import annotations

from ..stream import Parsed
from .markdown import read_nodes


def sniff(text: str) -> float:
    """Markdown is the fallback for text: anything with words can be tried (the segmenter decides)."""
    return 1.0 if text.strip() else 0.0


def parse(text: str, file: str) -> Parsed:
    nodes, lines, warnings = read_nodes(text, file)
    return Parsed(nodes, lines, kind="notes", reader="markdown", warnings=warnings)
