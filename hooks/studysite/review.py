"""The spaced-repetition pages (review/, quiz/) and the question data their script reads (study-data.js).

Everything here is generated in memory. The scheduling itself runs in the reader's browser
(docs/assets/javascripts/review.js with the vendored ts-fsrs); this module only publishes what the
script needs to know about each question: ID, title, topic, level, where it lives, and which old IDs
(aliases) now point at it, so progress saved under an old ID moves to its survivor.

The data is a script, not a JSON file fetched at run time, because the offline build is opened from
file:// where fetch() of a local file is refused.

The cards' answers are not in the pages (at 3,000 questions they made review/ and quiz/ 1.4 MB each):
MkDocs renders them once, as a hidden deck at the end of review/index.md; when that page is rendered,
publish_cards() cuts the deck out of its HTML into fixed-size scripts (CARDS_DIR/cards-<k>.js, each
registering its cards with `window.StudyCards.push(...)`), which review.js adds as <script> elements
for the card it shows. Each question in study-data.js names its chunk ("card": k).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from . import urls
from .model import Question, Topic
from .overlay import LEVELS
from .render import html_text

DATA_FILE = "assets/javascripts/study-data.js"
REVIEW_PAGE = "review/index.md"
QUIZ_PAGE = "quiz/index.md"
CARDS_DIR = "assets/javascripts/study-cards/"
CARDS_PER_CHUNK = 25  # ≈ 15 KB of answers per script: the review page loads the one its card is in

# The scheduler settings the script uses, published with the data so the page can state them and the
# tests can check the Python fsrs package against the same numbers.
SCHEDULER = {
    "desired_retention": 0.9,
    "learning_steps": ["10m"],  # one step: Again shows a card again in 10 min, Good graduates it
    "relearning_steps": ["10m"],
    "maximum_interval_days": 36500,
    "fuzz": False,  # reproducible due dates (the cross-check in tests/browser/test_review.py needs them)
    "learn_ahead_minutes": 20,  # a card due within 20 min is due now (Anki's default learn-ahead)
}


def study_data(
    topics: list[Topic], *, directory_urls: bool, order: list[str] | None = None, days: list[dict] | None = None
) -> dict:
    """What the study scripts know about the site: topics in page order, questions in study-plan order
    (new cards are introduced in it), the plan's days (for "back to Day N"), the study pages' URLs,
    levels, aliases (old ID → survivor) and the scheduler settings."""
    site = urls.Urls(directory_urls=directory_urls)
    questions = [q for t in topics for q in t.questions]
    chunk = {qid: k for k, ids in enumerate(card_chunks(topics)) for qid in ids}
    if order:
        rank = {qid: i for i, qid in enumerate(order)}
        questions.sort(key=lambda q: rank.get(q.id, len(rank)))  # stable: site order for the rest
    return {
        "version": 1,
        "levels": list(LEVELS),
        "scheduler": SCHEDULER,
        "topics": [{"slug": t.slug, "title": t.title, "url": site.topic_url(t.slug)} for t in topics],
        "questions": [
            {
                "id": q.id,
                "title": q.title,
                "topic": q.topic,
                "level": q.level,
                "url": site.question_url(q),  # the page that holds it: a large topic is split
                "permalink": site.permalink_url(q.id),
                "card": chunk[q.id],  # the script CARDS_DIR/cards-<card>.js holds its answer
            }
            for q in questions
        ],
        "aliases": {a: q.id for q in questions for a in q.aliases},
        "days": days or [],
        "cards": {"dir": CARDS_DIR, "per_chunk": CARDS_PER_CHUNK},
        # the study pages' own URLs, for scripts that link or recognise them (urls.py owns the rule)
        "pages": {
            "review": site.page_url(REVIEW_PAGE),
            "quiz": site.page_url(QUIZ_PAGE),
            "topics": site.page_url(urls.TOPICS_INDEX),
            "study_plan": site.page_url(urls.STUDY_PLAN),
        },
    }


DATA_DIR = "assets/javascripts/study-data/"
PART_SIZE = 1000  # questions per topic part (≈ 250 KB): a topic page loads its topic's parts only
ALIAS_PART_SIZE = 2000  # old IDs per alias part; an old ID's part is alias_bucket(id) % alias_parts


def alias_bucket(qid: str) -> int:
    """The alias part an old ID is in (study-store.js computes the same over the ID's UTF-16 code units;
    IDs are ASCII slugs)."""
    h = 0
    for ch in qid:
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    return h


def topic_part_file(slug: str, p: int) -> str:
    return f"{DATA_DIR}{slug}-{p}.js"


# not "<slug>-<n>.js", so no topic's part can have its name
PLAN_NEXT_FILE = f"{DATA_DIR}plan-next.js"


def alias_part_file(h: int) -> str:
    return f"{DATA_DIR}aliases-{h}.js"


def _compact(data: dict) -> str:
    """JSON without the spaces after separators: the data files are read by scripts, not people."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _part_js(data: dict) -> str:
    body = _escape_script(_compact(data))
    head = "/* Generated by hooks/studysite/review.py: part of the questions the study scripts schedule. */\n"
    return head + "(window.StudyData = window.StudyData || []).push(" + body + ");\n"


