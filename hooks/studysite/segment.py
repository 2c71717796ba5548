"""Find the questions in a block stream, whatever format it came from.

The author of a question list picked one (sometimes two) ways to mark a question: headings of one
level, numbered or bulleted items at one depth, bold-led paragraphs, `Q:` / `Question 3` prefixes,
`<details><summary>`, or the rows of a question/answer table. Each of these is a *slot*. Per file,
every candidate slot is scored by how many of its texts read as questions (a `?`, or an interrogative
or imperative opening: "What …", "Explain …"), less half of those that do not; the best slot is the
layout. Everything after a question up to the next member of its slot (or a heading that outranks it)
is its answer — sub-headings, nested lists, code, tables. Headings that are not questions are
sections: their text is kept as the questions' topic hint. What is left outside any question is
counted, and named in a warning when it is more than a small share of the file.
"""
from __future__ import annotations

import bisect
import re
import textwrap
from dataclasses import dataclass, field

from .clean import title_case_to_sentence
from .markers import LEVELS, lift
from .model import Block, RawQuestion, ReadReport, SourceError, SourceRef
from .stream import Node

# Openings that make a sentence a question or a task. Language, not domain knowledge: the same for
# any subject.
QUESTION_WORDS = frozenset(
    """what what's whats why how when which who whom whose where is are was were can could do does did
    should would will shall may might has have had explain describe define compare contrast differentiate
    distinguish list name give tell write implement state discuss outline summarize summarise mention
    illustrate derive show prove calculate compute design suggest identify elaborate clarify demonstrate
    walk provide estimate build create predict choose pick consider suppose imagine assume given find solve
    sketch propose""".split()
)
# "Q: …", "Q3. …", "Question 3: …", "Ques. …" — and plain numbering "3. …", "3) …", "(3) …", "#3 …".
Q_PREFIX = re.compile(r"(?i)(?:question|ques\.?|q)(?:\s{0,3}(\d{1,4}(?:\.\d{1,4}){0,3})\s{0,3}[.:)\-–]?|\s{0,3}[.:])\s*")
NUM_PREFIX = re.compile(r"(?:\(?(\d{1,4}(?:\.\d{1,4}){0,3})\s{0,3}[.):\-–]|#(\d{1,4}))\s+")
ANSWER_PREFIX = re.compile(r"(?i)[*_]{0,2}(?:a|ans|answer)\s{0,3}[.:][*_]{0,2}\s*")
# Trailing reference links: "… [[src](https://…)]", "… [src](…)", "… [1]".
TRAILING_REF = re.compile(r"\s*\[?\[(?:src|source|ref|\d{1,3})\](?:\([^()\s]{0,2000}\))?\]?\s*$", re.I)
LINKS_SECTIONS = {"links", "resources", "further reading"}  # study links, not questions (notes)
URL = re.compile(r"https?://[^\s)>\]]+")
STATUS = re.compile(r"\(([^()]*)\)\s*$")
OUTSIDE_SHARE = 0.1  # text outside any question above this share of the file is worth a warning

CONTENT = {"para", "item", "label", "code", "table", "quote", "html", "image", "row"}
SLOT_NAMES = {
    "heading": "level-{} headings",
    "item": "list items",
    "bold": "bold-led paragraphs",
    "prefix": "Q:/Question N paragraphs",
    "summary": "<details> summaries",
    "row": "table rows",
    "qpara": "paragraphs that ask",
}
TRIED = ("headings of each level, numbered or bulleted list items, bold-led paragraphs, Q:/Question N prefixes, "
         "<details><summary>, question/answer table rows, one-line paragraphs that ask")


def split_prefix(title: str) -> tuple[str, str, str]:
    """(kind, number, rest): kind "q" for Q:/Question N, "num" for plain numbering, "" for none."""
    t = title.strip()
    if m := Q_PREFIX.match(t):
        if m.group(1) or t[m.end() - 1 : m.end()] in ":." or re.match(r"(?i)(?:question|ques\.?|q)\s{0,3}[.:]", t):
            return "q", m.group(1) or "", t[m.end():].strip()
    if m := NUM_PREFIX.match(t):
        return "num", m.group(1) or m.group(2) or "", t[m.end():].strip()
    return "", "", t


