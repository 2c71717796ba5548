"""Turn question records into page markdown, permalink pages and the manifest (all in memory)."""

from __future__ import annotations

import functools
import html
import json
import re

import lxml.html
import markdown
import nh3
from lxml import etree
from markdown_it import MarkdownIt

from .clean import COMMAND
from . import urls
from .model import Block, Question, Topic

# --- untrusted text ---------------------------------------------------------------------------

# Shell commands and code identifiers in scraped prose are shown as code (and stay findable as whole
# words in search).
IDENTIFIER = re.compile(
    COMMAND.pattern
    + r"|(?<![\w.])(?:torch(?:\.[A-Za-z_]\w*)+(?:\(\))?|nn\.[A-Za-z_]\w*(?:\(\))?|numpy\.ndarray|np\.\w+|"
    r"autograd\.[Vv]ariable|requires_grad(?:=True)?|backward\s?\(\)|"
    r"(?:MSE|CTC|BCE|BCEWithLogits|CrossEntropy|NLL)Loss|Conv[123][dD])(?![\w])"
)
# Characters that mean something to Markdown, its extensions, or HTML: written as entities so scraped
# text can never become markup, a link, an attribute list or a template.
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]<>#|&!~^=+:$%\"']")


def md_escape(text: str) -> str:
    """Plain text → Markdown that renders as exactly that text."""
    return _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", text)


def md_text(text: str) -> str:
    """Plain text for a Markdown context (headings): escaped, identifiers as code spans."""
    return _split_code(text, md_escape, lambda code: f"`{code}`")


def html_text(text: str) -> str:
    """Plain text for an HTML context: escaped, identifiers wrapped in <code>."""
    return _split_code(text, _html_escape, lambda code: f"<code>{_html_escape(code)}</code>")


def _split_code(text: str, escape, code) -> str:
    """Escape prose with `escape` and render each identifier/command with `code`."""
    out, pos = [], 0
    for m in IDENTIFIER.finditer(text):
        out += [escape(text[pos : m.start()]), code(m.group(0))]
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _html_escape(text: str) -> str:
    # Braces too: nothing downstream may see "{{" or "{%" as a template or attribute list.
    return html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")


# --- notes markdown ---------------------------------------------------------------------------

