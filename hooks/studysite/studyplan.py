"""Render the study plan (sources/study-plan.yaml) as a page of permalink checklists covering everything.

The curated days come first; then every published question and every notebook the days leave out,
one section per topic in page order, so the plan covers the whole site (the questions of those sections
are listed by study-plan.js from study-data.js: the page holds a note per topic, not every question).
The notes' third-party links are listed last as the original notes' reading list: plain links, no
checkboxes, so they never count as study progress.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from . import urls, yamlfile
from .errors import SourceError, UnknownQuestion
from .render import md_escape, md_text

PLAN_PAGE = urls.STUDY_PLAN

PROGRESS_NOTE = (
    "A question is done once its card is *Young* (you recalled it and it is scheduled days ahead): rate it "
    "on its topic page, in [Review](review/index.md) or in the [Quiz](quiz/index.md), or tick it here. "
    "Ticks live on this page only; *Reset plan ticks* clears them and never your review history."
)


def day_anchor(n: int) -> str:
    """The heading ID of day n of the plan (1-based): the home page links #day-1, topic pages #day-n."""
    return f"day-{n}"


def plan_days(path: Path, content) -> list[dict]:
    """The curated days as the study scripts need them: title, heading anchor, question IDs. An unreadable
    plan gives [] (render() reports it with file and line)."""
    try:
        plan = (yamlfile.load(path, path.name) or {}) if path.exists() else {}
    except SourceError:
        return []
    by_id = content.index()
    days = plan.get("days") if isinstance(plan, dict) else None
    out = []
    for n, day in enumerate(days if isinstance(days, list) else [], start=1):
        if not isinstance(day, dict) or not isinstance(day.get("title"), str):
            continue
        listed = day.get("questions")
        qids: list = listed if isinstance(listed, list) else []
        ids = [by_id[q].id for q in qids if isinstance(q, str) and q in by_id]
        out.append({"title": day["title"], "anchor": day_anchor(n), "questions": ids})
    return out


def plan_notebooks(root: Path) -> list[str]:
    nb_dir = root / "notebooks"
    return sorted(p.name for p in nb_dir.glob("*.ipynb")) if nb_dir.is_dir() else []


def notebook_topics(content) -> dict[str, str]:
    """Notebook file name → the topic most of its demo cells are shown on."""
    votes: dict[str, Counter] = {}
    for q in content.questions:
        for d in q.demos:
            votes.setdefault(Path(d.notebook).name, Counter())[q.topic] += len(d.cells)
    return {nb: c.most_common(1)[0][0] for nb, c in votes.items()}


def question_order(path: Path, content) -> list[str]:
    """Question IDs in plan order (curated days, then the rest by topic): the order new cards are
    introduced on the review page, so reviewing day by day follows the plan."""
    try:
        plan = (yamlfile.load(path, path.name) or {}) if path.exists() else {}
    except SourceError:
        plan = {}  # render() reports it with file and line; the order falls back to topic order
    by_id = content.index()
    order: list[str] = []
    seen: set[str] = set()
    days = plan.get("days") if isinstance(plan, dict) else None
    for day in days if isinstance(days, list) else []:
        questions = day.get("questions") if isinstance(day, dict) else None
        for qid in questions if isinstance(questions, list) else []:
            q = by_id.get(qid) if isinstance(qid, str) else None
            if q is not None and q.id not in seen:
                order.append(q.id)
                seen.add(q.id)
    return order + [q.id for t in content.topics for q in t.questions if q.id not in seen]


