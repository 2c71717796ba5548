"""Find the questions in a block stream, whatever format it came from.

The author of a question list picked one (sometimes two) ways to mark a question: headings of one
level, numbered or bulleted items at one depth, bold-led paragraphs, `Q:` / `Question 3` prefixes,
`<details><summary>`, or the rows of a question/answer table. Each of these is a *slot* (slots.py, a
table of slot kinds). Every candidate gets the learned detector's probability of being a question
(detect.py: its form, wording and context); a slot's value is how far its members' scores lie above
even, and the best slot is the layout; a second one joins where the first leaves text outside. Each
member the detector takes for a question is one; everything after it up to the next member of its slot
(or a heading that outranks it) is its answer — sub-headings, nested lists, code, tables. Headings that
are not questions are sections: their text is kept as the questions' topic hint. What is left outside
any question is counted, and named in a warning when it is more than a small share of the file.
`sources/reading.yaml` (hints.py) lets a person name the slot, skip lines or give a pattern per file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .answers import Stops, answer_blocks, answer_ends, stops, tidy
from .clean import title_case_to_sentence
from .detect import Model, score_slots
from .hints import FileHints, NO_QUESTIONS_HINT
from .markers import LEVELS, lift
from .model import Block, RawQuestion, ReadReport, SourceError, SourceRef
from .slots import (
    BY_NAME,
    CONTENT,
    LINKS_SECTIONS,
    SLOTS,
    TRIED,
    Member,
    by_slot,
    candidates,
    lift_metadata,
    links_sections,
)
from .stream import Node
from .wording import QUESTION_WORDS, has_words, md_plain, reads_as_question, split_prefix, strip_title

__all__ = ["QUESTION_WORDS", "SLOTS", "reads_as_question", "segment", "split_prefix", "strip_title"]

URL = re.compile(r"https?://[^\s)>\]]+")
STATUS = re.compile(r"\(([^()]*)\)\s*$")
OUTSIDE_SHARE = 0.1  # text outside any question above this share of the file is worth a warning
THRESHOLD = 0.5  # a candidate the detector scores at least this is a question
NO_WORDS = "titles with no words (emoji or punctuation only)"
EDITOR_NOTE = "editor's notes in place of a question"
NOT_QUESTIONS = {"heading": "section headings", "item": "list items that are not questions (navigation, notes)"}


def _editor_note(title: str) -> bool:
    """A title wholly in brackets is a note about the list, not a question ("(Missing in source PDF)")."""
    t = title.strip()
    return len(t) > 2 and ((t[0], t[-1]) in (("(", ")"), ("[", "]"))) and t.count(t[0]) == 1


@dataclass
class Plan:
    """What the segmenter decided for one file."""

    by_key: dict[tuple, list[Member]]
    slot_keys: list[tuple] = field(default_factory=list)
    anchors: list[Member] = field(default_factory=list)  # members of the chosen slots, in file order
    ends: list[int] = field(default_factory=list)  # for each anchor, the first node past its answer
    accepted: list[Member] = field(default_factory=list)
    rejected: dict[str, int] = field(default_factory=dict)  # reason -> count
    rejected_idx: set[int] = field(default_factory=set)


# --- segmentation -------------------------------------------------------------------------------


def segment(
    nodes: list[Node],
    lines: list[str],
    report: ReadReport,
    reader: str,
    *,
    model: Model | None = None,
    hints: FileHints | None = None,
) -> None:
    """Fill `report` with the questions found in `nodes`; raise a SourceError when there are none."""
    lift_metadata(nodes)
    if hints:
        hints.skip_nodes(nodes)
    plan = Plan(by_slot(candidates(nodes)))
    slot_context(nodes, plan.by_key)
    score_slots(plan.by_key, nodes, model)
    if hints:
        hints.apply(plan.by_key, nodes)
    ranked = rank_slots(plan.by_key) or _asked(plan.by_key)
    if not ranked:
        _nothing_found(nodes, report)
        return
    choose(nodes, plan, ranked)
    judge(plan)
    in_answer = _questions(nodes, lines, plan, report, reader)
    _left_out(nodes, plan, in_answer, report)
    report.layout = _describe(plan.slot_keys, plan.by_key, plan.accepted)
    report.study_links = _study_links(nodes, lines, report.file)


def slot_context(nodes: list[Node], by_key: dict[tuple, list[Member]]) -> None:
    """Each candidate's answer as its own slot would give it: whether there is one, how long, what follows."""
    chars_at, content_at, links_at, text_at = _body_sums(nodes)
    where = stops(nodes)
    for members in by_key.values():
        ordered = sorted(members, key=lambda m: (m.idx, m.row))
        for m, end in zip(ordered, answer_ends(nodes, ordered, where), strict=True):
            node, first = nodes[m.idx], m.idx + 1 + m.consumes
            chars = content = links = text = 0
            if m.row < 0 and node.kind != "row" and end > first:  # the nodes of its answer
                chars, content = chars_at[end] - chars_at[first], content_at[end] - content_at[first]
                links, text = links_at[end] - links_at[first], text_at[end] - text_at[first]
            chars += len(m.rest) + sum(map(len, node.answer))
            if m.row >= 0 and node.rows:
                chars += sum(map(len, node.rows[m.row][1:]))
            m.answer_chars, m.end = chars, end
            m.has_answer = chars > 0 or content > 0
            m.next_kind = nodes[first].kind if first < len(nodes) else "end"
            m.links_only = links > 0 and text == 0 and not m.rest