def strip_title(title: str) -> str:
    """Question text without numbering, Q: prefixes, emphasis markers or trailing reference links."""
    t = " ".join(title.split())
    t = t.replace("**", "").replace("__", "")
    for _ in range(2):  # "Q1. 1) …" happens
        kind, _num, rest = split_prefix(t)
        if not kind or not rest:
            break
        t = rest
    t = TRAILING_REF.sub("", t)
    t = lift(t).text
    t = t.strip(" *_")
    if t.endswith(" -"):
        t = t[:-2].rstrip()
    return t


def reads_as_question(title: str) -> bool:
    t = title.strip().rstrip(" .:*_)\"'”’")
    if not has_words(t):
        return False
    if t.endswith("?"):
        return True
    first = t.split(" ", 1)[0].lower().strip("*_\"'“‘(").rstrip(",:")
    return first.split("’")[0].split("'")[0] in QUESTION_WORDS or first in QUESTION_WORDS


def _editor_note(title: str) -> bool:
    """A title wholly in brackets is a note about the list, not a question ("(Missing in source PDF)")."""
    t = title.strip()
    return len(t) > 2 and ((t[0], t[-1]) in (("(", ")"), ("[", "]"))) and t.count(t[0]) == 1


def has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def md_plain(text: str) -> str:
    """Rough plain text of one markdown line (titles only): emphasis, code ticks and link targets gone."""
    t = re.sub(r"!?\[([^\[\]]{0,500})\]\([^()\s]{0,2000}\)", r"\1", text)
    t = t.replace("**", "").replace("__", "").replace("`", "")
    return " ".join(t.split())


@dataclass
class Member:
    """One text in a candidate slot."""

    idx: int  # node index
    key: tuple
    title: str  # question text, cleaned of numbering/markup
    raw: str  # as written
    number: str = ""
    numbered: bool = False
    rest: str = ""  # answer text on the question's own line/paragraph (same fmt as the node)
    rest_fmt: str = "md"
    consumes: int = 0  # following nodes that belong to the question text ("## Question 3" + bold para)
    row: int = -1  # table rows: row index
    bold: bool = False
    sandwiched: bool = False  # a non-question heading between two questions of its slot

    @property
    def question_like(self) -> bool:
        return reads_as_question(self.title)


@dataclass
class Segmented:
    questions: list[RawQuestion] = field(default_factory=list)
    layout: str = ""
    unanswered: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    outside_lines: list[int] = field(default_factory=list)
    outside_chars: int = 0
    total_chars: int = 0


# --- candidates ---------------------------------------------------------------------------------


def lift_metadata(nodes: list[Node]) -> None:
    """Markers on a block become hints on it; a block that is nothing but markers is metadata, not text."""
    for n in nodes:
        if n.kind not in ("heading", "para", "label", "item", "row", "summary") or not n.title:
            continue
        kind, _num, rest = split_prefix(n.title)
        marked = lift(rest if kind else n.title)
        if marked.text == (rest if kind else n.title):
            continue
        n.difficulty = n.difficulty or marked.level
        n.section = n.section or marked.topic
        if not has_words(strip_title(marked.text)) and n.kind != "item":
            n.kind, n.tag = "other", "metadata"
            continue
        n.title = n.title[: len(n.title) - len(rest)] + marked.text if kind else marked.text
        if n.bold and not has_words(strip_title(n.bold)):
            n.bold, n.rest = "", ""
        first, _, after = n.text.partition("\n")
        if after.strip() and n.fmt == "md" and not has_words(strip_title(md_plain(first))):
            n.text = after.strip()  # a line of markers over the question ("**12) Topic:** CNNs, **Level**: Hard")


