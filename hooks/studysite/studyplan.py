"""Render the study plan (sources/study-plan.yaml) as a page of permalink checklists."""
from __future__ import annotations

from pathlib import Path

import yaml

from .model import SourceError
from .render import md_escape, md_text


def render(path: Path, rel: str, content) -> str:
    plan = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    by_id = content.index()
    lines = [f"# {md_escape(plan.get('title', 'Study plan'))}", "", md_escape(plan.get("intro", "").strip()), ""]
    lines += [
        "Take it with you: the [Anki deck](downloads/pytorch-interview.apkg) (one sub-deck per topic; "
        "re-importing an updated deck updates your cards) or the [CSV of all questions]"
        "(downloads/pytorch-interview-questions.csv).",
        "",
        '<div class="study-plan" markdown>',
        "",
    ]
    for day in plan.get("days", []):
        lines += [f"## {md_escape(day['title'])}", ""]
        for qid in day.get("questions", []):
            q = by_id.get(qid)
            if q is None:
                raise SourceError(rel, None, f"study plan names question {qid!r}, which does not exist")
            lines.append(f"- [ ] [{md_text(q.title)}](q/{qid}/index.html)")
        for nb in day.get("notebooks", []):
            if not (path.parent.parent / "notebooks" / nb).is_file():
                raise SourceError(rel, None, f"study plan names notebook {nb!r}, which is not in notebooks/")
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