def _body_sums(nodes: list[Node]) -> tuple[list[int], list[int], list[int], list[int]]:
    """Running totals over the nodes (content characters, content nodes, links, nodes other than links,
    furniture and ends), so any run of nodes is summed by one subtraction: chars[end] - chars[first]."""
    chars, content, links, text = [0], [0], [0], [0]
    for n in nodes:
        size, is_content = 0, n.kind in CONTENT
        if is_content:
            size = len(n.text) + (sum(len(c) for r in n.rows for c in r) if n.rows else 0)
        chars.append(chars[-1] + size)
        content.append(content[-1] + is_content)
        links.append(links[-1] + (n.kind == "link"))
        text.append(text[-1] + (n.kind not in ("link", "other", "end")))
    return chars, content, links, text


def slot_value(members: list[Member]) -> float:
    """How many questions the slot holds, weighted by the detector's confidence (wordless titles aside):
    sections and notes among a slot's members cost nothing, they are not taken."""
    return sum(m.p for m in members if m.p >= THRESHOLD and has_words(m.title))


def rank_slots(by_key: dict[tuple, list[Member]]) -> list[tuple]:
    keys = [k for k, ms in by_key.items() if any(m.p >= THRESHOLD for m in ms) and slot_value(ms) > 0]
    return sorted(keys, key=lambda k: (-slot_value(by_key[k]), BY_NAME[k[0]].order, k[1] if len(k) > 1 else 0))


def _asked(by_key: dict[tuple, list[Member]]) -> list[tuple]:
    """When the detector sees no layout at all (a few questions among more text), a text that ends with a
    question mark is taken for a question rather than reading the file as nothing."""
    for members in by_key.values():
        for m in members:
            if m.title.rstrip().endswith("?") and has_words(m.title):
                m.p = max(m.p, THRESHOLD)
    return rank_slots(by_key)


def choose(nodes: list[Node], plan: Plan, ranked: list[tuple]) -> None:
    """The layout: the best slot, numbered headings that continue it at another level, and a second
    layout in the parts of the file the first leaves outside (e.g. a bold-question section after a
    heading section) when it holds several questions of its own."""
    by_key, primary = plan.by_key, ranked[0]
    chosen: dict[tuple[int, int], Member] = {m.slot: m for m in reversed(by_key[primary])}
    plan.slot_keys = [primary]
    _join_numbered_levels(by_key, primary, chosen)
    where = stops(nodes)
    covered = _covered(nodes, chosen, where)
    for key in ranked[1:]:
        outside = [m for m in by_key[key] if m.idx not in covered and (m.idx, -1) not in chosen]
        if sum(m.p >= THRESHOLD for m in outside) >= 2:
            for m in outside:
                chosen.setdefault(m.slot, m)
            plan.slot_keys.append(key)
            covered = _covered(nodes, chosen, where)
    anchors = sorted(chosen.values(), key=lambda m: (m.idx, m.row))
    # An item indented under the previous question (the author meant it as the answer, CommonMark
    # reads it as a sibling) is not a question slot.
    plan.anchors = [
        m
        for k, m in enumerate(anchors)
        if not (
            k
            and m.key[0] == "item"
            and anchors[k - 1].key == m.key
            and not m.question_like
            and nodes[m.idx].indent > nodes[anchors[k - 1].idx].indent
        )
    ]
    plan.ends = answer_ends(nodes, plan.anchors, where)