def study_data_files(
    topics: list[Topic], *, directory_urls: bool, order: list[str] | None = None, days: list[dict] | None = None
) -> dict[str, str]:
    """study-data.js, loaded on every page, holds what is bounded: topics, levels, scheduler, the plan's
    days and a manifest (parts per topic, alias parts). The questions are in per-topic parts of at most
    PART_SIZE, the aliases in alias parts found by hashing the old ID; study-store.js adds a page's parts
    as <script> elements before the study scripts run (all of them on review, quiz, plan, topics, home;
    the page's topic on a topic page)."""
    data = study_data(topics, directory_urls=directory_urls, order=order, days=days)
    questions, aliases = data["questions"], data["aliases"]
    for i, q in enumerate(questions):
        q["order"] = i  # plan order, across parts
    out: dict[str, str] = {}
    for t in data["topics"]:
        own = [q for q in questions if q["topic"] == t["slug"]]
        t["questions"], t["parts"] = len(own), -(-len(own) // PART_SIZE)
        for p in range(t["parts"]):
            part = own[p * PART_SIZE : (p + 1) * PART_SIZE]
            out[topic_part_file(t["slug"], p)] = _part_js({"topic": t["slug"], "part": p, "questions": part})
    k = max(1, -(-len(aliases) // ALIAS_PART_SIZE))
    buckets: list[dict[str, str]] = [{} for _ in range(k)]
    for old, survivor in aliases.items():
        buckets[alias_bucket(old) % k][old] = survivor
    for h, bucket in enumerate(buckets):
        out[alias_part_file(h)] = _part_js({"aliases": bucket})
    curated = {qid for d in data["days"] for qid in d["questions"]}
    keep = ("id", "title", "permalink")
    plan_next = {  # "Next in plan" from a curated question, whatever parts a page has
        q["id"]: {key: nxt[key] for key in keep}
        for q, nxt in zip(questions, questions[1:], strict=False)
        if q["id"] in curated
    }
    # a part of its own, loaded only by a page opened from the plan (it was ~11 KB of every page's data)
    out[PLAN_NEXT_FILE] = _part_js({"plan_next": plan_next})
    data["questions"], data["aliases"] = [], {}
    data["parts"] = {"dir": DATA_DIR, "alias_parts": k, "plan_next": PLAN_NEXT_FILE.removeprefix(DATA_DIR)}
    core = _escape_script(_compact(data))
    head = "/* Generated by hooks/studysite/review.py: what the study scripts know; the questions are in parts. */\n"
    out[DATA_FILE] = head + "window.STUDY_DATA = " + core + ";\n"
    return out


def study_data_js(
    topics: list[Topic], *, directory_urls: bool, order: list[str] | None = None, days: list[dict] | None = None
) -> str:
    """The bounded study-data.js alone (see study_data_files)."""
    return study_data_files(topics, directory_urls=directory_urls, order=order, days=days)[DATA_FILE]


def _escape_script(data: str) -> str:
    # Titles are scraped text: "<" is escaped so no "</script>" or comment opener survives, even if
    # someone inlines this file one day. The script only ever assigns titles with textContent.
    return data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def card_chunks(topics: list[Topic]) -> list[list[str]]:
    """Question IDs in deck order (topic pages' order), CARDS_PER_CHUNK to a script."""
    ids = [q.id for t in topics for q in t.questions]
    return [ids[i : i + CARDS_PER_CHUNK] for i in range(0, len(ids), CARDS_PER_CHUNK)]


def chunk_file(k: int) -> str:
    return f"{CARDS_DIR}cards-{k}.js"


def cards_js(k: int, cards: dict[str, str]) -> str:
    """One chunk of rendered answers (trusted build output: the page held the same HTML before)."""
    data = _escape_script(_compact({"chunk": k, "cards": cards}))
    head = "/* Generated by hooks/studysite/review.py: answers for the review and quiz cards. */\n"
    return head + "(window.StudyCards = window.StudyCards || []).push(" + data + ");\n"


_DECK = re.compile(r'<div class="rv-deck"')


def publish_cards(src_uri: str, html: str, files: Any) -> str:
    """The review page as rendered: its hidden deck cut out into the chunk scripts (files in `files`,
    registered by pages()), the page HTML without it. Any other page is returned as it is."""
    start = _DECK.search(html) if src_uri == REVIEW_PAGE else None
    if start is None:
        return html
    cards = {}
    for node in LexborHTMLParser(html[start.start() :]).css(".rv-deck .rv-card"):
        answer = node.css_first(".rv-card__a")
        qid = node.attributes.get("data-card-qid")
        if qid and answer is not None:
            cards[qid] = (answer.inner_html or "").strip()
    k = 0
    while (file := files.get_file_from_path(chunk_file(k))) is not None:
        ids = list(cards)[k * CARDS_PER_CHUNK : (k + 1) * CARDS_PER_CHUNK]
        file.content_string = cards_js(k, {qid: cards[qid] for qid in ids})
        k += 1
    return html[: start.start()]


def export_cards(files: Any, docs: Path) -> int:
    """The card chunks publish_cards() filled, written over the placeholders an export (STUDY_EXPORT_DIR)
    copied into its docs tree before review/ was rendered: a site built from the export without the hook
    then shows every card's answer, in the review and the quiz. The number of chunks written."""
    k = 0
    while (file := files.get_file_from_path(chunk_file(k))) is not None:
        target = docs / chunk_file(k)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content_bytes)
        k += 1
    return k


def _card(q: Question) -> str:
    """One question as the review/quiz script shows it: the question, then the interview answer.

    The card links to the full answer on its topic page (by permalink, so it survives moves). Pages
    sit at review/index.md and quiz/index.md, the same depth as topics/<slug>.md, so the overlay's
    relative links work unchanged.
    """
    answer = q.summary.strip() or "The short answer is on the topic page."
    return "\n".join(
        [
            f'<div class="rv-card" data-card-qid="{q.id}" data-topic="{q.topic}" data-level="{q.level}" markdown>',
            f'<p class="rv-card__q">{html_text(q.title)}</p>',
            '<div class="rv-card__a" markdown>',
            "",
            answer,
            "",
            f"[Full answer and demo on the topic page]({urls.permalink_link(REVIEW_PAGE, q.id)}){{ .rv-card__more }}",
            "",
            "</div>",
            "</div>",
            "",
        ]
    )


def _deck(topics: list[Topic]) -> list[str]:
    lines = ['<div class="rv-deck" hidden markdown>', ""]
    for t in topics:
        lines += [_card(q) for q in t.questions]
    return lines + ["</div>", ""]


HOW_IT_WORKS = """\
??? info "How scheduling works"
    Each rating feeds **FSRS** (the scheduler Anki uses), run in your browser by the vendored
    [ts-fsrs](https://github.com/open-spaced-repetition/ts-fsrs) library: target recall 90 %, one
    learning step of 10 minutes, no random fuzz. **Again** shows the card again in 10 minutes;
    **Hard**, **Good** and **Easy** push it further out, by days once you know it.

    - The states, as Anki counts them: **New** (never rated), **Learning** (inside its 10-minute step,
      or relearning after Again), **Young** (in review, next interval under 21 days), **Mature**
      (21 days or more, or marked as known in the quiz).
    - **Due now**: a rated card whose next review has come (a learning card counts from 20 minutes
      before, as in Anki). New cards join the queue up to your *new cards per day*.
    - Ratings on topic pages (self-test mode, after revealing an answer), here and in the quiz all
      update the same card. On the [study plan](../study-plan.md) a question is done once its card is
      Young or better (or you tick it there; ticks never change the review history).
    - Progress lives in this browser only (`localStorage`). Export it below to keep a copy or to move
      it to another browser; importing merges card by card, keeping whichever was reviewed last.
"""

KEYS = """\
<p class="rv-keys-help">Keyboard: <kbd>Space</kbd> shows the answer, <kbd>1</kbd>–<kbd>4</kbd> rate it (Again, Hard,
Good, Easy), <kbd>J</kbd>/<kbd>K</kbd> or <kbd>→</kbd>/<kbd>←</kbd> move to the next or previous card
without rating, <kbd>Esc</kbd> ends the session.</p>
"""


def review_markdown(topics: list[Topic]) -> str:
    n = sum(len(t.questions) for t in topics)
    lines = [
        "---",
        "title: Review",
        "search:",
        "  exclude: true",
        "hide:",
        "  - navigation",
        "---",
        "",
        "# Review",
        "",
        f"The questions due for review now, across all {n} questions and {len(topics)} topics, one at a "
        "time: read the question, answer it aloud, reveal, then rate how well you remembered it.",
        "",
        KEYS,
        '<div class="rv-app" data-mode="review"></div>',
        "",
        '<noscript><p class="rv-noscript">The review needs JavaScript. Every question is also on the '
        "[topic pages](../topics/index.md), and in the Anki deck on the study plan.</p></noscript>",
        "",
        HOW_IT_WORKS,
    ]
    return "\n".join(lines + _deck(topics))


def quiz_markdown(topics: list[Topic]) -> str:
    lines = [
        "---",
        "title: Quiz",
        "search:",
        "  exclude: true",
        "hide:",
        "  - navigation",
        "---",
        "",
        "# Quiz",
        "",
        "A mock interview: random questions from the topics and levels you choose, with an optional "
        "time limit per question. Say your answer aloud before you reveal it. Ratings update your "
        "review schedule; after the reveal, **Mark as known** retires a question from review (rate it "
        "again anywhere to bring it back). The summary gives your score and lets you retry the missed ones.",
        "",
        KEYS.replace("without rating, <kbd>Esc</kbd> ends the session", "without rating, <kbd>Esc</kbd> ends the quiz"),
        '<div class="rv-app" data-mode="quiz"></div>',
        "",
        '<noscript><p class="rv-noscript">The quiz needs JavaScript. Every question is also on the '
        "[topic pages](../topics/index.md).</p></noscript>",
        "",
    ]
    return "\n".join(lines)


def pages(
    topics: list[Topic], *, directory_urls: bool, order: list[str] | None = None, days: list[dict] | None = None
) -> dict[str, str]:
    """src_uri → content for the review page, the quiz page and the script data (questions in `order`,
    the study plan's, when given; `days` from studyplan.plan_days)."""
    out = {
        REVIEW_PAGE: review_markdown(topics),
        QUIZ_PAGE: quiz_markdown(topics),
    }
    out.update(study_data_files(topics, directory_urls=directory_urls, order=order, days=days))
    for k in range(len(card_chunks(topics))):  # filled by publish_cards() when review/ is rendered
        out[chunk_file(k)] = "/* filled in when review/index.md is rendered */\n"
    return out


def level_summary(topics: list[Topic]) -> str:
    """One build-log line: how many questions per level."""
    counts = {lv: 0 for lv in LEVELS}
    for t in topics:
        for q in t.questions:
            counts[q.level] = counts.get(q.level, 0) + 1
    return "levels: " + ", ".join(f"{n} {lv}" for lv, n in counts.items())
