"""Run the content stages (read → clean/dedup → aliases → overlay → topics) without MkDocs."""
from __future__ import annotations

from dataclasses import dataclass, field
import re
from pathlib import Path

import yaml

from . import overlay
from .dedup import Candidate, Decisions, find_duplicates, merge_blocks
from .model import Question, SourceError, Topic
from .readers import ReadReport, raw_source_files, read_file
from .similarity import Glossary
from .topics import assign_topics, load_topic_map


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass
class Content:
    questions: list[Question]
    topics: list[Topic]
    reports: list[ReadReport]
    study_links: list[dict]
    errors: list[SourceError] = field(default_factory=list)  # raw sources that could not be read (skipped)
    fatal: list[SourceError] = field(default_factory=list)  # bad curated files (skipped): fail a build
    notes: list[str] = field(default_factory=list)  # informational lines for the build log
    warnings: list[str] = field(default_factory=list)  # problems a person should fix
    candidates: list[Candidate] = field(default_factory=list)  # possible duplicates a person should decide

    def index(self) -> dict[str, Question]:
        """Every question by its ID and by each alias (IDs merged into it keep resolving)."""
        found = {a: q for q in self.questions for a in q.aliases}
        found.update({q.id: q for q in self.questions})
        return found

    @property
    def source_questions(self) -> int:
        return sum(len(r.questions) for r in self.reports)

    def summary(self) -> str:
        n_in, n_out = self.source_questions, sum(1 for q in self.questions if not q.added_by_site)
        added = sum(1 for q in self.questions if q.added_by_site)
        return (
            f"{n_in} source questions → {n_out} published, {n_in - n_out} merged"
            + (f"; {added} added by the site's overlay" if added else "")
            + f"; {len(self.topics)} topics"
        )


def build_content(root: Path) -> Content:
    """Read every raw source under root/sources and produce placed, merged questions.

    A source that cannot be read is reported in `errors` and left out, so `mkdocs serve` keeps
    serving the rest; the hook turns errors into warnings, which `--strict` makes fatal.
    """
    sources = root / "sources"
    reports, errors = [], []
    for path in raw_source_files(sources):
        try:
            reports.append(read_file(path, path.relative_to(root).as_posix()))
        except SourceError as e:
            errors.append(e)
    raws = [q for r in reports for q in r.questions]
    topic_map = load_topic_map(sources / "topics.yaml", "sources/topics.yaml")
    dedup = find_duplicates(
        raws,
        glossary=Glossary.load(sources / "glossary.yaml", "sources/glossary.yaml"),
        decisions=Decisions.load(sources / "duplicates.yaml", "sources/duplicates.yaml"),
        pinned=topic_map.get("questions") or {},  # pinned IDs stay primary when a new file merges in
    )
    questions = apply_aliases(dedup.questions, sources / "aliases.yaml", root)
    warnings = [w for r in reports for w in r.warnings]
    fatal = overlay.apply(questions, sources / "overlay", root)
    topics, notes = assign_topics(questions, topic_map)
    notes += dedup_notes(dedup)
    links = [link for r in reports for link in r.study_links]
    return Content(questions, topics, reports, links, errors, fatal, notes, warnings, dedup.candidates)


def dedup_notes(dedup) -> list[str]:
    """Build-log lines: what the scorer merged, and the candidates waiting for a person."""
    notes = []
    if dedup.merged_by_meaning:
        shown = ", ".join(f"{a} → {b}" for a, b in dedup.merged_by_meaning[:5])
        more = f" and {len(dedup.merged_by_meaning) - 5} more" if len(dedup.merged_by_meaning) > 5 else ""
        notes.append(f"dedup: {len(dedup.merged_by_meaning)} questions merged by meaning (old ID kept as alias): {shown}{more}")
    if dedup.candidates:
        shown = ", ".join(f"{a} ≈ {b} ({c.score:.2f})" for c in dedup.candidates[:3] for a, b in [c.ids])
        more = f" and {len(dedup.candidates) - 3} more" if len(dedup.candidates) > 3 else ""
        notes.append(f"dedup: {len(dedup.candidates)} {'pair' if len(dedup.candidates) == 1 else 'pairs'} may be duplicates, for a person to decide in sources/duplicates.yaml "
                     f"(listed on review/duplicates/): {shown}{more}")
    notes.append(f"dedup: {dedup.comparisons} pairs compared")
    return notes


def apply_aliases(questions: list[Question], path: Path, root: Path) -> list[Question]:
    """Curated `old-id: survivor-id` pairs: merge a question into another, or keep a retired ID alive.

    The survivor keeps its ID; the old ID becomes an alias, so its permalink still lands.
    """
    if not path.exists():
        return questions
    rel = path.relative_to(root).as_posix()
    pairs = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    by_id = {q.id: q for q in questions}
    for old, new in pairs.items():
        if not isinstance(old, str) or not SLUG.fullmatch(old):
            raise SourceError(rel, None, f"alias {old!r} must be lower-case words joined by '-' (it becomes a URL)")
        if new not in by_id:
            raise SourceError(rel, None, f"alias {old!r} points at {new!r}, which is not a published question")
        survivor = by_id[new]
        if old in by_id:
            gone = by_id.pop(old)
            survivor.sources += gone.sources
            survivor.blocks = merge_blocks([survivor.blocks, gone.blocks])  # same merge as duplicates
            survivor.aliases += [gone.id, *gone.aliases]
        elif old not in survivor.aliases:
            survivor.aliases.append(old)
    return list(by_id.values())