def judge(plan: Plan) -> None:
    """Which anchors are questions: the detector's call, less titles without words and editor's notes."""
    for m in plan.anchors:
        why = ""
        if not has_words(m.title):
            why = NO_WORDS
        elif _editor_note(m.title):  # "### Q51: (Missing in source PDF)"
            why = EDITOR_NOTE
        elif m.p < THRESHOLD or m.links_only:  # "You may also like" over links: the page's furniture
            why = NOT_QUESTIONS.get(m.key[0], "bold lines that are not questions")
        if why:
            plan.rejected[why] = plan.rejected.get(why, 0) + 1
            plan.rejected_idx.add(m.idx)
        else:
            plan.accepted.append(m)


def _nothing_found(nodes: list[Node], report: ReadReport) -> None:
    if not any(n.text.strip() or n.rows or n.answer for n in nodes if n.kind not in ("link", "other", "end")):
        report.kind = "empty"  # nothing but whitespace, empty elements or links: nothing to publish
        return
    raise SourceError(
        report.file,
        None,
        f"format not recognised: no questions found (read as {report.reader}; layouts tried: {TRIED}). "
        "Mark each question as a heading, a numbered or bulleted item, a bold line or `Q:`, "
        + NO_QUESTIONS_HINT.format(file=report.file.rsplit("/", 1)[-1]),
    )


# --- questions ----------------------------------------------------------------------------------


def _questions(nodes: list[Node], lines: list[str], plan: Plan, report: ReadReport, reader: str) -> set[int]:
    """One RawQuestion per accepted anchor; returns the nodes inside questions."""
    accepted = {m.slot for m in plan.accepted}
    in_answer: set[int] = set()
    sections = _sections(nodes, {m.idx for m in plan.anchors})
    names = _names(nodes)
    for m, end in zip(plan.anchors, plan.ends, strict=True):
        if m.slot not in accepted:
            continue
        node = nodes[m.idx]
        body = list(range(m.idx + 1 + m.consumes, end)) if m.row < 0 and node.kind != "row" else []
        in_answer.update(range(m.idx, end if m.row < 0 else m.idx + 1))
        blocks = _own_blocks(m, node, report.file, reader)
        blocks += answer_blocks(nodes, body, lines, report.file, reader, notes_style=node.kind == "item")
        blocks = tidy(blocks)
        level, topic = _hints(nodes, m.idx, end)
        ref = SourceRef(
            file=report.file,
            line=node.line + m.offset,
            text=m.raw.strip(),
            reader=reader,
            section=topic or sections.get(m.idx, ""),
            level=_level(level),
        )
        report.questions.append(RawQuestion(ref=ref, title=title_case_to_sentence(m.title, names), blocks=blocks))
        if not blocks:
            report.unanswered += 1
    return in_answer


def _own_blocks(m: Member, node: Node, file: str, reader: str) -> list[Block]:
    """Answer text on the question's own line, table row or record."""
    blocks: list[Block] = []
    if m.rest:
        blocks.append(
            Block(kind="para", text=m.rest, fmt=m.rest_fmt, origin=SourceRef(file, node.line, m.rest, reader))
        )
    if m.row >= 0 and node.rows:
        row = node.rows[m.row]
        for c in row:
            if c.strip() and md_plain(c) != md_plain(row[0]):
                blocks.append(Block(kind="para", text=c, fmt=node.fmt, origin=SourceRef(file, node.line, c, reader)))
    elif node.kind == "row":
        for c in node.answer:
            if c.strip():
                # a multi-line markdown cell (paragraphs, fenced code) is a fragment, kept whole
                kind = "md" if node.fmt == "md" and "\n" in c.strip() else "para"
                blocks.append(
                    Block(kind=kind, text=c.strip(), fmt=node.fmt, origin=SourceRef(file, node.line, c[:500], reader))
                )
    return blocks