def candidates(nodes: list[Node]) -> list[Member]:
    out: list[Member] = []
    in_links = _links_sections(nodes)
    for i, n in enumerate(nodes):
        if in_links[i]:
            continue  # study links (notes), never questions
        if n.kind == "heading":
            m = _member(i, ("heading", n.level), n.title, n.raw or n.text, n)
            kind, num, rest = split_prefix(n.title.replace("**", ""))
            if kind and not has_words(strip_title(n.title)) or (kind == "q" and not rest):
                # "## Question 3" on its own: the question is the paragraph under it
                nxt = nodes[i + 1] if i + 1 < len(nodes) else None
                if nxt is not None and nxt.kind in ("para", "label") and nxt.parent == n.parent:
                    title = nxt.bold or nxt.title
                    m = Member(i, ("heading", n.level), strip_title(title), n.title + " " + (nxt.raw or nxt.text),
                               number=num, numbered=bool(num), consumes=1, rest=nxt.rest if nxt.bold else "",
                               rest_fmt=nxt.fmt)
            out.append(m)
        elif n.kind == "item" and (n.title or n.text):
            out.append(_item_member(i, n))
        elif n.kind in ("para", "label"):
            kind, num, rest = split_prefix(n.title)
            bold, rest = _whole_line_bold(n)
            if bold and (not rest or bold.rstrip().endswith(("?", ".", ":")) or reads_as_question(strip_title(bold))):
                out.append(Member(i, ("bold", n.depth), strip_title(bold), n.raw or n.text, number=num,
                                  numbered=bool(split_prefix(bold)[1]), rest=_strip_answer(rest), rest_fmt=n.fmt,
                                  bold=True))
            elif (n.kind == "para" and "\n" not in n.text.strip() and n.title.rstrip().endswith("?")
                  and len(n.title) < 300 and not n.bold):
                # a paragraph that is one question ("What is X?" then the answer in the next paragraph)
                out.append(Member(i, ("qpara", n.depth), strip_title(n.title), n.raw or n.text, number=num,
                                  numbered=bool(kind), rest_fmt=n.fmt))
            elif kind == "q" and rest:
                first, _, after = (n.text if n.fmt != "html" else n.title).partition("\n")
                out.append(Member(i, ("prefix", n.depth), strip_title(md_plain(first) if n.fmt == "md" else first),
                                  n.raw or n.text, number=num, numbered=True, rest=_strip_answer(after), rest_fmt=n.fmt))
        elif n.kind == "summary":
            out.append(_member(i, ("summary",), n.title, n.title, n))
        elif n.kind == "row":
            out.append(Member(i, ("row",), strip_title(n.title), n.raw or n.title, rest_fmt=n.fmt))
        elif n.kind == "table" and len(n.rows) > 1:
            head = [md_plain(c).lower() for c in n.rows[0]]
            q_col = next((k for k, h in enumerate(head) if h.startswith("question") or h in ("q", "questions")), None)
            body = n.rows[1:]
            col = q_col if q_col is not None else 0
            if len(n.rows[0]) >= 2 and (q_col is not None or sum(reads_as_question(md_plain(r[col])) for r in body if len(r) > col) > len(body) / 2):
                for r_i, r in enumerate(body, start=1):
                    if len(r) > col:
                        out.append(Member(i, ("row",), strip_title(md_plain(r[col])), r[col], row=r_i, rest_fmt=n.fmt))
    return out


def _member(i: int, key: tuple, title: str, raw: str, n: Node) -> Member:
    kind, num, _rest = split_prefix(title.replace("**", ""))
    return Member(i, key, strip_title(title), raw, number=num, numbered=bool(kind), rest_fmt=n.fmt)


def _whole_line_bold(n: Node) -> tuple[str, str]:
    """(bold text, rest). A one-line paragraph whose bold is broken by a stray `**` inside the question
    ("**45. What's … in less **than a minute?**") is one bold question, not a bold part and an answer."""
    one_line = "\n" not in n.text.strip()
    if n.bold and n.rest and one_line and n.rest.rstrip("*_ ").endswith("?"):
        return n.title, ""
    if not n.bold and one_line and n.text.startswith(("**", "__")) and n.text.rstrip().endswith(("**", "__")):
        return n.title, ""  # the parser found no bold in it (a stray "**" inside), the author meant one
    return n.bold, n.rest


def _strip_answer(text: str) -> str:
    text = text.strip()
    if m := ANSWER_PREFIX.match(text):
        text = text[m.end():]
    return text.strip()


