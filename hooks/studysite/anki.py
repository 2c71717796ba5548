"""Study exports: an Anki deck (.apkg, one sub-deck per topic) and a CSV of every question, reproducibly."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import itertools
import re
import sqlite3
import time
import zipfile
from urllib.parse import urljoin, urlsplit

import genanki
import markdown

from . import urls
from .model import Question, Topic
from .render import ALLOWED_TAGS, answer_text, block_html, html_text, sanitise

ROOT_DECK = "PyTorch interview"
MODEL_NAME = "PyTorch interview question"
CSV_HEADER = ["id", "topic", "question", "answer", "permalink", "sources", "corrected", "added_by_site"]

# Curated markdown has fenced code and tables; cards get the same allow-list as the site plus tables.
CARD_TAGS = ALLOWED_TAGS | {"table", "thead", "tbody", "tr", "th", "td", "hr", "h4", "h5", "h6"}
CARD_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]

CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 18px; line-height: 1.45;
        text-align: left; color: #222; background: #fff; max-width: 46em; margin: 0 auto; }
.nightMode .card, .card.nightMode { color: #ddd; background: #1e1e1e; }
.qa-question { font-weight: 600; }
.qa-topic { font-size: 0.75em; opacity: 0.65; margin-bottom: 0.6em; }
.qa-summary { border-left: 4px solid #00bfa5; padding: 0.2em 0.8em; margin: 0.6em 0; }
.qa-correction { border-left: 4px solid #ff9100; padding: 0.2em 0.8em; margin: 0.6em 0; }
.qa-missing { opacity: 0.6; }
code, pre { font-family: "JetBrains Mono", Menlo, Consolas, monospace; font-size: 0.85em; }
pre { background: rgba(127, 127, 127, 0.12); padding: 0.6em; overflow-x: auto; }
table { border-collapse: collapse; } th, td { border: 1px solid rgba(127, 127, 127, 0.4); padding: 0.2em 0.5em; }
.qa-link { font-size: 0.8em; margin-top: 1.2em; }
"""

FRONT = '<div class="qa-topic">{{Topic}}</div>\n<div class="qa-question">{{Question}}</div>'
BACK = '{{FrontSide}}\n<hr id="answer">\n{{Answer}}\n<p class="qa-link"><a href="{{Link}}">Open on the site</a></p>'


def stable_id(name: str) -> int:
    """A deck/model ID that never changes for a name, in the range genanki documents (2**30 … 2**31)."""
    return (1 << 30) + int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % (1 << 30)


MODEL = genanki.Model(
    stable_id(MODEL_NAME),
    MODEL_NAME,
    fields=[{"name": n} for n in ("Question", "Answer", "Topic", "Link", "ID")],
    templates=[{"name": "Question → answer", "qfmt": FRONT, "afmt": BACK}],
    css=CSS,
)


def deck_name(topic: Topic) -> str:
    # "::" separates sub-decks in Anki: a title containing it must not create a deeper level.
    return f"{ROOT_DECK}::{topic.title.replace('::', ':')}"


HREF = re.compile(r'href="([^"]*)"')


def card_html(md: str, base: str) -> str:
    """Trusted curated markdown → HTML sanitised to the card allow-list (no scripts, handlers, js: URLs).

    Relative links (written for the topic page, e.g. ../q/<id>/index.html) become absolute against
    `base`, the topic page's source URL: a card has no site around it to resolve them.
    """
    clean = sanitise(markdown.markdown(md, extensions=CARD_EXTENSIONS, output_format="html"), CARD_TAGS).strip()
    return HREF.sub(lambda m: f'href="{html.escape(_absolute(html.unescape(m.group(1)), base))}"', clean)


def _absolute(href: str, base: str) -> str:
    if urlsplit(href).scheme:
        return href
    url = urlsplit(urljoin(base, href))
    path = url.path
    # MkDocs turns page links (x.md) and index.html targets into directory URLs.
    path = re.sub(r"(?:^|(?<=/))index\.(?:md|html)$", "", path)
    path = re.sub(r"\.md$", "/", path)
    return url._replace(path=path).geturl()


