"""Place every question on exactly one topic page: curated map first, then by content, then the fallback.

A question no map entry names (e.g. from a newly dropped file) goes to the topic whose text it is
closest to: TF-IDF cosine between the question (title, answer, and the section it sat under in its
source) and each topic's profile (title, description and keywords from sources/topics.yaml, plus the
questions already pinned to it). A keyword of the topic in the title adds weight. Nothing similar at
all → the fallback topic.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import yamlfile
from .model import Question, SourceError, Topic
from .urls import SLUG

KEYWORD_WEIGHT = 0.15  # a topic keyword in the title: worth this much cosine similarity
# Below this, a question is like no topic in particular (e.g. "Which data visualisation libraries do you
# use?"): it goes to the fallback topic, and the log lists it. About the weakest 5 % of the corpus files.
MIN_SIMILARITY = 0.03

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
            value = t.get(key)
            if not isinstance(value, str) or not value.strip():
                raise SourceError(rel, line, f"topic {i + 1} has no `{key}` (text)")
        if not SLUG.fullmatch(t["slug"]):
            raise SourceError(
                rel, yamlfile.line_of(t, "slug"), f"topic slug {t['slug']!r} must be lower-case words joined by '-'"
            )
        if t["slug"] == "index":  # topics/index.md is the topics index: the topic would replace it
            raise SourceError(
                rel, yamlfile.line_of(t, "slug"), "topic slug 'index' is the topics index page's; choose another"
            )
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
            raise SourceError(
                rel, yamlfile.line_of(pinned, qid), f"question {qid!r} is mapped to unknown topic {slug!r}"
            )
    if data.get("fallback") not in slugs:
        raise SourceError(
            rel, yamlfile.line_of(data, "fallback"), f"fallback topic {data.get('fallback')!r} is not one of the topics"
        )
    return data


def assign_topics(questions: list[Question], topic_map: dict) -> tuple[list[Topic], list[str]]:
    """Return topics in page order (each with its questions in source order) and notes for the log."""
    topics = {t["slug"]: Topic(t["slug"], t["title"], t.get("description", "")) for t in topic_map["topics"]}
    pinned: dict[str, str] = topic_map.get("questions") or {}
    rules = [(t["slug"], [k.lower() for k in t.get("keywords", [])]) for t in topic_map["topics"]]
    notes: list[str] = []
    by_content: dict[str, list[str]] = {}
    by_fallback: list[str] = []
    known = {q.id for q in questions} | {a for q in questions for a in q.aliases}
    for qid in pinned:
        if qid not in known:
            notes.append(f"topic map names {qid!r}, which no source has (stale entry)")
    placed: dict[str, str] = {}
    for q in questions:
        # Questions added by the overlay carry their topic; sourced ones are placed here.
        slug = q.topic or pinned.get(q.id) or next((a and pinned.get(a) for a in q.aliases if pinned.get(a)), None)
        if slug:
            placed[q.id] = slug
    unplaced = [q for q in questions if q.id not in placed]
    if unplaced:
        placed.update(_by_content(unplaced, questions, placed, topic_map, rules, by_content, by_fallback))
    for q in questions:
        slug = placed[q.id]
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
    if by_content:
        where = ", ".join(f"{slug} {len(ids)}" for slug, ids in sorted(by_content.items(), key=lambda kv: -len(kv[1])))
        n = sum(len(ids) for ids in by_content.values())
        notes.append(f"{n} questions placed by content (pin them in sources/topics.yaml to override): {where}")
    if by_fallback:
        ids = by_fallback
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        notes.append(
            f"{len(ids)} questions like no topic, placed on fallback topic {topic_map['fallback']!r} "
            f"(pin them in sources/topics.yaml): {shown}"
        )
    return list(topics.values()), notes


def _text(q: Question) -> str:
    sections = " ".join(s.section for s in q.sources if s.section)
    answer = " ".join(b.plain() for b in q.blocks)
    return f"{q.title} {q.title} {sections} {answer} {q.summary} {q.answer_md}"


def _by_content(
    unplaced: list[Question],
    questions: list[Question],
    placed: dict[str, str],
    topic_map: dict,
    rules: list,
    by_content: dict,
    by_fallback: list,
) -> dict[str, str]:
    """TF-IDF cosine of each unplaced question against each topic's profile (+ a keyword bonus)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    slugs = [t["slug"] for t in topic_map["topics"]]
    profile = {
        t["slug"]: [t["title"], t.get("description", ""), " ".join(t.get("keywords", [])) * 2]
        for t in topic_map["topics"]
    }
    by_id = {q.id: q for q in questions}
    for qid, slug in placed.items():
        if slug in profile and qid in by_id:
            profile[slug].append(_text(by_id[qid]))
    vectorizer = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9_]+\b"
    )
    topic_docs = [" ".join(profile[s]) for s in slugs]
    vectorizer.fit(topic_docs + [_text(q) for q in unplaced])
    sims = linear_kernel(vectorizer.transform([_text(q) for q in unplaced]), vectorizer.transform(topic_docs))
    out: dict[str, str] = {}
    for row, q in zip(sims, unplaced, strict=False):
        title = q.title.lower()
        scores = [
            float(row[k]) + (KEYWORD_WEIGHT if any(w in title for w in rules[k][1]) else 0.0) for k in range(len(slugs))
        ]
        best = max(range(len(slugs)), key=lambda k: scores[k])
        if scores[best] < MIN_SIMILARITY:
            out[q.id] = topic_map["fallback"]
            by_fallback.append(q.id)
        else:
            out[q.id] = slugs[best]
            by_content.setdefault(slugs[best], []).append(q.id)
    return out