# --- what is left out ---------------------------------------------------------------------------


def _left_out(nodes: list[Node], plan: Plan, in_answer: set[int], report: ReadReport) -> None:
    """Sections (kept as hints), links, empty elements and text outside questions: counted, and a
    warning when that text is more than a small share of the file."""
    in_links = links_sections(nodes)
    sections_seen, outside_lines, outside_chars = 0, [], 0
    for i, n in enumerate(nodes):
        if i in in_answer:
            if n.kind in ("other", "link"):
                report.drop(_other_reason(n))
            continue
        if i in plan.rejected_idx or n.kind == "end":
            continue
        if n.kind == "item" and not n.text.strip():
            report.drop("empty list items")
        elif n.kind == "heading":
            sections_seen += 1
        elif n.kind in ("link", "other"):
            report.drop(_other_reason(n))
        elif in_links[i]:
            continue
        elif size := len(n.text) + sum(len(c) for r in n.rows for c in r):
            outside_chars += size
            outside_lines.append(n.line)
    if sections_seen:
        report.drop("section headings", sections_seen)
    for why, k in plan.rejected.items():
        report.drop(why, k)
    if outside_lines:
        report.drop("paragraphs outside questions", len(outside_lines))
        _outside_warning(nodes, outside_lines, outside_chars, report)


def _outside_warning(nodes: list[Node], outside_lines: list[int], outside_chars: int, report: ReadReport) -> None:
    total = sum(
        len(n.text) + sum(len(c) for r in n.rows for c in r) for n in nodes if n.kind not in ("link", "other", "end")
    )
    share = outside_chars / max(total, 1)
    if share <= OUTSIDE_SHARE:
        return
    first = outside_lines[0]
    node = next(n for n in nodes if n.line == first)
    what = (node.title or node.text).strip()[:60]
    if len(outside_lines) == 1:
        report.warnings.append(f"{report.file}:{first}: text outside any question: {what!r}")
        return
    shown = ", ".join(str(x) for x in outside_lines[:5])
    more = f" and {len(outside_lines) - 5} more" if len(outside_lines) > 5 else ""
    report.warnings.append(
        f"{report.file}:{first}: text outside any question ({share:.0%} of the file, lines {shown}{more}): {what!r}"
    )


def _level(marker: str) -> str:
    """A level the source states ("hard", "[H]", 3 stars) as one of the site's levels, or ""."""
    if not marker:
        return ""
    marked = lift(f"[{marker}]") if marker not in LEVELS else None
    return marker if marker in LEVELS else (marked.level if marked else "")


def _other_reason(n: Node) -> str:
    if n.kind == "link":
        return "'Click here' links" if re.match(r"\s*click here\b", n.text, re.I) else "navigation links"
    if n.tag == "metadata":
        return "metadata lines (level/topic hints)"
    if n.tag == "skipped":
        return "lines skipped (sources/reading.yaml)"
    return "empty elements" if n.tag == "empty" else f"non-content <{n.tag}> elements"


def _hints(nodes: list[Node], idx: int, end: int) -> tuple[str, str]:
    """(level, topic) a question's markers give: its own, a metadata line in its answer or just before it."""
    level, topic = nodes[idx].difficulty, nodes[idx].section
    near = [j for j in (idx - 1, *range(idx + 1, end)) if 0 <= j < len(nodes) and nodes[j].tag == "metadata"]
    for j in near:
        level, topic = level or nodes[j].difficulty, topic or nodes[j].section
    return level, topic


