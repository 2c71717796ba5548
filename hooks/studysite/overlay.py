"""Apply curated files in sources/overlay/ on top of merged questions (corrections, completions, additions).

One markdown file per question, named after its ID (or with `id:` in the front matter):

    ---
    summary: One-paragraph interview answer (markdown).
    corrections:
      - claim: What the source said (shown as literal text).
        why: Why it is wrong (markdown).
    references: ["[torch.nn.MaxPool2d](https://docs.pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html)"]
    added: true          # a question no raw source has; then `title` and `topic` are required
    title: …             # optional retitle for existing questions
    review: ok — what the reviewer checked (the review checklist is these notes)
    level: basic         # basic | intermediate | advanced: how deep an interviewer digs (a chip on the
                         # card, a filter in review and quiz, a tag in the Anki deck)
    follow_ups: [other-question-id, …]   # what an interviewer asks next (IDs or aliases of published questions)
    ---
    The curated answer (markdown). When present it is shown as the answer and the merged source text
    stays available under "What the sources said".

Levels: `basic` is a definition every candidate must say in one breath; `intermediate` needs the
mechanics or the PyTorch API behind it; `advanced` needs reasoning an interviewer uses to separate
candidates (derivations, trade-offs, failure modes). A question with no overlay, or an overlay with no
`level:`, gets DEFAULT_LEVEL ("intermediate": the middle, so it is neither skipped by a "basics first"
filter nor hidden from a mock interview); the build log prints the count per level.

The raw sources are never edited. Overlay files are ours (trusted markdown), unlike source text.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import stage, yamlfile
from .errors import MissingOverlayTarget
from .model import Correction, Question, SourceError, SourceRef
from .urls import SLUG

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n(.*))?\Z", re.S)
KNOWN_KEYS = {
    "id",
    "summary",
    "corrections",
    "references",
    "added",
    "title",
    "topic",
    "tags",
    "review",
    "level",
    "follow_ups",
}
LEVELS = ("basic", "intermediate", "advanced")
TEXT_KEYS = ("id", "summary", "title", "topic", "review", "level")
DEFAULT_LEVEL = "intermediate"


def overlay_files(overlay_dir: Path) -> list[Path]:
    """Every markdown file under overlay_dir, sub-folders included (editors group them by topic), the
    suffix in any case (`.md`, `.MD`); hidden files (editor backups, .DS_Store) are not overlays."""
    if not overlay_dir.is_dir():
        return []
    found = (p for p in overlay_dir.rglob("*") if p.suffix.lower() == ".md" and p.is_file())
    return sorted(p for p in found if not any(part.startswith(".") for part in p.relative_to(overlay_dir).parts))


def parse(path: Path, rel: str) -> tuple[dict, str]:
    """(front matter, body). Front matter is optional, but once opened with `---` it must be closed by a
    `---` line and be a mapping of known keys with values of the right kind."""
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as e:
        raise SourceError(rel, None, f"not UTF-8 (byte at offset {e.start}); save it as UTF-8") from None
    if not re.match(r"---[ \t]*\n", text):
        return {}, text
    m = FRONT_MATTER.match(text)
    if not m:
        raise SourceError(
            rel,
            1,
            "front matter opened with `---` on line 1 is never closed: end it with a line that is "
            "exactly `---` (otherwise the YAML would be published as the answer)",
        )
    meta = yamlfile.loads(m.group(1) or "", rel, first_line=2)
    if meta is None:
        meta = yamlfile.LineDict()
    if not isinstance(meta, dict):
        raise SourceError(rel, 2, "front matter must be `key: value` lines (a mapping), not " + yamlfile._kind(meta))
    unknown = set(meta) - KNOWN_KEYS
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise SourceError(
            rel,
            _line(meta, key),
            f"unknown front-matter keys {sorted(map(str, unknown))} (known: {sorted(KNOWN_KEYS)})",
        )
    for key in TEXT_KEYS:
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            raise SourceError(rel, _line(meta, key), f"`{key}` must be text, not {yamlfile._kind(meta[key])}")
    if meta.get("level") and meta["level"] not in LEVELS:
        raise SourceError(rel, _line(meta, "level"), f"level {meta['level']!r} must be one of {', '.join(LEVELS)}")
    for key in ("corrections", "references", "tags"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], list):
            raise SourceError(rel, _line(meta, key), f"`{key}` must be a list, not {yamlfile._kind(meta[key])}")
    if "added" in meta and not isinstance(meta["added"], bool):
        raise SourceError(rel, _line(meta, "added"), "`added` must be true or false")
    return meta, m.group(2) or ""


def _line(meta, key) -> int:
    return meta.line_of(key) + 1 if isinstance(meta, yamlfile.LineDict) else 1


# An overlay names a question no source has (as its own or as a follow-up): often a consequence of a
# source that failed to read, and then reported after it (errors.is_consequence).
MissingQuestion = MissingOverlayTarget


def apply(questions: list[Question], overlay_dir: Path, root: Path) -> list[SourceError]:
    """Apply every overlay file. A bad file (e.g. naming a question that does not exist) is skipped and
    returned as an error: the hook fails a build with it, and only warns while serving.

    Two files that land on one question (e.g. `old-id.md` and `new-id.md` after aliases.yaml merged
    old-id into new-id) are an error naming both: one would silently replace the other."""
    errors: list[SourceError] = []
    applied: dict[str, str] = {}  # question ID → overlay file applied to it
    index = question_index(questions)  # built once: linear in questions, not files × questions
    follow_ups: dict[str, tuple[Path, Question, list]] = {}  # file → (path, question, follow-up IDs as written)
    for path in overlay_files(overlay_dir):
        rel = path.relative_to(root).as_posix()
        try:
            with stage.at("applying overlays", rel):
                q, wanted = _apply_file(questions, path, rel, applied, index)
            applied[q.id] = rel
        except SourceError as e:
            errors.append(e)
        else:
            follow_ups[rel] = (path, q, wanted)
    # Follow-ups may name questions added by files applied later, so they resolve once all are in.
    index = question_index(questions)
    for rel, (path, q, wanted) in follow_ups.items():
        missing = [str(w) for w in wanted if str(w) not in index]
        if missing:
            errors.append(
                MissingQuestion(
                    rel,
                    _line_of(path, "follow_ups"),
                    f"follow_ups name {missing}, which are not published questions (IDs or aliases)",
                )
            )
            continue
        q.follow_ups = [(index[str(w)].id, index[str(w)].title) for w in wanted]
    for q in questions:  # curated level, else the one a source marks ("[H]", "Level: Advanced"), else the default
        q.level = q.level or next((s.level for s in q.sources if s.level), "") or DEFAULT_LEVEL
    return errors


def _apply_file(
    questions: list[Question],
    path: Path,
    rel: str,
    applied: dict[str, str] | None = None,
    index: dict[str, Question] | None = None,
) -> tuple[Question, list]:
    """Validate one overlay file completely, then apply it (a bad file changes nothing).

    Returns the question and its follow-up IDs as written (resolved by `apply` once every file is in)."""
    meta, body = parse(path, rel)
    wanted = meta.get("follow_ups") or []
    if not isinstance(wanted, list):
        raise SourceError(rel, _line(meta, "follow_ups"), "`follow_ups` must be a list of question IDs")
    qid = str(meta.get("id") or path.stem)
    level = meta.get("level")
    if level is not None and level not in LEVELS:
        raise SourceError(rel, _line_of(path, "level"), f"level {level!r} must be one of {', '.join(LEVELS)}")
    corrections = _corrections(meta, rel)
    if index is None:
        index = question_index(questions)
    if meta.get("added") and qid in index:
        # The site added this question because no source had it; now a source does. The curated
        # answer applies to the sourced question (it stops being "added by the site").
        meta = {k: v for k, v in meta.items() if k not in ("added", "topic")}
    if meta.get("added"):
        q = _added_question(meta, qid, rel)
        questions.append(q)
        index[qid] = q
    else:
        q = _target(index, qid, rel, applied or {})
        if meta.get("title"):
            q.title = meta["title"]
    q.summary = (meta.get("summary") or "").strip()
    q.answer_md = body.strip()
    q.references = [str(r) for r in meta.get("references") or []]
    q.tags = [str(t) for t in meta.get("tags") or []]
    q.review = str(meta.get("review") or "").strip()
    q.corrections = corrections
    if meta.get("level"):
        q.level = meta["level"]
    return q, wanted


def question_index(questions: list[Question]) -> dict[str, Question]:
    """Every question by each of its aliases and by its ID (an ID wins over another question's alias)."""
    return {a: q for q in questions for a in q.aliases} | {q.id: q for q in questions}


def _corrections(meta: dict, rel: str) -> list[Correction]:
    corrections = []
    for i, c in enumerate(meta.get("corrections") or [], start=1):
        if not isinstance(c, dict) or not c.get("claim") or not c.get("why"):
            raise SourceError(rel, _line(meta, "corrections"), f"correction {i} needs both `claim` and `why`")
        corrections.append(Correction(claim=str(c["claim"]).strip(), why=str(c["why"]).strip()))
    return corrections


def _added_question(meta: dict, qid: str, rel: str) -> Question:
    """The question an `added: true` overlay publishes (no raw source has it)."""
    if not SLUG.fullmatch(qid):
        raise SourceError(rel, 1, f"added question ID {qid!r} must be lower-case words joined by '-'")
    for key in ("title", "topic"):
        if not meta.get(key):
            raise SourceError(rel, 1, f"an added question needs `{key}`")
    q = Question(id=qid, title=meta["title"], key=(qid,), topic=meta["topic"], added_by_site=True)
    q.sources = [SourceRef(file=rel, line=1, text=meta["title"], reader="overlay")]
    return q


def _target(index: dict[str, Question], qid: str, rel: str, applied: dict[str, str]) -> Question:
    """The published question an overlay names (by ID or alias), unless another overlay already applies to it."""
    q = index.get(qid)
    if q is None:
        raise MissingQuestion(
            rel,
            1,
            f"overlay names question {qid!r}, which no source has any more "
            f"(rename the file to the question's current ID, or add it to sources/aliases.yaml)",
        )
    other = applied.get(q.id)
    if other is not None:
        raise SourceError(
            rel,
            1,
            f"{other} already applies to question {q.id!r} ({qid!r} was merged into it by "
            f"sources/aliases.yaml): merge the two overlay files into {q.id}.md and delete the other",
        )
    return q


def _line_of(path: Path, key: str) -> int:
    """1-based line of a front-matter key (for error messages), or 1."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return n
    return 1
