"""Place every question on exactly one topic page: curated map first, then keywords, then the fallback."""
from __future__ import annotations

import logging
from pathlib import Path

import re

from . import yamlfile
from .model import Question, SourceError, Topic

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

log = logging.getLogger("mkdocs.plugins.studysite.topics")


def load_topic_map(path: Path, rel: str) -> dict:
    """The validated topic map; every mistake is a SourceError naming the file and line."""
    data = yamlfile.expect_mapping(yamlfile.load(path, rel), rel, "the topic map")
    topics = yamlfile.expect_list(data.get("topics"), rel, "`topics`", yamlfile.line_of(data, "topics"))
    slugs: list[str] = []
    for i, t in enumerate(topics):
        line = yamlfile.line_of(topics, i)
        if not isinstance(t, dict):
            raise SourceError(rel, line, f"topic {i + 1} must be a mapping with `slug` and `title`")
        for key in ("slug", "title"):
            if not isinstance(t.get(key), str) or not t.get(key).strip():
                raise SourceError(rel, line, f"topic {i + 1} has no `{key}` (text)")
        if not SLUG.fullmatch(t["slug"]):
            raise SourceError(rel, yamlfile.line_of(t, "slug"), f"topic slug {t['slug']!r} must be lower-case words joined by '-'")
        if t["slug"] in slugs:
            raise SourceError(rel, yamlfile.line_of(t, "slug"), f"topic slug {t['slug']!r} is used twice")
        keywords = yamlfile.expect_list(t.get("keywords"), rel, f"keywords of topic {t['slug']!r}", line)
        if not all(isinstance(k, str) for k in keywords):
            raise SourceError(rel, yamlfile.line_of(t, "keywords"), f"keywords of topic {t['slug']!r} must be text")
        slugs.append(t["slug"])
    if not slugs:
        raise SourceError(rel, None, "no topics defined")
    pinned = yamlfile.expect_mapping(data.get("questions"), rel, "`questions`", yamlfile.line_of(data, "questions"))
    for qid, slug in pinned.items():
        if slug not in slugs:
            raise SourceError(rel, yamlfile.line_of(pinned, qid), f"question {qid!r} is mapped to unknown topic {slug!r}")
    if data.get("fallback") not in slugs:
        raise SourceError(rel, yamlfile.line_of(data, "fallback"), f"fallback topic {data.get('fallback')!r} is not one of the topics")
    return data


def assign_topics(questions: list[Question], topic_map: dict) -> tuple[list[Topic], list[str]]:
    """Return topics in page order (each with its questions in source order) and notes for the log."""
    topics = {t["slug"]: Topic(t["slug"], t["title"], t.get("description", "")) for t in topic_map["topics"]}
    pinned: dict[str, str] = topic_map.get("questions") or {}
    rules = [(t["slug"], [k.lower() for k in t.get("keywords", [])]) for t in topic_map["topics"]]
    notes: list[str] = []
    by_keyword: list[str] = []
    by_fallback: list[str] = []
    known = {q.id for q in questions} | {a for q in questions for a in q.aliases}
    for qid in pinned:
        if qid not in known:
            notes.append(f"topic map names {qid!r}, which no source has (stale entry)")
    for q in questions:
        # Questions added by the overlay carry their topic; sourced ones are placed here.
        slug = q.topic or pinned.get(q.id) or next((a and pinned.get(a) for a in q.aliases if pinned.get(a)), None)
        if not slug:
            title = q.title.lower()
            slug = next((s for s, words in rules if any(w in title for w in words)), None)
            if slug is None:
                slug = topic_map["fallback"]
                by_fallback.append(q.id)
            else:
                by_keyword.append(q.id)
        if slug not in topics:
            ref = q.sources[0]
            raise SourceError(ref.file, ref.line, f"question {q.id!r} names unknown topic {slug!r}")
        q.topic = slug
        topics[slug].questions.append(q)
    # Reading order inside a topic: the order of the curated map (written to build up), then anything
    # placed by keyword or fallback in source order.
    rank = {qid: i for i, qid in enumerate(pinned)}
    for topic in topics.values():
        topic.questions.sort(key=lambda q: rank.get(q.id, len(rank)))  # stable: source order otherwise
    for ids, how in [(by_keyword, "by keyword"), (by_fallback, f"on fallback topic {topic_map['fallback']!r}")]:
        if ids:
            shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
            notes.append(f"{len(ids)} questions placed {how} (pin them in sources/topics.yaml): {shown}")
    return list(topics.values()), notes