def _item_member(i: int, n: Node) -> Member:
    number = n.number if n.ordered else ""
    if n.bold:
        bold, rest = _whole_line_bold(n)
        kind, num, _ = split_prefix(bold)
        return Member(i, ("item", n.depth), strip_title(bold), n.raw or n.text, number=number or num,
                      numbered=bool(number or kind), rest=_strip_answer(rest), rest_fmt=n.fmt, bold=True)
    text = n.text if n.tag != "h" else n.title
    lines = text.split("\n")
    title_lines = 1
    if len(lines) > 1 and not lines[0].rstrip().endswith("?"):
        title_lines = next((k + 1 for k, ln in enumerate(lines) if ln.rstrip().endswith("?")), 1)
    head = "\n".join(lines[:title_lines])
    rest = "\n".join(lines[title_lines:]).strip()
    head_plain = md_plain(head) if n.fmt == "md" else " ".join(head.split())
    if len(lines) == 1 and n.title:
        head_plain = n.title  # the parser's plain text: all emphasis and links gone
    # "Why …? (Say that …)": the parenthesis after the question is the author's answer hint
    cut = head_plain.find("? (")
    if cut > 0 and head_plain.rstrip().endswith(")"):
        rest = (head_plain[cut + 2 :] + ("\n" + rest if rest else "")).strip()
        head_plain = head_plain[: cut + 1]
    kind, num, _ = split_prefix(head_plain)
    return Member(i, ("item", n.depth), strip_title(head_plain), n.raw or n.text, number=number or num,
                  numbered=bool(number or kind), rest=rest, rest_fmt=n.fmt)


def score(members: list[Member]) -> float:
    """Texts that read as questions, less half of those that do not (wordless ones count neither way)."""
    worded = [m for m in members if has_words(m.title)]
    q = sum(1 for m in worded if m.question_like)
    return q - (len(worded) - q) / 2


# Preference when two slots score the same: headings outrank list items, which outrank bold text …
_ORDER = {"heading": 0, "summary": 1, "row": 2, "item": 3, "bold": 4, "prefix": 5, "qpara": 6}


def choose_slots(members: list[Member], nodes: list[Node]) -> list[tuple]:
    by_key: dict[tuple, list[Member]] = {}
    for m in members:
        by_key.setdefault(m.key, []).append(m)
    ranked = sorted(by_key, key=lambda k: (-score(by_key[k]), _ORDER[k[0]], k[1] if len(k) > 1 else 0))
    ranked = [k for k in ranked if any(m.question_like for m in by_key[k]) and score(by_key[k]) > 0]
    return ranked


# --- segmentation -------------------------------------------------------------------------------


