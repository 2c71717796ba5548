"""Find the raw inputs in sources/ and pick each one's reader from its content, not its name.

Every reader turns its format into the same block stream (stream.py); `read_text` hands it to the one
segmenter (segment.py), which finds the questions whatever the format. Whatever goes wrong inside a
reader or the segmenter is one SourceError naming the file: never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from .. import hints as reading_hints
from ..detect import Model
from ..gcpause import paused_gc
from ..hints import FileHints
from ..model import RawQuestion, ReadReport, SourceError
from ..segment import segment
from ..stream import Parsed
from . import dump, html, jsonlist, notebook, notes, table

__all__ = ["RawQuestion", "ReadReport", "parse_text", "read_file", "read_sources", "raw_source_files", "read_text"]

# (name, module, threshold): the first whose sniff score reaches its threshold reads the file.
# A notebook and a JSON document open with `{`/`[` and are tried before anything that splits lines
# (the CSV sniffer would take a notebook's quotes and commas for a table). A dump is almost nothing but
# `tag => [` lines; an HTML page starts like one; a CSV has a header row naming a question column;
# anything else with text is tried as markdown.
READERS: list[tuple[str, ModuleType, float]] = [
    ("notebook", notebook, 1.0),
    ("json", jsonlist, 1.0),
    ("dump", dump, 0.6),
    ("html", html, 1.0),
    ("table", table, 1.0),
    ("notes", notes, 1.0),
]
# Curated files in sources/ are not raw inputs (a JSON file is: a question list, e.g. questions.json).
NOT_RAW = {".yaml", ".yml"}
NESTING = "nested too deeply to read (a list, quote or element inside hundreds of others); flatten it"


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
        raise SourceError(
            file, line, f"not UTF-8 (byte 0x{data[e.start]:02x} at column {col}); save it as UTF-8"
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def pick(text: str) -> tuple[str, ModuleType]:
    for name, module, threshold in READERS:
        if module.sniff(text) >= threshold:
            return name, module
    return "notes", notes


def parse_text(text: str, rel: str, kind: str | None = None) -> Parsed:
    """The block stream of one file (by the reader its content calls for, or the one named)."""
    return guarded(rel, _parse, text, rel, kind)


def _parse(text: str, rel: str, kind: str | None) -> Parsed:
    module = {name: m for name, m, _ in READERS}[kind] if kind else pick(text)[1]
    parsed: Parsed = module.parse(text, rel)
    return parsed


def read_text(
    text: str, rel: str, kind: str | None = None, *, model: Model | None = None, hints: FileHints | None = None
) -> ReadReport:
    if not text.strip():
        return ReadReport(file=rel, kind="empty")
    with paused_gc():  # a parse allocates millions of small acyclic objects (see gcpause.py)
        parsed = parse_text(text, rel, kind)
        report = ReadReport(file=rel, kind=parsed.kind, reader=parsed.reader, warnings=list(parsed.warnings))
        for why, n in parsed.dropped.items():
            report.drop(why, n)
        guarded(rel, segment, parsed.nodes, parsed.lines, report, reader=parsed.kind, model=model, hints=hints)
    return report


def guarded(rel: str, func, *args, **kw):
    """Run one reading step; anything but a SourceError becomes one, naming the file."""
    try:
        return func(*args, **kw)
    except SourceError:
        raise
    except RecursionError:
        raise SourceError(rel, None, NESTING) from None
    except Exception as e:  # a reader's bug or a library's limit must not surface as a traceback
        raise SourceError(rel, None, f"could not be read ({type(e).__name__}: {str(e)[:200]})") from e


def read_file(path: Path, rel: str, *, model: Model | None = None) -> ReadReport:
    """Read one raw file, with the hints sources/reading.yaml gives for it."""
    return read_text(decode(path.read_bytes(), rel), rel, model=model, hints=reading_hints.for_file(path, rel))


def read_sources(sources_dir: Path, repo_root: Path) -> list[ReadReport]:
    return [read_file(p, p.relative_to(repo_root).as_posix()) for p in raw_source_files(sources_dir)]