ALLOWED_TAGS = {
    "p",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "a",
    "ul",
    "ol",
    "li",
    "br",
    "pre",
    "blockquote",
    "sub",
    "sup",
    "del",
    "s",
    "kbd",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRS = {"a": {"href", "title"}}
# Markdown fragments kept whole (nested lists, quotes, tables from READMEs): CommonMark, as GitHub reads them.
_MD_BLOCKS = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def sanitise(rendered_html: str, tags: set[str] = ALLOWED_TAGS, *, relative_links: bool = True) -> str:
    """HTML cut down to an allow-list: no scripts, styles, event handlers or javascript: URLs.

    relative_links=False (text from a source) also drops links relative to the source's own page
    ("../images/x.png", "#section"): on this site they would point nowhere."""
    return nh3.clean(
        rendered_html,
        tags=tags,
        attributes=ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
        attribute_filter=None if relative_links else _absolute_links_only,
    )


def _absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href" and not re.match(r"(?i)(?:https?:|mailto:)", value.strip()):
        return None
    return value


def images_as_links(fragment: str) -> str:
    """The site never loads an image a source names (no third-party requests): each <img> becomes a
    link to it, labelled with its alt text."""
    if "<img" not in fragment.lower():
        return fragment
    fragment = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", " ", fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return re.sub(r"<img\b[^>]{0,2000}>?", "", fragment)  # the sanitiser drops what is left
    for img in list(root.iter("img")):
        src, alt = img.get("src") or "", (img.get("alt") or "").strip()
        if re.match(r"https?://", src):
            link = etree.Element("a", href=src)
            link.text = f"Image: {alt}" if alt else "Image"
        else:  # a file next to the source page, which the site does not have
            link = etree.Element("span")
            link.text = f"Image (not included): {alt or src}"
        link.tail = img.tail
        img.getparent().replace(img, link)
    inner = (root.text or "").replace("&", "&amp;").replace("<", "&lt;") + "".join(
        etree.tostring(c, encoding="unicode", method="html") for c in root
    )
    return inner


def _no_templates(clean: str) -> str:
    return clean.replace("{", "&#123;").replace("}", "&#125;")


# One Python-Markdown instance, reset per fragment: building the parser was half the cost of each call.
_NOTES_MD = markdown.Markdown(output_format="html")


@functools.lru_cache(maxsize=1 << 17)  # a fragment is rendered for its page, the CSV and questions.json
def md_fragment(text: str) -> str:
    """Notes markdown → HTML sanitised to an allow-list (no scripts, handlers or javascript: URLs)."""
    if text.count("[") + text.count("<") > BRACKET_LIMIT:  # Python-Markdown: quadratic in these
        clean = md_block(text)
    else:
        clean = _no_templates(sanitise(images_as_links(_NOTES_MD.reset().convert(text)), relative_links=False))
    m = re.fullmatch(r"<p>(.*)</p>", clean.strip(), re.S)
    return m.group(1) if m and "<p>" not in m.group(1) else clean


# `[` and `<` a fragment may hold before it is rendered by markdown-it (linear) instead of Python-Markdown,
# whose link and raw-HTML patterns rescan the rest of the text from each unclosed or nested one: a 12 KB
# paragraph of them took 70 s. Real notes paragraphs hold a few links.
BRACKET_LIMIT = 64


def md_block(text: str) -> str:
    """A markdown fragment kept whole (CommonMark: two-space nested lists, quotes, tables) → sanitised HTML."""
    return _no_templates(sanitise(images_as_links(_MD_BLOCKS.render(text)), relative_links=False))


def html_fragment(text: str) -> str:
    """HTML from a saved page → the same allow-list; images become links."""
    return _no_templates(sanitise(images_as_links(text), relative_links=False))


def inline(text: str, fmt: str) -> str:
    if fmt == "md":
        return md_fragment(text)
    if fmt == "html":
        return html_fragment(text)
    return html_text(text)


_TAG_OR_TEXT = re.compile(r"(<[^<>]{0,5000}>)")
_MD_INLINE = re.compile(r"[\\*_`\[\]~]")


def _pre_lines(code_html: str) -> str:
    """Code as one line that no Markdown pass can touch (the page is markdown, and answers inside an
    admonition are re-read by it): newlines and emphasis/link characters of the text as entities."""
    parts = _TAG_OR_TEXT.split(code_html)
    return "".join(
        p if k % 2 else _MD_INLINE.sub(lambda m: f"&#{ord(m.group(0))};", p).replace("\n", "&#10;")
        for k, p in enumerate(parts)
    )


_PRE = re.compile(r"<pre\b[^>]{0,200}>.*?</pre>", re.S)


def _one_line_pre(fragment: str) -> str:
    """Code inside a sanitised fragment keeps its lines as entities (see block_html's code)."""
    return _PRE.sub(lambda m: _pre_lines(m.group(0)), fragment)


def block_html(b: Block) -> str:
    """One answer part as HTML whose text no later Markdown pass can change: the page is markdown, and
    answers shown inside an admonition ("What the sources said") are read by it again, which made
    `__init__` bold. Emphasis, code and link characters of the text are entities (they look the same)."""
    return md_inert(_block_html(b))


def md_inert(fragment: str) -> str:
    parts = _TAG_OR_TEXT.split(fragment)
    return "".join(p if k % 2 else _MD_INLINE.sub(lambda m: f"&#{ord(m.group(0))};", p) for k, p in enumerate(parts))


def _block_html(b: Block) -> str:
    if b.kind == "para":
        return f"<p>{inline(b.text, b.fmt)}</p>"
    if b.kind == "label":
        text = inline(b.text, b.fmt) if b.text else '<em class="qa-missing">(the source gives no explanation)</em>'
        return f"<p><strong>{inline(b.label, b.fmt)}</strong> {text}</p>"
    if b.kind == "list":
        tag = "ol" if b.ordered else "ul"
        return f"<{tag}>\n" + "\n".join(f"<li>{inline(i, b.fmt)}</li>" for i in b.items) + f"\n</{tag}>"
    if b.kind == "subhead":
        return f'<p class="qa-subhead"><strong>{inline(b.text, b.fmt)}</strong></p>'
    if b.kind == "code":
        lang = re.sub(r"[^\w+#-]", "", b.lang)[:30]
        cls = f' class="language-{lang}"' if lang else ""
        # newlines as entities: the page is markdown, and nothing in it may re-read the code's lines
        return f"<pre><code{cls}>{_pre_lines(_html_escape(b.text))}</code></pre>"
    if b.kind == "md":
        return f'<div class="qa-md">{_one_line_pre(md_block(b.text))}</div>'
    if b.kind == "html":
        return f'<div class="qa-md">{_one_line_pre(html_fragment(b.text))}</div>'
    if b.kind == "image":
        alt = html_text(b.label or "image")
        if re.match(r"https?://", b.text):
            return f'<p class="qa-image"><a href="{_html_escape(b.text)}" rel="noopener nofollow">Image: {alt}</a></p>'
        return f'<p class="qa-image">Image (not included): {alt}</p>'
    if b.kind == "table":
        head, *rows = b.rows
        th = "".join(f"<th>{inline(c, b.fmt)}</th>" for c in head)
        body = "\n".join("<tr>" + "".join(f"<td>{inline(c, b.fmt)}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table>\n<thead><tr>{th}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    raise ValueError(f"unknown block kind {b.kind!r}")


# --- pages ------------------------------------------------------------------------------------


def source_label(q: Question) -> str:
    """Where a question came from, file and line (the editors' duplicates page; cards leave it out)."""
    kinds = []
    for ref in q.sources:
        name = {"dump": "scraped page", "notes": "notes", "overlay": "added by this site"}.get(ref.reader, ref.reader)
        kinds.append(f'<span title="{_html_escape(ref.file)} line {ref.line}">{name} (line {ref.line})</span>')
    return " · ".join(kinds)


CLAIM_PREVIEW = 90  # characters of the source's claim shown on the collapsed "Corrected" line


CARD_PAGE = urls.topic_src("slug")  # question cards are rendered on topic pages, all at this depth
ERRATA_PAGE = "errata.md"


def question_markdown(q: Question, *, demo_md: str = "") -> str:
    """One question card, in the order a reader needs it: the interview answer (what to say aloud)
    and the follow-ups an interviewer asks next, the full answer, references and the demo; then,
    collapsed, what the sources said and any correction. Provenance (files, lines) stays in
    questions.json."""
    # IDs merged into this question (its copies' own IDs) stay anchors here, so old #links still land.
    parts = [f'<div id="{a}" class="qa-alias" data-alias-of="{q.id}"></div>\n' for a in q.aliases]
    parts += [f'## {md_text(q.title)} {{ #{q.id} .qa-q data-qid="{q.id}" }}', ""]
    parts.append(f'<div class="qa-answer" data-qid="{q.id}" markdown>')
    parts.append("")
    if q.summary:
        follow_ups = []
        if q.follow_ups:
            asked = "\n".join(
                f"- [{md_text(title)}]({urls.permalink_link(CARD_PAGE, fid)})" for fid, title in q.follow_ups
            )
            # other questions' titles: kept out of search (they would rank this card for those words)
            follow_ups = [
                '<div class="qa-follow-ups" data-search-exclude markdown>',
                "",
                f"**Follow-ups an interviewer asks next:**\n\n{asked}",
                "",
                "</div>",
                "",
            ]
        parts += [
            '<div class="qa-summary" markdown>',
            "",
            '<p class="qa-summary__label" data-search-exclude>Interview answer</p>',
            "",
            q.summary.strip(),
            "",
            "</div>",
            "",
            *follow_ups,
        ]
    if q.answer_md:
        # one code, its real output: the executed demo takes the place of the answer's own Python
        answer, placed = with_demo(q.answer_md.strip(), demo_md.strip())
        parts += [answer, ""]
    else:
        parts += ["\n".join(block_html(b) for b in q.blocks), ""]
        placed = False
    if demo_md and not placed:
        parts += [demo_md.strip(), ""]
    if q.references:
        parts += ["**References:** " + " · ".join(q.references), ""]
    parts += sources_markdown(q)
    # A markdown link (not raw HTML) so MkDocs validates it and rewrites it for either URL style.
    parts.append(f"[Permanent link]({urls.permalink_link(CARD_PAGE, q.id)}){{ .qa-permalink }}\n{{: .qa-meta }}")
    parts += ["", "</div>", ""]
    return "\n".join(parts)


_PYTHON_INFO = {"", "python", "py", "python3", "pycon"}
_FENCE_PARSER = MarkdownIt("commonmark")


def with_demo(answer_md: str, demo_md: str) -> tuple[str, bool]:
    """The answer with its hand-typed Python replaced by the executed demo (d2l: one code, its real
    output): the demo stands where the first top-level Python block stood, the other ones go. Code
    in other languages (shell, text) stays. Returns (markdown, whether the demo was placed)."""
    if not demo_md:
        return answer_md, False
    lines = answer_md.split("\n")
    spans = [
        tuple(t.map)
        for t in _FENCE_PARSER.parse(answer_md)
        if t.type == "fence" and t.level == 0 and t.map and t.info.strip().split(" ")[0].lower() in _PYTHON_INFO
    ]
    if not spans:
        return answer_md, False
    out: list[str] = []
    pos = 0
    for k, (start, end) in enumerate(spans):
        out += lines[pos:start]
        if k == 0:
            out += ["", demo_md, ""]
        pos = end
    out += lines[pos:]
    return "\n".join(out).strip(), True


def sources_markdown(q: Question) -> list[str]:
    """The quiet, collapsed part of a card: corrections first, then the source text they correct.

    One line when closed ("Corrected — the source said …"); nothing when there is nothing to add
    (no correction, and the source text is already the answer shown above)."""
    shown_blocks = bool(q.answer_md and q.blocks)
    if not q.corrections and not shown_blocks:
        return []
    if q.corrections:
        claim = q.corrections[0].claim.strip()
        if len(claim) > CLAIM_PREVIEW:
            claim = claim[: CLAIM_PREVIEW - 1].rsplit(" ", 1)[0] + "…"
        summary = f"Corrected — the source said “{html_text(claim)}”"
    else:
        summary = "What the sources said"
    # data-search-exclude: the sources' wording and the reviewer's fix are not what a search should
    # land on (they repeat the question's common words); the answer above is.
    out = ['<details class="qa-sources" data-search-exclude markdown>', f"<summary>{summary}</summary>", ""]
    # The source is quoted once: the summary line quotes the claim, the fix follows, then the source's
    # own words (when the answer above is ours) under one "The source said:" label.
    for c in q.corrections:
        if not shown_blocks:
            out += [f'<p class="qa-claim"><strong>The source said:</strong> {html_text(c.claim)}</p>', ""]
        out += [c.why.strip(), ""]
    if shown_blocks:
        label = "<strong>The source said:</strong>" if q.corrections else "What the sources said"
        out += [f'<p class="qa-sources__label">{label}</p>', ""]
        out += ["\n".join(block_html(b) for b in q.blocks), ""]
    out += ["</details>", ""]
    return out


def _indent(text: str, n: int = 4) -> str:
    return "\n".join((" " * n + line) if line.strip() else "" for line in text.splitlines())


LEVEL_LABELS = {"basic": "Basic", "intermediate": "Intermediate", "advanced": "Advanced"}


def reading_order(questions: list[Question]) -> list[Question]:
    """Core questions first, legacy ones (tag `legacy`: APIs kept for old code) last; otherwise the
    topic's own order (a stable sort)."""
    return sorted(questions, key=lambda q: 0 if "core" in q.tags else 2 if "legacy" in q.tags else 1)


def question_list(questions: list[Question]) -> str:
    """The list at the top of a topic page: every question with its level (study.js adds progress)."""
    items = []
    for q in questions:
        level = LEVEL_LABELS.get(q.level, q.level)
        chip = f'<span class="rv-chip rv-chip--level rv-chip--{q.level}">{level}</span>' if q.level else ""
        legacy = ' <span class="rv-chip rv-chip--legacy">Legacy</span>' if "legacy" in q.tags else ""
        items.append(f'<li data-toc-qid="{q.id}"><a href="#{q.id}">{html_text(q.title)}</a> {chip}{legacy}</li>')
    return (
        '<nav class="qa-toc" aria-label="Questions on this page" data-search-exclude>\n'
        '<ol class="qa-toc__list">\n' + "\n".join(items) + "\n</ol>\n</nav>"
    )


def topic_markdown(topic: Topic, *, demos: dict[str, str] | None = None, notebook_links: str = "") -> str:
    demos = demos or {}
    questions = reading_order(topic.questions)
    head = [
        "---",
        f"title: {json.dumps(topic.title)}",
        # the question list at the top replaces the right-hand table of contents: the reading
        # column gets that width (code fits), and the questions are listed once
        "hide:",
        "  - toc",
        "---",
        "",
        # No "# title" line: Material writes the <h1> from the front matter, so the page's table of
        # contents starts at the first question, and so does the skip link ("Skip to content").
        f'<div class="qa-page" data-topic="{topic.slug}"></div>',
        "",
        md_escape(topic.description),
        "",
        f"{notebook_links}\n{{: .qa-notebooks }}" if notebook_links else "",
        "",
        question_list(questions),
        "",
    ]
    body = [question_markdown(q, demo_md=demos.get(q.id, "")) for q in questions]
    return "\n".join(head + body)


def topics_index_markdown(topics: list[Topic], parts: dict[str, list[Topic]] | None = None) -> str:
    """The topics, listed once: each with its description, size and your progress (study.js).
    parts: topic slug → its pages, for a topic split over several (listed by page)."""
    lines = [
        "---",
        "hide:",
        "  - navigation",
        "  - toc",
        "---",
        "",
        "# Topics",
        "",
        "Every question appears on exactly one topic page.",
        "",
        '<div class="qa-topics-index" markdown>',
        "",
        "| Topic | Questions | Your progress |",
        "| --- | --- | --- |",
    ]
    for t in topics:
        pages = (parts or {}).get(t.slug) or []
        link = f"[{md_escape(t.title)}]({urls.link(urls.TOPICS_INDEX, urls.topic_src(t.slug))})"
        if len(pages) > 1:
            hrefs = [(p.title, urls.link(urls.TOPICS_INDEX, urls.topic_src(p.slug))) for p in pages]
            link += " (" + ", ".join(f"[{md_escape(title)}]({href})" for title, href in hrefs) + ")"
        cell = f'<span data-topic-progress="{t.slug}"></span>'
        lines.append(f"| {link}<br>{md_escape(t.description)} | {len(t.questions)} | {cell} |")
    lines += ["", "</div>", ""]
    return "\n".join(lines)


def redirect_html(target: str) -> str:
    """A permalink page q/<id>/ that lands on the question wherever it currently lives.

    A query string (e.g. Material's search highlight ?h=…) is carried over, before the #anchor.
    """
    t = html.escape(target, quote=True)
    page, _, anchor = target.partition("#")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f'<title>Redirecting…</title>\n<link rel="canonical" href="{t}">\n'
        f'<meta http-equiv="refresh" content="0; url={t}">\n'
        f"<script>location.replace({json.dumps(page)} + location.search + {json.dumps('#' + anchor)})</script>\n"
        f'</head><body><p><a href="{t}">Go to the question</a></p></body></html>\n'
    )


def permalink_pages(questions: list[Question], *, directory_urls: bool = True) -> dict[str, str]:
    """src_uri → HTML for q/<id>/index.html, including IDs merged into a survivor."""
    site = urls.Urls(directory_urls=directory_urls)
    pages = {}
    for q in questions:
        target = site.permalink_target(q)  # the page that holds it (a large topic is split over several)
        for qid in [q.id, *q.aliases]:
            pages[urls.permalink_src(qid)] = redirect_html(target)
    return pages


def manifest(questions: list[Question], candidates=(), *, directory_urls: bool = True) -> dict:
    site = urls.Urls(directory_urls=directory_urls)
    out = []
    for q in questions:
        out.append(
            {
                "id": q.id,
                "title": q.title,
                "topic": q.topic,
                "level": q.level,
                "url": site.question_url(q),
                "permalink": site.permalink_url(q.id),
                "aliases": q.aliases,
                "sources": [{"file": s.file, "line": s.line, "text": s.text} for s in q.sources],
                "demos": [{"notebook": d.notebook, "cells": d.cells} for d in q.demos],
                "corrected": q.corrected,
                "added_by_site": q.added_by_site,
                "answer": answer_text(q),
                "follow_ups": [fid for fid, _ in q.follow_ups],
            }
        )
    # pairs that may be one question, for a person to decide in sources/duplicates.yaml (review/duplicates/)
    pairs = [{"ids": list(c.ids), "score": c.score} for c in candidates]
    return {"questions": out, "duplicate_candidates": pairs}


def answer_text(q: Question) -> str:
    """The answer as plain text (manifest, exports): curated answer if any, else the merged blocks."""
    if q.answer_md:
        return q.answer_md.strip()
    return "\n".join(visible_text(b) for b in q.blocks)


def visible_text(b: Block) -> str:
    """What a reader sees of one answer part, as plain text: scraped text as written (the site escapes
    it), markdown and HTML as rendered and sanitised (no tags, handlers or scripts the page drops)."""
    if b.fmt == "text" and b.kind not in ("md", "html"):
        return b.plain() if b.kind != "list" else "\n".join(f"- {i}" for i in b.items)
    return html.unescape(nh3.clean(_block_html(b), tags=set())).strip()


# Pygments wraps every name, operator, punctuation mark and run of spaces in its own <span>; the site
# draws all four in the plain code colour (study.css), so the spans only add weight — a third of a
# topic page. Only these exact, attribute-free spans from the highlighter are unwrapped.
_PLAIN_TOKEN = re.compile(r'<span class="(?:n|w|p|o)">([^<]*)</span>')


def lean_code_html(page_html: str) -> str:
    """Page HTML with the unstyled Pygments token spans removed (the text inside them is kept)."""
    return _PLAIN_TOKEN.sub(r"\1", page_html)


_RELATIVE_UP = re.compile(r"\]\(\.\./(?!\.\./)")


def rebase_up(md: str) -> str:
    """Overlay markdown is written for topic pages (topics/<slug>.md); drop one ../ for a root page."""
    return _RELATIVE_UP.sub("](", md)


def errata_markdown(topics: list[Topic]) -> str:
    """Every correction the overlay makes, by topic, each linked to its question by permalink."""
    corrected = [(t, q) for t in topics for q in t.questions if q.corrections]
    added = [(t, q) for t in topics for q in t.questions if q.added_by_site]
    total = sum(len(q.questions) for q in topics)
    lines = [
        "# Errata",
        "",
        "The raw sources are kept exactly as they were found; every change this site makes is listed here.",
        f"{len(corrected)} of {total} published questions carry a correction, and {len(added)} were added by "
        "the site to fill gaps the sources leave.",
        "",
    ]
    current = None
    for topic, q in corrected:
        if topic is not current:
            lines += [f"## {md_escape(topic.title)}", ""]
            current = topic
        lines.append(f"### [{md_text(q.title)}]({urls.permalink_link(ERRATA_PAGE, q.id)})")
        lines.append("")
        for c in q.corrections:
            lines.append(f"- **The source said:** {md_escape(c.claim)}")
            lines.append("")
            lines.append(_indent(rebase_up(c.why), 2))
            lines.append("")
    if added:
        lines += ["## Questions added by this site", ""]
        for topic, q in added:
            lines.append(f"- [{md_text(q.title)}]({urls.permalink_link(ERRATA_PAGE, q.id)}) ({md_escape(topic.title)})")
        lines.append("")
    lines += review_checklist(topics)
    return "\n".join(lines)


CHECKLIST = "errata/checklist"  # the review checklist's pages: errata/checklist.md, errata/checklist--2.md, …
CHECKLIST_PAGE_SIZE = 100


def checklist_page(n: int) -> str:
    return f"{CHECKLIST}.md" if n == 1 else f"{CHECKLIST}--{n}.md"


def review_checklist(topics: list[Topic], size: int = CHECKLIST_PAGE_SIZE) -> list[str]:
    """The errata page's part of the review checklist: the verdict counts and its pages (bounded: the
    rows are on pages of `size` questions, review_checklist_pages, like the topics)."""
    questions = [q for t in topics for q in t.questions]
    verdicts: dict[str, int] = {}
    for q in questions:
        verdict = q.review.split(" ", 1)[0] if q.review else "not reviewed"
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    counts = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    pages = max(1, -(-len(questions) // size))
    links = " · ".join(f"[{n}]({urls.link(ERRATA_PAGE, checklist_page(n))})" for n in range(1, pages + 1))
    return [
        "## Review checklist",
        "",
        f"All {len(questions)} published questions, one line each: {counts}.",
        "",
        f"The checklist, {size} questions a page: {links}",
        "",
    ]


def review_checklist_pages(topics: list[Topic], size: int = CHECKLIST_PAGE_SIZE) -> dict[str, str]:
    """Every published question with its reviewer's note (sources/overlay/<id>.md `review:`), `size` a page."""
    questions = [q for t in topics for q in t.questions]
    chunks = [questions[i : i + size] for i in range(0, len(questions), size)] or [[]]
    pages = {}
    for n, chunk in enumerate(chunks, start=1):
        page = checklist_page(n)
        lines = [
            "---",
            "search:",
            "  exclude: true",
            "---",
            "",
            f"# Review checklist ({n} of {len(chunks)})",
            "",
            f"Every published question with what its reviewer checked ([errata]({urls.link(page, ERRATA_PAGE)})).",
            "",
            "| Question | Review |",
            "| --- | --- |",
        ]
        for q in chunk:
            note = md_escape(q.review or "not reviewed").replace("|", "&#124;")
            lines.append(f"| [{md_text(q.title)}]({urls.permalink_link(page, q.id)}) | {note} |")
        nav = [f"[← {n - 1}]({urls.link(page, checklist_page(n - 1))})"] if n > 1 else []
        nav += [f"[{n + 1} →]({urls.link(page, checklist_page(n + 1))})"] if n < len(chunks) else []
        pages[page] = "\n".join(lines + ["", " · ".join(nav), ""])
    return pages