def segment(nodes: list[Node], lines: list[str], report: ReadReport, reader: str) -> None:
    """Fill `report` with the questions found in `nodes`; raise a SourceError when there are none."""
    file = report.file
    lift_metadata(nodes)
    members = candidates(nodes)
    ranked = choose_slots(members, nodes)
    total = sum(len(n.text) + sum(len(c) for r in n.rows for c in r) for n in nodes if n.kind not in ("link", "other", "end"))
    if not ranked:
        if not any(n.text.strip() or n.rows or n.answer for n in nodes if n.kind not in ("link", "other", "end")):
            report.kind = "empty"  # nothing but whitespace, empty elements or links: nothing to publish
            return
        raise SourceError(
            file, None,
            f"format not recognised: no questions found (read as {report.reader}; layouts tried: {TRIED}). "
            "Mark each question as a heading, a numbered or bulleted item, a bold line or `Q:`",
        )
    by_key: dict[tuple, list[Member]] = {}
    for m in members:
        by_key.setdefault(m.key, []).append(m)
    primary = ranked[0]
    chosen: dict[int, Member] = {}
    slot_keys = [primary]
    for m in by_key[primary]:
        chosen.setdefault(m.idx if m.row < 0 else -(m.idx * 100000 + m.row), m)
    _join_numbered_levels(by_key, primary, chosen)
    # A second layout in the parts of the file the first one leaves outside (e.g. a bold-question
    # section after a heading section) joins when it holds several questions of its own.
    covered = _covered(nodes, chosen, set(slot_keys))
    for key in ranked[1:]:
        outside = [m for m in by_key[key] if m.idx not in covered and m.idx not in chosen]
        if sum(m.question_like for m in outside) >= 2 and score(outside) >= 2:
            for m in outside:
                chosen.setdefault(m.idx if m.row < 0 else -(m.idx * 100000 + m.row), m)
            slot_keys.append(key)
            covered = _covered(nodes, chosen, set(slot_keys))

    anchors = sorted(chosen.values(), key=lambda m: (m.idx, m.row))
    # An item indented under the previous question (the author meant it as the answer, CommonMark
    # reads it as a sibling) is not a question slot.
    anchors = [m for k, m in enumerate(anchors)
               if not (k and m.key[0] == "item" and anchors[k - 1].key == m.key and not m.question_like
                       and nodes[m.idx].indent > nodes[anchors[k - 1].idx].indent)]
    majority_numbered = {k: sum(m.numbered for m in by_key[k]) * 2 >= len(by_key[k]) for k in slot_keys}
    accepted: list[Member] = []
    rejected: dict[str, int] = {}
    rejected_idx: set[int] = set()
    ends = _answer_ends(nodes, anchors)
    precision = {k: sum(m.question_like for m in by_key[k]) / len(by_key[k]) for k in slot_keys}
    for k, (m, end) in enumerate(zip(anchors, ends)):
        has_answer = bool(m.rest) or m.row >= 0 or any(nodes[j].kind in CONTENT for j in range(m.idx + 1 + m.consumes, end))
        if (m.key[0] == "heading" and not m.question_like and not m.numbered and has_answer
                and precision.get(m.key, 0) >= 0.5 and 0 < k < len(anchors) - 1
                and anchors[k - 1].key == anchors[k + 1].key == m.key
                and anchors[k - 1].question_like and anchors[k + 1].question_like):
            # "## Batch normalization" between two questions of a list of questions is one of them
            m.sandwiched = True
        heading_ok = m.key[0] == "heading" and (m.numbered and majority_numbered.get(m.key, True) or m.sandwiched)
        # "**Best optimizer**: Adam." is a label and its text, not a question with an answer
        label_only = m.bold and not m.question_like and not nodes[m.idx].has_children and end <= m.idx + 1 + m.consumes
        if not (m.question_like or heading_ok
                or (m.key[0] != "heading" and has_answer and not label_only)) or not has_words(m.title):
            rejected_idx.add(m.idx)
        if not has_words(m.title):
            rejected["titles with no words (emoji or punctuation only)"] = rejected.get("titles with no words (emoji or punctuation only)", 0) + 1
            continue
        if _editor_note(m.title):  # "### Q51: (Missing in source PDF)"
            rejected_idx.add(m.idx)
            rejected["editor's notes in place of a question"] = rejected.get("editor's notes in place of a question", 0) + 1
            continue
        if m.question_like:
            accepted.append(m)
        elif heading_ok:
            accepted.append(m)
        elif m.key[0] in ("item", "bold", "row", "summary", "prefix", "qpara") and has_answer and not label_only:
            accepted.append(m)
        else:
            why = {"heading": "section headings", "item": "list items that are not questions (navigation, notes)"}.get(
                m.key[0], "bold lines that are not questions")
            rejected[why] = rejected.get(why, 0) + 1
    accepted_idx = {(m.idx, m.row) for m in accepted}

    # answers: from each accepted question to the next member of any chosen slot (accepted or not)
    seg = Segmented()
    in_answer: set[int] = set()
    sections_seen = 0
    sections = _sections(nodes, {m.idx for m in anchors})
    names = _names(nodes)
    for m, end in zip(anchors, ends):
        if (m.idx, m.row) not in accepted_idx:
            continue
        node = nodes[m.idx]
        blocks: list[Block] = []
        ref_line = node.line
        if m.rest:
            blocks.append(Block(kind="para", text=m.rest, fmt=m.rest_fmt if m.rest_fmt != "text" else "text",
                                origin=SourceRef(file, ref_line, m.rest, reader)))
        if m.row >= 0:
            row = node.rows[m.row]
            head = node.rows[0]
            cells = [(h, c) for k, (h, c) in enumerate(zip(head, row)) if c.strip() and md_plain(c) != md_plain(row[0])]
            for h, c in cells:
                blocks.append(Block(kind="para", text=c, fmt=node.fmt, origin=SourceRef(file, node.line, c, reader)))
        elif node.kind == "row":
            for c in node.answer:
                if c.strip():
                    # a multi-line markdown cell (paragraphs, fenced code) is a fragment, kept whole
                    kind = "md" if node.fmt == "md" and "\n" in c.strip() else "para"
                    blocks.append(Block(kind=kind, text=c.strip(), fmt=node.fmt, origin=SourceRef(file, node.line, c[:500], reader)))
        body = list(range(m.idx + 1 + m.consumes, end)) if m.row < 0 and node.kind != "row" else []
        in_answer.update(range(m.idx, end if m.row < 0 else m.idx + 1))
        blocks += answer_blocks(nodes, body, lines, file, reader, notes_style=node.kind == "item")
        blocks = _tidy(blocks)
        # the nearest section heading before the question is its topic hint
        level, topic = _hints(nodes, m.idx, end)
        sec = topic or sections.get(m.idx, "")
        text = m.raw.strip()
        ref = SourceRef(file=file, line=node.line, text=text, reader=reader, section=sec, level=_level(level))
        q = RawQuestion(ref=ref, title=title_case_to_sentence(m.title, names), blocks=blocks)
        seg.questions.append(q)
        if not blocks:
            seg.unanswered += 1

    # what is left outside: sections (kept as hints) and text (counted)
    in_links = _links_sections(nodes)
    for i, n in enumerate(nodes):
        if i in in_answer or i in rejected_idx or n.kind in ("end",):
            continue
        if n.kind == "item" and not n.text.strip():
            report.drop("empty list items")
            continue
        if n.kind == "heading":
            sections_seen += 1
            continue
        if n.kind == "link":
            report.drop("navigation links" if not re.match(r"\s*click here\b", n.text, re.I) else "'Click here' links")
            continue
        if n.kind == "other":
            report.drop(_other_reason(n))
            continue
        if in_links[i]:
            continue
        size = len(n.text) + sum(len(c) for r in n.rows for c in r)
        if size == 0:
            continue
        seg.outside_chars += size
        seg.outside_lines.append(n.line)
    for i, n in enumerate(nodes):
        if n.kind == "other" and i in in_answer:
            report.drop(_other_reason(n))
        if n.kind == "link" and i in in_answer:
            report.drop("'Click here' links" if re.match(r"\s*click here\b", n.text, re.I) else "navigation links")
    report.questions = seg.questions
    report.unanswered = seg.unanswered
    report.layout = _describe(slot_keys, by_key, accepted)
    if sections_seen:
        report.drop("section headings", sections_seen)
    for why, k in rejected.items():
        report.drop(why, k)
    if seg.outside_lines:
        report.drop("paragraphs outside questions", len(seg.outside_lines))
        share = seg.outside_chars / max(total, 1)
        if share > OUTSIDE_SHARE:
            first = seg.outside_lines[0]
            node = next(n for n in nodes if n.line == first)
            shown = ", ".join(str(x) for x in seg.outside_lines[:5])
            more = f" and {len(seg.outside_lines) - 5} more" if len(seg.outside_lines) > 5 else ""
            if len(seg.outside_lines) == 1:
                report.warnings.append(f"{file}:{first}: text outside any question: {(node.title or node.text).strip()[:60]!r}")
            else:
                report.warnings.append(
                    f"{file}:{first}: text outside any question ({share:.0%} of the file, lines {shown}{more}): "
                    f"{(node.title or node.text).strip()[:60]!r}"
                )
    report.study_links = _study_links(nodes, lines, file)


