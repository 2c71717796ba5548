"""Run the content stages (read → clean/dedup → aliases → overlay → topics) without MkDocs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
import os
from pathlib import Path

from . import overlay, stage, yamlfile
from .dedup import Candidate, Decisions, find_duplicates, merge_blocks, question_id
from .dedup import Dedup
from .embeddings import Encoder, shared_encoder
from .errors import UnknownQuestion, is_consequence
from .model import Question, RawQuestion, SourceError, Topic
from .readers import ReadReport, raw_source_files, read_file
from .similarity import Glossary
from .topics import assign_topics, load_topic_map
from .urls import SLUG


@dataclass
class Content:
    questions: list[Question]
    topics: list[Topic]
    reports: list[ReadReport]
    study_links: list[dict]
    errors: list[SourceError] = field(default_factory=list)  # raw sources that could not be read
    fatal: list[SourceError] = field(default_factory=list)  # bad curated files (skipped): fail a build
    notes: list[str] = field(default_factory=list)  # informational lines for the build log
    warnings: list[str] = field(default_factory=list)  # problems a person should fix
    # Errors that follow from `errors` (an overlay naming a question whose source failed to read):
    # reported after the cause, never instead of it.
    consequences: list[SourceError] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # files served from their last good reading (serve)
    candidates: list[Candidate] = field(default_factory=list)  # possible duplicates a person should decide
    auto_decided: list[Candidate] = field(default_factory=list)  # doubtful pairs the dedup model decided (over budget)

    def index(self) -> dict[str, Question]:
        """Every question by its ID and by each alias (IDs merged into it keep resolving)."""
        return overlay.question_index(self.questions)

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


class ContentError(Exception):
    """The content could not be built at all (e.g. a broken topic map); errors in reporting order."""

    def __init__(self, errors: list[SourceError], consequences: Sequence[SourceError] = ()):
        self.errors, self.consequences = errors, list(consequences)
        super().__init__("\n".join(str(e) for e in [*errors, *self.consequences]))


def check_sources_dir(sources: Path, root: Path) -> tuple[list[Path], list[SourceError], list[str]]:
    """Entries of sources/ that are not plain files inside the project: (refused paths, errors, warnings).

    A symlink is followed only when it stays inside the project; one pointing outside is refused (the
    build would publish a file from elsewhere on the machine), a dangling one is an error (a source that
    cannot be read), and a sub-folder other than overlay/ is reported, since only the top level is read.
    """
    refused: list[Path] = []
    errors: list[SourceError] = []
    warnings: list[str] = []
    if not sources.is_dir():
        return refused, errors, warnings
    project = root.resolve()
    for p in sorted(sources.iterdir()):
        if p.name.startswith("."):
            continue
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            target = p.resolve()
            if not target.exists():
                refused.append(p)
                errors.append(SourceError(rel, None, f"symlink to {os.readlink(p)!r}, which does not exist"))
                continue
            if not target.is_relative_to(project):
                refused.append(p)
                errors.append(
                    SourceError(
                        rel,
                        None,
                        f"symlink to {target}, outside the project: refused (copy the file into sources/ instead)",
                    )
                )
                continue
        if p.is_dir() and p.name != "overlay":
            refused.append(p)
            warnings.append(
                f"{rel}/: sub-folders of sources/ are not read (only the top level, and "
                "sources/overlay/ for curated files): move its files up, or out of sources/"
            )
    return refused, errors, warnings


def build_content(
    root: Path, last_good: dict[str, ReadReport] | None = None, *, embeddings_dir: Path | None = None
) -> Content:
    """Read every raw source under root/sources and produce placed, merged questions.

    A source that cannot be read is reported in `errors` (first: it is the cause) and left out, or, when
    `last_good` has an earlier reading of it (mkdocs serve), that reading is used so the site stays as it
    was while the file is being fixed. Problems of curated files (aliases, overlays) are in `fatal`;
    an overlay naming a question that vanished because its source failed is in `consequences`.
    Raises ContentError only when nothing sensible can be built (a broken topic map).
    embeddings_dir: where the sentence-embedding cache lives (StudyConfig.embeddings_dir; None: the
    library's default, the repository's .cache/).
    """
    sources = root / "sources"
    read = read_project_sources(root, last_good)
    topic_map, glossary, decisions = _load_curated(sources, read.errors)
    consequences: list[SourceError] = []
    encoder = shared_encoder(embeddings_dir) if embeddings_dir is not None else None
    raws = [q for r in read.reports for q in r.questions]
    pinned = topic_map.get("questions") or {}  # pinned IDs stay primary when a new file merges in
    dedup = _deduplicate(raws, glossary, decisions, pinned, encoder, read.errors, consequences)
    notes = collision_notes(dedup.questions)
    questions, fatal = _apply_curated(dedup.questions, sources, root, read.errors, consequences)
    try:
        with stage.at("placing questions in topics"):
            topics, topic_notes = assign_topics(questions, topic_map)
    except SourceError as e:
        raise ContentError([*read.errors, *fatal, e], consequences) from None
    return Content(
        questions,
        topics,
        read.reports,
        [link for r in read.reports for link in r.study_links],
        read.errors,
        fatal,
        notes + topic_notes + dedup_notes(dedup),
        read.warnings,
        consequences=consequences,
        stale=read.stale,
        candidates=dedup.candidates,
        auto_decided=dedup.auto_decided,
    )


@dataclass
class Reading:
    """What `read_project_sources` found: one report per source read (or served from its last good reading)."""

    reports: list[ReadReport]
    errors: list[SourceError]  # the sources that could not be read, in file order: the causes
    stale: list[str]  # files served from their last good reading (serve)
    warnings: list[str]  # sub-folders of sources/, then each reader's warnings


def read_project_sources(root: Path, last_good: dict[str, ReadReport] | None = None) -> Reading:
    """Read every raw source in root/sources; a source that fails falls back on `last_good` (serve)."""
    sources = root / "sources"
    reports: list[ReadReport] = []
    stale: list[str] = []
    refused, errors, dir_warnings = check_sources_dir(sources, root)
    for path in raw_source_files(sources) if sources.is_dir() else []:
        if path in refused:
            continue
        rel = path.relative_to(root).as_posix()
        try:
            with stage.at("reading sources", rel):
                reports.append(_nonempty(read_file(path, rel), path))
        except SourceError as e:
            errors.append(e)
            if last_good and rel in last_good:
                reports.append(last_good[rel])
                stale.append(rel)
    return Reading(reports, errors, stale, dir_warnings + [w for r in reports for w in r.warnings])


def _load_curated(sources: Path, errors: list[SourceError]) -> tuple[dict, Glossary, Decisions]:
    """The topic map, the glossary and the duplicates decisions; a bad one stops the build (ContentError)."""
    try:
        with stage.at("reading the topic map", "sources/topics.yaml"):
            topic_map = load_topic_map(sources / "topics.yaml", "sources/topics.yaml")
        with stage.at("reading the glossary", "sources/glossary.yaml"):
            glossary = Glossary.load(sources / "glossary.yaml", "sources/glossary.yaml")
        with stage.at("reading duplicates decisions", "sources/duplicates.yaml"):
            decisions = Decisions.load(sources / "duplicates.yaml", "sources/duplicates.yaml")
    except SourceError as e:
        raise ContentError([*errors, e]) from None
    return topic_map, glossary, decisions


def _deduplicate(
    raws: list[RawQuestion],
    glossary: Glossary,
    decisions: Decisions,
    pinned: Iterable[str],
    encoder: Encoder | None,
    errors: list[SourceError],
    consequences: list[SourceError],
) -> Dedup:
    """find_duplicates; a decision naming a question of a source that failed to read is a consequence
    (appended to `consequences`), and the rest is deduplicated without the decisions (serve keeps going; a
    build fails on the cause anyway). With no failed source, a bad decision stops the build."""
    try:
        with stage.at("deduplicating questions"):
            return find_duplicates(raws, glossary=glossary, decisions=decisions, pinned=pinned, encoder=encoder)
    except SourceError as e:
        if not errors:
            raise ContentError([e]) from None
        consequences.append(e)
    undecided = Decisions(file=decisions.file)
    return find_duplicates(raws, glossary=glossary, decisions=undecided, pinned=pinned, encoder=encoder)


def _apply_curated(
    questions: list[Question], sources: Path, root: Path, errors: list[SourceError], consequences: list[SourceError]
) -> tuple[list[Question], list[SourceError]]:
    """aliases.yaml, then the overlays: (questions, fatal errors). An error that follows from a source
    that failed to read is appended to `consequences` instead; a bad file is left unapplied, so the rest
    of the site still builds (serve) while the build fails."""
    fatal: list[SourceError] = []

    def report(error: SourceError) -> None:
        (consequences if is_consequence(error, errors) else fatal).append(error)

    try:
        with stage.at("applying aliases", "sources/aliases.yaml"):
            questions = apply_aliases(questions, sources / "aliases.yaml", root)
    except SourceError as e:
        report(e)
    for error in overlay.apply(questions, sources / "overlay", root):
        report(error)
    return questions, fatal


def _nonempty(report: ReadReport, path: Path) -> ReadReport:
    """An empty source is an error of its own (else the first complaint would be a curated file naming
    its vanished questions, e.g. a decision in duplicates.yaml)."""
    if report.kind == "empty" and not report.questions:
        size = path.stat().st_size
        raise SourceError(
            report.file,
            None,
            f"the file is empty ({size:,} bytes, no questions): restore its content, "
            "or delete the file to drop its questions",
        )
    return report


def collision_notes(questions: list[Question]) -> list[str]:
    """Questions whose natural ID was taken by another question (dedup gave them a hashed ID)."""
    by_id = {q.id: q for q in questions}
    notes = []
    for q in questions:
        base = question_id(q.key)
        if q.id != base and base in by_id:
            first, ref = by_id[base].sources[0], q.sources[0]
            notes.append(
                f"{ref.file}:{ref.line}: question ID {base!r} is also the ID of {first.file}:{first.line} "
                f"({first.text!r}), so this question is published as {q.id!r}. If both are the same question, "
                f"merge them with the line `{q.id}: {base}` in sources/aliases.yaml"
            )
    return notes


def dedup_notes(dedup) -> list[str]:
    """Build-log lines: what the scorer merged, and the candidates waiting for a person."""
    notes = []
    if dedup.merged_by_meaning:
        shown = ", ".join(f"{a} → {b}" for a, b in dedup.merged_by_meaning[:5])
        more = f" and {len(dedup.merged_by_meaning) - 5} more" if len(dedup.merged_by_meaning) > 5 else ""
        notes.append(
            f"dedup: {len(dedup.merged_by_meaning)} questions merged by meaning (old ID kept as alias): {shown}{more}"
        )
    if dedup.candidates:
        shown = ", ".join(f"{a} ≈ {b} ({c.score:.2f})" for c in dedup.candidates[:3] for a, b in [c.ids])
        more = f" and {len(dedup.candidates) - 3} more" if len(dedup.candidates) > 3 else ""
        notes.append(
            f"dedup: {len(dedup.candidates)} {'pair' if len(dedup.candidates) == 1 else 'pairs'} may be duplicates, "
            "for a person to decide in sources/duplicates.yaml "
            f"(listed on review/duplicates/): {shown}{more}"
        )
    notes.append(f"dedup: {dedup.comparisons} pairs compared")
    return notes


def apply_aliases(questions: list[Question], path: Path, root: Path) -> list[Question]:
    """Curated `old-id: survivor-id` pairs: merge a question into another, or keep a retired ID alive.

    The survivor keeps its ID; the old ID becomes an alias, so its permalink still lands. Chains
    (`a: b` and `b: c`, in either order) resolve to the end of the chain; a cycle is an error.
    """
    if not path.exists():
        return questions
    rel = path.relative_to(root).as_posix()
    pairs = yamlfile.expect_mapping(yamlfile.load(path, rel), rel, "aliases.yaml")
    for old, new in pairs.items():
        line = yamlfile.line_of(pairs, old)
        if not isinstance(old, str) or not SLUG.fullmatch(old):
            raise SourceError(rel, line, f"alias {old!r} must be lower-case words joined by '-' (it becomes a URL)")
        if not isinstance(new, str):
            raise SourceError(rel, line, f"alias {old!r} must point at one question ID, not {yamlfile._kind(new)}")

    def final(old: str) -> str:
        chain = [old]
        target = pairs[old]
        while target in pairs:
            if target in chain:
                cycle = " → ".join([*chain[chain.index(target) :], target])
                raise SourceError(
                    rel, yamlfile.line_of(pairs, old), f"alias cycle {cycle}: each ID must end at a question"
                )
            chain.append(target)
            target = pairs[target]
        return target

    by_id = {q.id: q for q in questions}
    alias_of = {a: q for q in questions for a in q.aliases}
    for old in pairs:
        new = final(old)
        survivor = by_id.get(new) or alias_of.get(new)
        if survivor is None:
            raise UnknownQuestion(
                rel, yamlfile.line_of(pairs, old), f"alias {old!r} points at {new!r}, which is not a published question"
            )
        if old in by_id and by_id[old] is not survivor:
            gone = by_id.pop(old)
            survivor.sources += gone.sources
            survivor.blocks = merge_blocks([survivor.blocks, gone.blocks])  # same merge as duplicates
            survivor.aliases += [gone.id, *gone.aliases]
            alias_of.update({a: survivor for a in [gone.id, *gone.aliases]})
        elif old not in survivor.aliases and old != survivor.id:
            survivor.aliases.append(old)
            alias_of[old] = survivor
    return [q for q in questions if by_id.get(q.id) is q]
