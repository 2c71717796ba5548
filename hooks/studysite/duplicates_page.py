"""The editors' page review/duplicates/: pairs the scorer could not decide, side by side, with the line
to paste into sources/duplicates.yaml. Outside the navigation and the search index: it is for editors,
not for studying."""

from __future__ import annotations

from . import urls
from .render import block_html, html_text, md_escape, md_text, source_label

PAGE = "review/duplicates.md"
SHOWN = 100  # groups on the page at most (the review budget keeps it far smaller)
SIDE_BY_SIDE = (
    40  # groups starting before this many pairs show both answers (≤ GROUP_ROWS each); later ones a line a pair
)
GROUP_ROWS = 20  # pairs listed per group at most (its paste line always names every question)
DECIDED_SHOWN = 300  # rows of the model's own decisions at most (merges first): the page stays bounded
# Characters of markdown the page holds at most, whatever the answers' lengths: a group that would not fit
# side by side in half of it is shown a line a pair, and groups or decisions past the budget are counted, not listed.
# The built page (theme and navigation around it) stays under 300 KB of HTML.
BUDGET = 180_000
DECISIONS = "sources/duplicates.yaml"


def markdown(content) -> str:
    """content: pipeline.Content (its candidates, the model's own decisions and the question index)."""
    by_id = content.index()
    candidates = content.candidates
    decided = list(getattr(content, "auto_decided", []))
    lines = [
        "---",
        "title: Possible duplicates",
        "search:",
        "  exclude: true",
        "---",
        "",
        "# Possible duplicates",
        "",
        f"{_pairs(len(candidates))} of published questions may ask the same thing; the model left them to a person"
        f"{_decided_line(decided)}. Pairs that share a question form a group, decided with one line: paste it into "
        f"`{DECISIONS}` under `same:` (merge them: the first ID stays, the others become aliases, so their links keep "
        "working) or under `different:` (keep them apart, and stop listing them here). Decisions always win over the "
        "model.",
        "",
    ]
    if not candidates:
        lines += ["Nothing to decide.", ""]
    groups: dict[int, list] = {}
    for c in candidates:
        groups.setdefault(c.group, []).append(c)
    used = _size(lines)
    shown, side_by_side = 0, SIDE_BY_SIDE
    for n, (_, pairs) in enumerate(sorted(groups.items())[:SHOWN], 1):
        block = _group(n, pairs, by_id, full=side_by_side > 0)
        if side_by_side > 0 and used + _size(block) > BUDGET // 2:
            block = _group(n, pairs, by_id, full=False)  # long answers: half the page at most side by side
        size = _size(block)
        if used + size > BUDGET:
            break
        lines += block
        used += size
        shown += 1
        side_by_side -= len(pairs)
    if len(groups) > shown:
        lines += [f"{len(groups) - shown} more groups are not listed: decide these first, then rebuild.", ""]
    if decided:
        lines += _decided(decided, by_id, BUDGET - used)
    return "\n".join(lines)


def _group(n: int, pairs: list, by_id: dict, full: bool = True) -> list[str]:
    """One group: its pairs side by side with both answers (full), or one line per pair (bounded)."""
    ids = list(dict.fromkeys(i for c in pairs for i in c.ids))
    names = " / ".join(md_text(by_id[i].title) for i in ids[:GROUP_ROWS])
    more = f" (and {len(ids) - GROUP_ROWS} more)" if len(ids) > GROUP_ROWS else ""
    lines = [f"## Group {n}: {names}{more} {{ #group-{n} }}", ""]
    ranked = sorted(pairs, key=lambda c: -c.score)
    for c in ranked[:GROUP_ROWS]:
        a, b = (by_id[i] for i in c.ids)
        lines += [
            f"Score {c.score:.2f} · {md_escape(c.why)} · "
            # markdown links, so MkDocs checks them and rewrites them for either URL style
            + " · ".join(f"[`{q.id}`]({urls.permalink_link(PAGE, q.id)})" for q in (a, b))
            + ("" if full else f" · {md_text(a.title)} / {md_text(b.title)}"),
            "",
        ]
        if not full:
            continue
        lines += [
            '<table class="dup-pair">',
            "<thead><tr>" + "".join(f"<th>{_heading(q)}</th>" for q in (a, b)) + "</tr></thead>",
            "<tbody><tr>" + "".join(f"<td>{_answer(q)}</td>" for q in (a, b)) + "</tr>",
            "<tr>" + "".join(f"<td><small>Sources: {source_label(q)}</small></td>" for q in (a, b)) + "</tr></tbody>",
            "</table>",
            "",
        ]
    if len(ranked) > GROUP_ROWS:
        lines += [f"{len(ranked) - GROUP_ROWS} weaker pairs of this group are not listed.", ""]
    lines += [f"Paste under `same:` or `different:` in `{DECISIONS}`:", "", "```yaml"]
    lines += [f"  - [{', '.join(ids)}]" if len(pairs) > 1 else f"  - [{pairs[0].ids[0]}, {pairs[0].ids[1]}]", "```", ""]
    return lines


def _decided_line(decided: list) -> str:
    if not decided:
        return ""
    merged = sum(1 for c in decided if c.decided == "same")
    return (
        f"; {_pairs(len(decided))} more were decided automatically ({merged} merged, {len(decided) - merged} "
        "kept apart), listed at the end of this page"
    )


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _decided(decided: list, by_id: dict, budget: int) -> list[str]:
    lines = [
        "## Decided automatically { #decided }",
        "",
        f"Over the review budget (10 pairs per 100 new questions), the model decided {_pairs(len(decided))}: "
        "merged when it found them at least as likely the same as not, kept apart otherwise. Overturn any of "
        f"them with a line in `{DECISIONS}`.",
        "",
        '<details class="dup-decided"><summary>Show the decisions</summary>',
        "",
        "| decision | score | question | question |",
        "| --- | --- | --- | --- |",
    ]
    # the merges first (a wrong one hides a question), then the closest calls kept apart
    ranked = sorted(decided, key=lambda c: (c.decided != "same", -c.score, c.ids))
    listed = 0
    for c in ranked[:DECIDED_SHOWN]:
        a, b = (by_id.get(i) for i in c.ids)
        names = [f"{md_text(q.title)} (`{q.id}`)" if q else f"`{i}`" for q, i in zip((a, b), c.ids, strict=False)]
        row = f"| {'same' if c.decided == 'same' else 'different'} | {c.score:.2f} | {names[0]} | {names[1]} |"
        budget -= len(row) + 1
        if budget < 0:
            break
        lines.append(row)
        listed += 1
    lines += ["", "</details>", ""]
    if len(ranked) > listed:
        rest = ranked[listed:]
        merged = sum(1 for c in rest if c.decided == "same")
        lines += [
            f"{_pairs(len(rest))} more decided automatically are not listed ({merged} merged, "
            f"{len(rest) - merged} kept apart, all scored at most {max(c.score for c in rest):.2f}); "
            "the merged ones are the aliases of each question in `questions.json`.",
            "",
        ]
    return lines


def _heading(q) -> str:
    return f"{html_text(q.title)}<br><code>{q.id}</code>"


def _answer(q) -> str:
    if q.blocks:
        return "\n".join(block_html(b) for b in q.blocks)
    return f"<p>{html_text(q.summary or q.answer_md)}</p>"


def _pairs(n: int) -> str:
    return f"{n} pair" if n == 1 else f"{n} pairs"