def _level(marker: str) -> str:
    """A level the source states ("hard", "[H]", 3 stars) as one of the site's levels, or ""."""
    if not marker:
        return ""
    marked = lift(f"[{marker}]") if marker not in LEVELS else None
    return marker if marker in LEVELS else (marked.level if marked else "")


def _other_reason(n: Node) -> str:
    if n.tag == "metadata":
        return "metadata lines (level/topic hints)"
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
    others = sorted((m for key, ms in by_key.items() if key[0] == "heading" and key != primary for m in ms),
                    key=lambda m: m.idx)
    for m in others:
        if not m.number.isdigit() or not m.question_like:
            continue
        pos = bisect.bisect_left(positions, m.idx)
        lo = int(prim[pos - 1].number) if pos else 0
        hi = int(prim[pos].number) if pos < len(prim) else 10**9
        if joined and (not pos or joined[-1].idx > prim[pos - 1].idx):
            lo = max(lo, int(joined[-1].number))
        if lo < int(m.number) < hi:
            chosen[m.idx] = m
            joined.append(m)


def _answer_ends(nodes: list[Node], anchors: list[Member]) -> list[int]:
    """For each anchor, the index of the first node that is no longer its answer."""
    ends = []
    starts = sorted({m.idx for m in anchors})
    for k, m in enumerate(anchors):
        pos = bisect.bisect_right(starts, m.idx)
        node = nodes[m.idx]
        if m.row >= 0 or node.kind == "row":
            ends.append(m.idx + 1)
            continue
        nxt = starts[pos] if pos < len(starts) else len(nodes)
        end = m.idx + 1 + m.consumes
        while end < nxt:
            n = nodes[end]
            if n.kind == "heading" and _closes(node, n, nodes, m.idx, end):
                break
            if n.kind == "heading" and _link_out(nodes, end, nxt):
                break  # "#### Explore all answers here 👉 [site](…)" and a banner: the page's, not the answer's
            if node.kind == "summary" and n.kind == "end" and not _inside(nodes, end, m.idx):
                end += 1
                break
            if node.kind == "item" and n.kind == "item" and n.depth <= node.depth and not _inside(nodes, end, m.idx):
                if not (n.indent > node.indent and n.depth == node.depth and not reads_as_question(n.title)):
                    break  # (an item indented under the question, against the list syntax, is its answer)
            end += 1
        ends.append(end)
    return ends


