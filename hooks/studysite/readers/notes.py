"""Reader for personal markdown notes: top-level bullets are questions, indented lines their answers."""
from __future__ import annotations

import re

from ..model import Block, SourceRef
from .base import RawQuestion, ReadReport

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
TOP_BULLET = re.compile(r"^ ?[-*+]\s+(.*?)\s*$")
SUB_BULLET = re.compile(r"^\s{2,}[-*+]\s+(.*?)\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
URL = re.compile(r"https?://[^\s)>\]]+")
STATUS = re.compile(r"\(([^()]*)\)\s*$")
LABEL = re.compile(r"^\*\*([^*]{1,60}?:)\*\*\s*(.*)$")
HEADING_MARK = re.compile(r"^#{1,6}\s")
SHORT_ITEM_WORDS = 10


def sniff(text: str) -> float:
    """Share of non-blank lines that are markdown structure (headings, bullets, indented text)."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        return 0.0
    md = sum(1 for ln in lines if HEADING.match(ln) or TOP_BULLET.match(ln) or ln.startswith("  ") or FENCE.match(ln))
    return md / len(lines)


def question_title(raw: str) -> str:
    """Question styles used in notes: "### Q", "### **Q**", "**Q**", "Q", "Q -" (trailing dash).

    Plain string operations, not one regex: runs of optional whitespace around optional markup make a
    regex backtrack badly on long blank runs.
    """
    text = raw.strip()
    if HEADING_MARK.match(text):
        text = text.lstrip("#")
    text = text.replace("**", "").strip()
    if text.endswith(" -"):
        text = text[:-2]
    return " ".join(text.split())


def read(text: str, file: str) -> ReadReport:
    report = ReadReport(file=file, kind="notes")
    current: RawQuestion | None = None
    section = ""
    in_fence = False
    answer_lines: list[tuple[int, str, bool]] = []  # (line, text, is_bullet) of the current question

    def finish() -> None:
        if current is not None:
            current.blocks = _blocks(answer_lines, file)
            if not current.blocks:
                report.warnings.append(f"{file}:{current.ref.line}: question has no answer text in this source")
        answer_lines.clear()

    # Lines are counted at "\n" only, as editors do (str.splitlines also breaks at \x0c, U+2028 …).
    for n, line in enumerate(text.split("\n"), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if section == "links":
            if m := URL.search(line):
                status = STATUS.search(line[m.end():])
                report.study_links.append(
                    {"url": m.group(0), "status": status.group(1).strip() if status else "", "file": file, "line": n}
                )
            elif line.strip() and not HEADING.match(line):
                report.drop("non-link lines in Links section")
            if not (h := HEADING.match(line)) or h.group(2).strip(" -").lower() == "links":
                continue
        if in_fence:
            # Code outside the Links section belongs to the current answer as-is.
            if current is not None:
                answer_lines.append((n, line, False))
            continue
        if h := HEADING.match(line):
            finish()
            current = None
            name = h.group(2).strip(" -").lower()
            section = "links" if name in ("links", "resources", "further reading") else name
            report.drop("section headings")
            continue
        if m := TOP_BULLET.match(line):
            finish()
            title = question_title(m.group(1))
            ref = SourceRef(file=file, line=n, text=line.strip()[1:].strip(), reader="notes")
            current = RawQuestion(ref=ref, title=title)
            report.questions.append(current)
            continue
        if not line.strip():
            continue
        if current is None:
            report.warnings.append(f"{file}:{n}: text outside any question: {line.strip()[:60]!r}")
            continue
        if m := SUB_BULLET.match(line):
            answer_lines.append((n, m.group(1), True))
        else:
            answer_lines.append((n, line.strip(), False))
    finish()
    return report


def _blocks(lines: list[tuple[int, str, bool]], file: str) -> list[Block]:
    """Answer bullets → blocks: bold labels, runs of short bullets as lists, the rest as paragraphs."""
    blocks: list[Block] = []
    for n, text, is_bullet in lines:
        text = " ".join(text.split())
        if not text:
            continue
        origin = SourceRef(file=file, line=n, text=text, reader="notes")
        if is_bullet and (m := LABEL.match(text)):
            blocks.append(Block(kind="label", label=m.group(1).strip(), text=m.group(2), fmt="md", origin=origin))
        elif is_bullet and _is_short(text):
            if blocks and blocks[-1].kind == "list":
                blocks[-1].items.append(text)
            else:
                blocks.append(Block(kind="list", items=[text], fmt="md", origin=origin))
        else:
            blocks.append(Block(kind="para", text=text, fmt="md", origin=origin))
    # A lone short bullet reads better as a sentence than as a one-item list.
    for b in blocks:
        if b.kind == "list" and len(b.items) == 1:
            b.kind, b.text, b.items = "para", b.items[0], []
    return blocks


def _is_short(text: str) -> bool:
    return len(text.split()) <= SHORT_ITEM_WORDS and not re.search(r"[.:!?]$", text)
