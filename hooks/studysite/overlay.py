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

import yaml

from .model import Correction, Question, SourceError, SourceRef

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n?(.*)\Z", re.S)
KNOWN_KEYS = {"id", "summary", "corrections", "references", "added", "title", "topic", "tags", "review", "level", "follow_ups"}
LEVELS = ("basic", "intermediate", "advanced")
DEFAULT_LEVEL = "intermediate"


def overlay_files(overlay_dir: Path) -> list[Path]:
    return sorted(overlay_dir.glob("*.md")) if overlay_dir.is_dir() else []


def parse(path: Path, rel: str) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    m = FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise SourceError(rel, mark.line + 2 if mark else 1, f"invalid front matter: {e}") from None
    unknown = set(meta) - KNOWN_KEYS
    if unknown:
        raise SourceError(rel, 1, f"unknown front-matter keys {sorted(unknown)} (known: {sorted(KNOWN_KEYS)})")
    return meta, m.group(2)


def apply(questions: list[Question], overlay_dir: Path, root: Path) -> list[SourceError]:
    """Apply every overlay file. A bad file (e.g. naming a question that does not exist) is skipped and
    returned as an error: the hook fails a build with it, and only warns while serving."""
    errors: list[SourceError] = []
    follow_ups: dict[str, tuple[Path, Question, list]] = {}  # file → (path, question, follow-up IDs as written)
    for path in overlay_files(overlay_dir):
        rel = path.relative_to(root).as_posix()
        try:
            q, wanted = _apply_file(questions, path, rel)
        except SourceError as e:
            errors.append(e)
        else:
            follow_ups[rel] = (path, q, wanted)
    # Follow-ups may name questions added by files applied later, so they resolve once all are in.
    index = {a: q for q in questions for a in q.aliases} | {q.id: q for q in questions}
    for rel, (path, q, wanted) in follow_ups.items():
        missing = [str(w) for w in wanted if str(w) not in index]
        if missing:
            errors.append(SourceError(rel, _line_of(path, "follow_ups"), f"follow_ups name {missing}, which are not published questions (IDs or aliases)"))
            continue
        q.follow_ups = [(index[str(w)].id, index[str(w)].title) for w in wanted]
    for q in questions:
        q.level = q.level or DEFAULT_LEVEL
    return errors


def _apply_file(questions: list[Question], path: Path, rel: str) -> tuple[Question, list]:
    """Validate one overlay file completely, then apply it (a bad file changes nothing).

    Returns the question and its follow-up IDs as written (resolved by `apply` once every file is in)."""
    meta, body = parse(path, rel)
    wanted = meta.get("follow_ups") or []
    if not isinstance(wanted, list):
        raise SourceError(rel, 1, "`follow_ups` must be a list of question IDs")
    qid = str(meta.get("id") or path.stem)
    level = meta.get("level")
    if level is not None and level not in LEVELS:
        raise SourceError(rel, _line_of(path, "level"), f"level {level!r} must be one of {', '.join(LEVELS)}")
    corrections = []
    for i, c in enumerate(meta.get("corrections") or [], start=1):
        if not isinstance(c, dict) or not c.get("claim") or not c.get("why"):
            raise SourceError(rel, 1, f"correction {i} needs both `claim` and `why`")
        corrections.append(Correction(claim=str(c["claim"]).strip(), why=str(c["why"]).strip()))
    by_id = {q.id: q for q in questions}
    if meta.get("added") and qid in by_id:
        # The site added this question because no source had it; now a source does. The curated
        # answer applies to the sourced question (it stops being "added by the site").
        meta = {k: v for k, v in meta.items() if k not in ("added", "topic")}
    if meta.get("added"):
        if not _ID.fullmatch(qid):
            raise SourceError(rel, 1, f"added question ID {qid!r} must be lower-case words joined by '-'")
        for key in ("title", "topic"):
            if not meta.get(key):
                raise SourceError(rel, 1, f"an added question needs `{key}`")
        q = Question(id=qid, title=meta["title"], key=(qid,), topic=meta["topic"], added_by_site=True)
        q.sources = [SourceRef(file=rel, line=1, text=meta["title"], reader="overlay")]
        questions.append(q)
    else:
        q = by_id.get(qid) or next((q for q in questions if qid in q.aliases), None)
        if q is None:
            raise SourceError(
                rel, 1, f"overlay names question {qid!r}, which no source has any more "
                f"(rename the file to the question's current ID, or add it to sources/aliases.yaml)"
            )
        if meta.get("title"):
            q.title = meta["title"]
    q.summary = (meta.get("summary") or "").strip()
    q.answer_md = body.strip()
    q.references = [str(r) for r in meta.get("references") or []]
    q.tags = [str(t) for t in meta.get("tags") or []]
    q.review = str(meta.get("review") or "").strip()
    q.corrections = corrections
    q.level = level or ""
    return q, wanted


def _line_of(path: Path, key: str) -> int:
    """1-based line of a front-matter key (for error messages), or 1."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return n
    return 1


_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