def _link_out(nodes: list[Node], idx: int, stop: int) -> bool:
    """A heading that is a link elsewhere, followed by nothing but HTML, images and links."""
    h = nodes[idx]
    if not re.search(r"\]\(https?://|<a\s", h.text):
        return False
    return all(nodes[j].kind in ("html", "image", "link", "other", "end") for j in range(idx + 1, stop))


def _closes(q: Node, h: Node, nodes: list[Node], q_idx: int, h_idx: int) -> bool:
    """Does heading h end the answer of question q?"""
    if _inside(nodes, h_idx, q_idx):
        return False  # a heading inside the question's own list item / details
    if q.kind == "heading":
        return h.level <= q.level
    return True


def _inside(nodes: list[Node], idx: int, ancestor: int) -> bool:
    p = nodes[idx].parent
    while p >= 0:
        if p == ancestor:
            return True
        p = nodes[p].parent
    return False


def _covered(nodes: list[Node], chosen: dict, keys: set) -> set[int]:
    anchors = sorted((m for m in chosen.values()), key=lambda m: (m.idx, m.row))
    covered: set[int] = set()
    for m, end in zip(anchors, _answer_ends(nodes, anchors)):
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


def _links_sections(nodes: list[Node]) -> list[bool]:
    out, inside = [], False
    for n in nodes:
        if n.kind == "heading":
            inside = n.title.strip(" -").lower() in LINKS_SECTIONS
        out.append(inside)
    return out


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
                status = STATUS.search(line[m.end():])
                links.append({"url": m.group(0), "status": status.group(1).strip() if status else "", "file": file, "line": n})
    return links


def _describe(keys: list[tuple], by_key: dict, accepted: list[Member]) -> str:
    parts = []
    for key in keys:
        ms = [m for m in accepted if m.key == key]
        if not ms:
            continue
        name = SLOT_NAMES[key[0]]
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


# --- answers ------------------------------------------------------------------------------------


def answer_blocks(nodes: list[Node], body: list[int], lines: list[str], file: str, reader: str,
                  *, notes_style: bool = False) -> list[Block]:
    """The nodes under a question → answer blocks, structure kept (code, tables, nested lists)."""
    if not body:
        return []
    if notes_style and all(nodes[i].kind in ("item", "para") for i in body) and any(nodes[i].kind == "item" for i in body):
        return _notes_blocks(nodes, body, file, reader)
    blocks: list[Block] = []
    skip_until = -1
    k = 0
    while k < len(body):
        i = body[k]
        n = nodes[i]
        if i <= skip_until:
            k += 1
            continue
        origin = SourceRef(file, n.line, (n.raw or n.text)[:500], reader)
        if n.kind in ("link", "other", "end"):
            pass
        elif n.kind == "para":
            blocks.append(Block(kind="para", text=n.text, fmt=n.fmt, origin=origin))
        elif n.kind == "label":
            blocks.append(Block(kind="label", label=n.text, fmt=n.fmt, origin=origin))
        elif n.kind in ("heading", "summary"):
            blocks.append(Block(kind="subhead", text=n.title if n.fmt != "md" else n.text, fmt=n.fmt, origin=origin))
        elif n.kind == "code":
            blocks.append(Block(kind="code", text=n.text, lang=n.lang, fmt="text", origin=origin))
        elif n.kind == "table":
            blocks.append(Block(kind="table", rows=n.rows, fmt=n.fmt, origin=origin))
        elif n.kind == "quote":
            blocks.append(Block(kind="md", text=_dedent_lines(lines, n.line, n.end), fmt="md", origin=origin))
        elif n.kind == "html":
            blocks.append(Block(kind="html", text=n.text, fmt="html", origin=origin))
        elif n.kind == "image":
            blocks.append(Block(kind="image", text=n.text, label=n.label, fmt="text", origin=origin))
        elif n.kind == "item":
            # one list: consecutive items of this list id (and everything nested in them)
            group, nested = [], []
            members_of = set()
            for j in body[k:]:
                nj = nodes[j]
                if nj.kind == "item" and nj.list_id == n.list_id:
                    group.append(j)
                    members_of.add(j)
                elif _has_ancestor_in(nodes, j, members_of):
                    nested.append(j)
                else:
                    break
            last = max(group + nested)
            if not nested or n.fmt != "md":
                items = [nodes[g].text for g in group if nodes[g].text]
                if nested and n.fmt != "md":
                    items += [nodes[j].text for j in nested if nodes[j].text]
                blocks.append(Block(kind="list", items=items, fmt=n.fmt, ordered=n.ordered, origin=origin))
            else:
                lo = min(nodes[g].line for g in group)
                hi = max(nodes[j].end for j in group + nested)
                blocks.append(Block(kind="md", text=_dedent_lines(lines, lo, hi), fmt="md", origin=origin))
            skip_until = last
        k += 1
    return blocks


