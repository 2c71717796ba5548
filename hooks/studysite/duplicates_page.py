"""The editors' page review/duplicates/: pairs the scorer could not decide, side by side, with the line
to paste into sources/duplicates.yaml. Outside the navigation and the search index: it is for editors,
not for studying."""
from __future__ import annotations

from . import urls
from .render import block_html, html_text, md_escape, md_text, source_label

PAGE = "review/duplicates.md"
SHOWN = 100  # strongest pairs on the page; questions.json lists them all
DECISIONS = "sources/duplicates.yaml"


def markdown(content) -> str:
    """content: pipeline.Content (its candidates and question index)."""
    by_id = content.index()
    candidates = content.candidates
    lines = [
        "---",
        "title: Possible duplicates",
        "search:",
        "  exclude: true",
        "---",
        "",
        "# Possible duplicates",
        "",
        f"{_pairs(len(candidates))} of published questions may ask the same thing; the scorer left them to a person. "
        f"Decide each one by pasting its line into `{DECISIONS}`, under `same:` (merge them: the second ID "
        "stays an alias, so its links keep working) or under `different:` (keep both, and stop listing the pair "
        "here). Decisions always win over the scorer.",
        "",
    ]
    if not candidates:
        lines += ["Nothing to decide.", ""]
    if len(candidates) > SHOWN:
        lines += [f"The {SHOWN} strongest are shown; `questions.json` (`duplicate_candidates`) lists all "
                  f"{len(candidates)}.", ""]
    for n, c in enumerate(sorted(candidates, key=lambda c: -c.score)[:SHOWN], 1):
        a, b = (by_id[i] for i in c.ids)
        lines += [
            f"## {n}. {md_text(a.title)} / {md_text(b.title)} {{ #pair-{n} }}",
            "",
            f"Score {c.score:.2f} · {md_escape(c.why)} · "
            # markdown links, so MkDocs checks them and rewrites them for either URL style
            + " · ".join(f"[`{q.id}`]({urls.permalink_link(PAGE, q.id)})" for q in (a, b)),
            "",
            '<table class="dup-pair">',
            "<thead><tr>" + "".join(f"<th>{_heading(q)}</th>" for q in (a, b)) + "</tr></thead>",
            "<tbody><tr>" + "".join(f"<td>{_answer(q)}</td>" for q in (a, b)) + "</tr>",
            "<tr>" + "".join(f"<td><small>Sources: {source_label(q)}</small></td>" for q in (a, b)) + "</tr></tbody>",
            "</table>",
            "",
            f"Paste under `same:` or `different:` in `{DECISIONS}`:",
            "",
            "```yaml",
            f"  - [{c.ids[0]}, {c.ids[1]}]",
            "```",
            "",
        ]
    return "\n".join(lines)


def _heading(q) -> str:
    return f"{html_text(q.title)}<br><code>{q.id}</code>"


def _answer(q) -> str:
    if q.blocks:
        return "\n".join(block_html(b) for b in q.blocks)
    return f"<p>{html_text(q.summary or q.answer_md)}</p>"


def _pairs(n: int) -> str:
    return f"{n} pair" if n == 1 else f"{n} pairs"
