"""Find the raw inputs in sources/ and pick each one's reader from its content, not its name.

Every reader turns its format into the same block stream (readers/stream.py) and hands it to the one
segmenter (segment.py), which finds the questions whatever the format.
"""
from __future__ import annotations

from pathlib import Path

from ..gcpause import paused_gc
from ..model import SourceError
from . import dump, html, notes, table
from .base import RawQuestion, ReadReport

__all__ = ["RawQuestion", "ReadReport", "read_file", "read_sources", "raw_source_files"]

# (name, module, threshold): the first whose sniff score reaches its threshold reads the file.
# A dump is almost nothing but `tag => [` lines; an HTML page starts like one; a CSV has a header row
# naming a question column; anything else with text is tried as markdown.
READERS = [("dump", dump, 0.6), ("html", html, 1.0), ("table", table, 1.0), ("notes", notes, 1.0)]
# Curated overlays and docs in sources/ are not raw inputs.
NOT_RAW = {".yaml", ".yml", ".json"}


def raw_source_files(sources_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in sources_dir.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in NOT_RAW
    )


def decode(data: bytes, file: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise SourceError(file, line, f"not UTF-8 (byte 0x{data[e.start]:02x} at column {col}); save it as UTF-8") from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read_text(text: str, rel: str) -> ReadReport:
    if not text.strip():
        return ReadReport(file=rel, kind="empty")
    with paused_gc():  # a parse allocates millions of small acyclic objects (see gcpause.py)
        for _name, module, threshold in READERS:
            if module.sniff(text) >= threshold:
                return module.read(text, rel)
    raise SourceError(rel, None, "format not recognised: expected a question list (markdown, HTML, CSV or a `tag => [ text ]` dump)")


def read_file(path: Path, rel: str) -> ReadReport:
    return read_text(decode(path.read_bytes(), rel), rel)


def read_sources(sources_dir: Path, repo_root: Path) -> list[ReadReport]:
    return [read_file(p, p.relative_to(repo_root).as_posix()) for p in raw_source_files(sources_dir)]