def _has_ancestor_in(nodes: list[Node], idx: int, ancestors: set[int]) -> bool:
    p = nodes[idx].parent
    while p >= 0:
        if p in ancestors:
            return True
        p = nodes[p].parent
    return False


ANSWER_WORDS = {"answer", "answer:", "ans", "ans:", "ans.", "a:", "a.", "solution", "solution:", "explanation", "explanation:"}
_EMPTY_HTML = re.compile(r"(?is)(?:<br\s*/?>|</?p[^>]{0,200}>|</?div[^>]{0,200}>|&nbsp;|\s)*")


def _tidy(blocks: list[Block]) -> list[Block]:
    """Drop an "Answer" marker (the answer follows it), an "Ans:" opening, and HTML that shows nothing."""
    out = []
    for b in blocks:
        if b.kind == "html" and _EMPTY_HTML.fullmatch(b.text) and "<img" not in b.text.lower():
            continue
        if not out and b.kind in ("subhead", "para", "label") and (b.text or b.label).strip(" *_#").lower() in ANSWER_WORDS:
            continue
        if not out and b.kind == "para" and (m := ANSWER_PREFIX.match(b.text)):
            b.text = b.text[m.end():]
        out.append(b)
    return out


def _dedent_lines(lines: list[str], first: int, last: int) -> str:
    return textwrap.dedent("\n".join(lines[first - 1 : last])).strip("\n")


def _notes_blocks(nodes: list[Node], body: list[int], file: str, reader: str) -> list[Block]:
    """Notes whose answers are bullets under the question bullet: bold `Label:` bullets stay labels,
    runs of short bullets a list, full sentences paragraphs (a bullet is how notes indent text)."""
    parts: list[tuple[int, str, bool]] = []
    for i in body:
        n = nodes[i]
        if n.kind == "item" and n.text:
            parts.append((n.line, n.text, True))
        elif n.kind == "para" and n.text:
            parts.append((n.line, n.text, False))
    blocks: list[Block] = []
    for line, text, is_bullet in parts:
        text = " ".join(text.split())
        origin = SourceRef(file=file, line=line, text=text, reader=reader)
        if is_bullet and (m := LABEL.match(text)):
            blocks.append(Block(kind="label", label=m.group(1).strip(), text=m.group(2), fmt="md", origin=origin))
        elif is_bullet and len(text.split()) <= 10 and not re.search(r"[.:!?]$", text):
            if blocks and blocks[-1].kind == "list":
                blocks[-1].items.append(text)
            else:
                blocks.append(Block(kind="list", items=[text], fmt="md", origin=origin))
        else:
            blocks.append(Block(kind="para", text=text, fmt="md", origin=origin))
    for b in blocks:
        if b.kind == "list" and len(b.items) == 1:
            b.kind, b.text, b.items = "para", b.items[0], []
    return blocks


LABEL = re.compile(r"^\*\*([^*]{1,60}?:)\*\*\s*(.*)$")
