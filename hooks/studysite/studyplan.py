"""Render the study plan (sources/study-plan.yaml) as a page of permalink checklists."""
from __future__ import annotations

from pathlib import Path

from . import yamlfile
from .model import SourceError
from .render import md_escape, md_text


def render(path: Path, rel: str, content) -> str:
    plan = yamlfile.expect_mapping(yamlfile.load(path, rel), rel, "the study plan")
    by_id = content.index()
    title, intro = plan.get("title", "Study plan"), plan.get("intro") or ""
    for key, value in (("title", title), ("intro", intro)):
        if not isinstance(value, str):
            raise SourceError(rel, yamlfile.line_of(plan, key), f"`{key}` must be text")
    lines = [f"# {md_escape(title)}", "", md_escape(intro.strip()), ""]
    lines += [
        "Take it with you: the [Anki deck](downloads/pytorch-interview.apkg) (one sub-deck per topic; "
        "re-importing an updated deck updates your cards) or the [CSV of all questions]"
        "(downloads/pytorch-interview-questions.csv).",
        "",
        '<div class="study-plan" markdown>',
        "",
    ]
    days = yamlfile.expect_list(plan.get("days"), rel, "`days`", yamlfile.line_of(plan, "days"))
    for n, day in enumerate(days, start=1):
        line = yamlfile.line_of(days, n - 1)
        if not isinstance(day, dict) or not isinstance(day.get("title"), str):
            raise SourceError(rel, line, f"day {n} must be a mapping with a `title` (text)")
        lines += [f"## {md_escape(day['title'])}", ""]
        questions = yamlfile.expect_list(day.get("questions"), rel, f"`questions` of day {n}", line)
        for i, qid in enumerate(questions):
            q = by_id.get(qid) if isinstance(qid, str) else None
            if q is None:
                raise SourceError(rel, yamlfile.line_of(questions, i), f"study plan names question {qid!r}, which does not exist")
            lines.append(f"- [ ] [{md_text(q.title)}](q/{qid}/index.html)")
        notebooks = yamlfile.expect_list(day.get("notebooks"), rel, f"`notebooks` of day {n}", line)
        for i, nb in enumerate(notebooks):
            if not isinstance(nb, str) or "/" in nb or not (path.parent.parent / "notebooks" / nb).is_file():
                raise SourceError(rel, yamlfile.line_of(notebooks, i), f"study plan names notebook {nb!r}, which is not in notebooks/")
            lines.append(f"- [ ] Notebook: [{md_escape(nb.removesuffix('.ipynb'))}](notebooks/{nb})")
        lines.append("")
    if content.study_links:
        lines += ["## Further reading", "", "Study sources from the notes, with their status markers.", ""]
        for link in content.study_links:
            status = f" *({md_escape(link['status'])})*" if link["status"] else ""
            url = link["url"].replace(")", "%29").replace(" ", "%20")
            label = md_escape(url.split("://", 1)[-1].split("?")[0].rstrip("/"))
            lines.append(f"- [ ] [{label}]({url}){status}")
        lines.append("")
    lines += ["</div>", ""]
    return "\n".join(lines)