def _join_numbered_levels(by_key: dict, primary: tuple, chosen: dict) -> None:
    """Numbered headings at another level that continue the primary numbering (… 22, ### 23, 25, ## 27 …)
    are questions of the same list: an author's slip of the heading level."""
    if primary[0] != "heading":
        return
    prim = [m for m in by_key[primary] if m.number.isdigit()]
    if len(prim) * 2 < len(by_key[primary]) or len(prim) < 3:
        return
    positions = [p.idx for p in prim]
    joined: list[Member] = []
    others = sorted(
        (m for key, ms in by_key.items() if key[0] == "heading" and key != primary for m in ms), key=lambda m: m.idx
    )
    for m in others:
        if not m.number.isdigit() or not m.question_like:
            continue
        pos = bisect.bisect_left(positions, m.idx)
        lo = int(prim[pos - 1].number) if pos else 0
        hi = int(prim[pos].number) if pos < len(prim) else 10**9
        if joined and (not pos or joined[-1].idx > prim[pos - 1].idx):
            lo = max(lo, int(joined[-1].number))
        if lo < int(m.number) < hi:
            chosen[m.slot] = m
            joined.append(m)


def _covered(nodes: list[Node], chosen: dict, where: Stops) -> set[int]:
    """The nodes inside the chosen questions. What is under a member the detector does not take (a group
    label, a section over questions) is no question's answer: another layout may find questions there."""
    anchors = sorted(chosen.values(), key=lambda m: (m.idx, m.row))
    covered: set[int] = set()
    for m, end in zip(anchors, answer_ends(nodes, anchors, where), strict=True):
        if m.p < THRESHOLD:
            continue
        covered.update(range(m.idx, max(end, m.idx + 1)))
    return covered


_MID_CAPITAL = re.compile(r"(?<=[a-z,;] )([A-Z][a-z]+)\b")
_LOWER_WORD = re.compile(r"\b[a-z]{2,}\b")


def _names(nodes: list[Node]) -> frozenset[str]:
    """Words the file capitalises in the middle of a sentence: names ("Boltzmann"), kept in titles."""
    found: set[str] = set()
    lower: set[str] = set()
    for n in nodes:
        if n.kind in ("para", "item") and n.text:
            found.update(_MID_CAPITAL.findall(n.text))
            lower.update(_LOWER_WORD.findall(n.text))
    return frozenset(w for w in found if w.lower() not in lower)


def _sections(nodes: list[Node], question_idx: set[int]) -> dict[int, str]:
    """For each question node, the nearest heading above it that groups it (a topic hint)."""
    stack: list[tuple[int, str]] = []  # open non-question headings: (level, title)
    found: dict[int, str] = {}
    for i, n in enumerate(nodes):
        if i in question_idx:
            if n.kind == "heading":
                while stack and stack[-1][0] >= n.level:
                    stack.pop()
            found[i] = stack[-1][1] if stack else ""
        elif n.kind == "heading":
            while stack and stack[-1][0] >= n.level:
                stack.pop()
            stack.append((n.level, strip_title(n.title)))
    return found


def _study_links(nodes: list[Node], lines: list[str], file: str) -> list[dict]:
    """Under a "Links" heading (notes), each URL is a study link with an optional "(status)" after it."""
    links: list[dict] = []
    heads = [n for n in nodes if n.kind == "heading"]
    for k, h in enumerate(heads):
        if h.title.strip(" -").lower() not in LINKS_SECTIONS:
            continue
        stop = heads[k + 1].line - 1 if k + 1 < len(heads) else len(lines)
        for n in range(h.end + 1, stop + 1):
            line = lines[n - 1]
            if m := URL.search(line):
                status = STATUS.search(line[m.end() :])
                links.append(
                    {"url": m.group(0), "status": status.group(1).strip() if status else "", "file": file, "line": n}
                )
    return links


def _describe(keys: list[tuple], by_key: dict, accepted: list[Member]) -> str:
    parts = []
    for key in keys:
        ms = [m for m in accepted if m.key == key]
        if not ms:
            continue
        name = BY_NAME[key[0]].describe
        if key[0] == "heading":
            name = name.format(key[1])
        elif key[0] == "item":
            ordered = sum(1 for m in ms if m.number) * 2 >= len(ms)
            name = ("numbered " if ordered else "bulleted ") + name + (f" (depth {key[1]})" if key[1] > 1 else "")
        extras = []
        if key[0] in ("item", "heading") and sum(m.bold for m in ms) * 2 >= len(ms):
            extras.append("bold")
        if key[0] == "heading" and sum(m.numbered for m in ms) * 2 >= len(ms):
            extras.append("numbered")
        parts.append(", ".join([name, *extras]))
    return "; ".join(parts)