def answer_html(q: Question, base: str) -> str:
    """Back of the card: interview summary, corrections, then the curated answer or the source text."""
    parts = []
    if q.summary:
        parts.append(f'<div class="qa-summary">{card_html(q.summary, base)}</div>')
    for c in q.corrections:
        parts.append(
            f'<div class="qa-correction"><p><strong>The source said:</strong> {html_text(c.claim)}</p>'
            f"{card_html(c.why, base)}</div>"
        )
    if q.answer_md:
        parts.append(card_html(q.answer_md, base))
    else:
        parts.extend(block_html(b) for b in q.blocks)
    return "\n".join(parts)


def permalink(q: Question, site_url: str) -> str:
    # the deck and CSV are for the hosted site, which has directory URLs
    return urls.Urls.absolute(site_url, urls.Urls(directory_urls=True).permalink_url(q.id))


def anki_package(topics: list[Topic], *, site_url: str, timestamp: float) -> bytes:
    """An .apkg with a sub-deck per topic and a note per question; same input + timestamp → same bytes.

    Deck and model IDs derive from names and note GUIDs from question IDs, so importing a newer
    package updates the cards already studied instead of adding duplicates.
    """
    if not site_url.startswith(("http://", "https://")):
        raise ValueError(f"site_url must be an absolute http(s) URL, got {site_url!r}")
    root = genanki.Deck(stable_id(ROOT_DECK), ROOT_DECK, description="Questions from the PyTorch interview study site.")
    decks = [root]
    position = itertools.count()
    for topic in topics:
        # The deck ID follows the slug, which outlives a retitled topic.
        deck_id = stable_id(f"{ROOT_DECK}::{topic.slug}")
        deck = genanki.Deck(deck_id, deck_name(topic), description=html.escape(topic.description))
        base = urls.Urls.absolute(site_url, urls.topic_src(topic.slug))  # the page overlay links are written for
        for q in topic.questions:
            tags = [topic.slug, f"level::{q.level}"] if q.level else [topic.slug]
            tags += (["corrected"] if q.corrected else []) + (["added-by-site"] if q.added_by_site else [])
            deck.add_note(
                genanki.Note(
                    model=MODEL,
                    fields=[
                        html_text(q.title),
                        answer_html(q, base),
                        html.escape(topic.title),
                        html.escape(permalink(q, site_url)),
                        q.id,
                    ],
                    guid=genanki.guid_for(q.id),
                    tags=tags,
                    due=next(position),  # new cards come up in site order
                )
            )
        decks.append(deck)
    return _apkg_bytes(genanki.Package(decks), timestamp)


def _apkg_bytes(package: genanki.Package, timestamp: float) -> bytes:
    # genanki's write_to_file stamps the zip entry with the temp file's mtime; write both parts here
    # instead, with every time taken from `timestamp`.
    conn = sqlite3.connect(":memory:")
    try:
        package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        conn.commit()
        conn.execute("VACUUM")
        db = conn.serialize()
    finally:
        conn.close()
    date_time = time.gmtime(max(timestamp, 315532800))[:6]  # zip dates start in 1980
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in (("collection.anki2", db), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()


# A spreadsheet runs a cell that starts with one of these as a formula (`=HYPERLINK(...)`, `@SUM`, `+cmd|`):
# OWASP's advice is a leading apostrophe, which spreadsheets show as text and hide.
FORMULA_START = ("=", "@", "+", "-", "\t", "\r")


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def questions_csv(topics: list[Topic], *, site_url: str) -> str:
    """Every question as one CSV row, in topic order then question order; the answer as plain text."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_HEADER)
    for topic in topics:
        for q in topic.questions:
            answer = "\n\n".join(p for p in (q.summary.strip(), answer_text(q).strip()) if p)
            w.writerow(
                safe_cell(cell)
                for cell in [
                    q.id,
                    topic.title,
                    q.title,
                    answer,
                    permalink(q, site_url),
                    "; ".join(f"{s.file}:{s.line}" for s in q.sources),
                    "true" if q.corrected else "false",
                    "true" if q.added_by_site else "false",
                ]
            )
    return out.getvalue()