def render(path: Path, rel: str, content) -> str:
    plan = yamlfile.expect_mapping(yamlfile.load(path, rel), rel, "the study plan")
    by_id = content.index()
    notebooks = plan_notebooks(path.parent.parent)
    title, intro = plan.get("title", "Study plan"), plan.get("intro") or ""
    for key, value in (("title", title), ("intro", intro)):
        if not isinstance(value, str):
            raise SourceError(rel, yamlfile.line_of(plan, key), f"`{key}` must be text")
    # no left sidebar: it would hold one entry (this page); the days are in the table of contents
    lines = ["---", "hide:", "  - navigation", "---", "", f"# {md_escape(title)}", "", md_escape(intro.strip()), ""]
    lines += [
        '<div class="study-plan" markdown>',
        "",
    ]
    seen_q: set[str] = set()
    seen_nb: set[str] = set()
    days = yamlfile.expect_list(plan.get("days"), rel, "`days`", yamlfile.line_of(plan, "days"))
    for n, day in enumerate(days, start=1):
        line = yamlfile.line_of(days, n - 1)
        if not isinstance(day, dict) or not isinstance(day.get("title"), str):
            raise SourceError(rel, line, f"day {n} must be a mapping with a `title` (text)")
        lines += [f"## {md_escape(day['title'])} {{ #{day_anchor(n)} }}", ""]
        questions = yamlfile.expect_list(day.get("questions"), rel, f"`questions` of day {n}", line)
        for i, qid in enumerate(questions):
            q = by_id.get(qid) if isinstance(qid, str) else None
            if q is None:
                raise UnknownQuestion(
                    rel, yamlfile.line_of(questions, i), f"study plan names question {qid!r}, which does not exist"
                )
            seen_q.add(q.id)
            lines.append(f"- [ ] [{md_text(q.title)}]({urls.permalink_link(PLAN_PAGE, qid)})")
        day_notebooks = yamlfile.expect_list(day.get("notebooks"), rel, f"`notebooks` of day {n}", line)
        for i, nb in enumerate(day_notebooks):
            if nb not in notebooks:
                raise SourceError(
                    rel,
                    yamlfile.line_of(day_notebooks, i),
                    f"study plan names notebook {nb!r}, which is not in notebooks/",
                )
            seen_nb.add(nb)
            lines.append(notebook_item(nb))
        lines.append("")
    lines += rest_by_topic(content, seen_q, [nb for nb in notebooks if nb not in seen_nb])
    lines += ["</div>", ""]
    lines += [
        '<details class="plan-about" markdown>',
        "<summary>How progress is counted, and taking the plan with you</summary>",
        "",
        PROGRESS_NOTE,
        "",
        f"Take it with you: the [Anki deck]({urls.link(PLAN_PAGE, urls.ANKI_FILE)}) (one sub-deck per topic; "
        f"re-importing an updated deck updates your cards) or the [CSV of all questions]"
        f"({urls.link(PLAN_PAGE, urls.CSV_FILE)}).",
        "",
        "</details>",
        "",
    ]
    lines += reading_list(content.study_links)
    return "\n".join(lines)


def rest_by_topic(content, seen_q: set[str], notebooks: list[str]) -> list[str]:
    """Sections for whatever the curated days leave out: questions and notebooks, by topic."""
    where = notebook_topics(content)
    lines: list[str] = []
    for topic in content.topics:
        qs = [q for q in topic.questions if q.id not in seen_q]
        nbs = [nb for nb in notebooks if where.get(nb) == topic.slug]
        if not qs and not nbs:
            continue
        lines += [f"## Then: {md_escape(topic.title)}", ""]
        if qs:
            lines += [rest_note(topic, len(qs)), ""]
        lines += [notebook_item(nb) for nb in nbs]
        lines.append("")
    # notebooks no published question shows a demo from
    orphans = [nb for nb in notebooks if nb not in where]
    if orphans:
        lines += ["## Then: more notebooks", ""]
        lines += [notebook_item(nb) for nb in orphans]
        lines.append("")
    return lines


def rest_note(topic, n: int) -> str:
    """Where a topic's questions the days leave out go: study-plan.js lists them (from study-data.js, in
    plan order) as checkboxes in place of this note, so the page stays bounded at any number of questions
    (at 3,000 questions listing them made it 0.86 MB). Without JavaScript the note links the topic."""
    link = urls.link(PLAN_PAGE, urls.topic_src(topic.slug))
    return (
        f'<p class="plan-rest" data-plan-topic="{topic.slug}" data-plan-count="{n}" markdown>'
        f"{n} more question{'' if n == 1 else 's'} on the [{md_escape(topic.title)} page]({link}).</p>"
    )


def notebook_item(nb: str) -> str:
    return f"- [ ] Notebook: [{md_escape(nb.removesuffix('.ipynb'))}]({urls.link(PLAN_PAGE, urls.notebook_src(nb))})"


def reading_list(study_links: list[dict]) -> list[str]:
    if not study_links:
        return []
    lines = [
        "## Reading list from the original notes",
        "",
        "The third-party pages the original notes collected, with the notes' own status markers. They are "
        "other sites, kept here as the notes' author listed them; they are not part of your progress.",
        "",
    ]
    for link in study_links:
        status = f" *({md_escape(link['status'])})*" if link["status"] else ""
        url = link["url"].replace(")", "%29").replace(" ", "%20")
        label = md_escape(url.split("://", 1)[-1].split("?")[0].rstrip("/"))
        lines.append(f"- [{label}]({url}){status}")
    return lines + [""]
