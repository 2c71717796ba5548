"""Question IDs stay put when answers change, when a new source merges in, and when a topic changes."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import copy_project
from studysite.pipeline import build_content

REPO = Path(__file__).resolve().parents[1]
NOTES = "000_4bf7c5cc3fe7a3fc.txt"


def ids(root: Path) -> dict[str, object]:
    return {q.id: q for q in build_content(root).questions}


def sources_copy(dest: Path, **kwargs) -> Path:
    """Only sources/: build_content reads nothing else (copying the notebooks and pages is wasted)."""
    return copy_project(dest, parts=["sources"], **kwargs)


def test_ids_are_readable_slugs():
    for qid in ids(REPO):
        assert qid == qid.lower() and " " not in qid and len(qid) <= 80
    assert {"max-pooling", "tensor", "torch-from-numpy", "difference-between-type-i-type-ii-error"} <= set(ids(REPO))


def test_id_survives_answer_edit(tmp_path):
    before = ids(REPO)
    text = (REPO / "sources" / NOTES).read_text(encoding="utf-8")
    edited = text.replace("Max pooling is a **sample-based discrete process**", "Max pooling keeps the largest value")
    assert edited != text
    project = sources_copy(tmp_path / "p", sources={NOTES: edited})
    after = ids(project)
    assert set(after) == set(before)
    assert "largest value" in " ".join(b.text for b in after["max-pooling"].blocks)


def test_id_survives_a_new_source_that_merges_in(tmp_path):
    new_dump = "h3 => [ 1) What is the Max-Pooling? ]\np => [ It takes the maximum of each window. ]\n"
    project = sources_copy(tmp_path / "p", sources={"005_new_dump.txt": new_dump})
    after = ids(project)
    assert set(after) == set(ids(REPO))  # merged, nothing new, nothing renamed
    q = after["max-pooling"]
    assert [s.file for s in q.sources][-1] == "sources/005_new_dump.txt"
    assert len(q.sources) == 3


def test_id_survives_a_topic_move(tmp_path):
    project = sources_copy(tmp_path / "p")
    topics_file = project / "sources" / "topics.yaml"
    data = yaml.safe_load(topics_file.read_text())
    assert data["questions"]["max-pooling"] == "cnn"
    data["questions"]["max-pooling"] = "training"
    topics_file.write_text(yaml.safe_dump(data, sort_keys=False))
    after = ids(project)
    assert set(after) == set(ids(REPO))
    assert after["max-pooling"].topic == "training"


def test_alias_keeps_a_merged_id_landing(tmp_path):
    survivor_id = "benefit-using-batch-normalization-when-training-neural-network"
    aliases = f"why-should-use-batch-normalization: {survivor_id}\n"
    project = sources_copy(tmp_path / "p", sources={"aliases.yaml": aliases})
    after = ids(project)
    assert "why-should-use-batch-normalization" not in after
    survivor = after["benefit-using-batch-normalization-when-training-neural-network"]
    assert "why-should-use-batch-normalization" in survivor.aliases
    assert len(survivor.sources) == 3


def test_alias_merge_does_not_repeat_sentences(tmp_path):
    dump = (
        "h3 => [ 1) What is foo alpha? ]\np => [ Foo is shared by both copies. ]\n"
        "h3 => [ 2) What is foo beta? ]\np => [ Foo is shared by both copies. Beta adds a detail. ]\n"
    )
    project = sources_copy(tmp_path / "p", sources={"950_foo.txt": dump, "aliases.yaml": "foo-alpha: foo-beta\n"})
    survivor = ids(project)["foo-beta"]
    text = " ".join(b.plain() for b in survivor.blocks)
    assert text.count("Foo is shared by both copies") == 1
    assert "Beta adds a detail" in text and survivor.aliases == ["foo-alpha"]


def test_alias_must_be_a_slug(tmp_path):
    from studysite.model import SourceError

    project = sources_copy(tmp_path / "p", sources={"aliases.yaml": "'../../evil': max-pooling\n"})
    (error,) = build_content(project).fatal  # a curated-file error: fails the build (serve: warns)
    assert isinstance(error, SourceError)
    assert str(error).startswith("sources/aliases.yaml:1: alias '../../evil' must be lower-case words")


def test_study_plan_links_questions_by_permalink_and_notebooks(built_site):
    import re

    site, _ = built_site
    html = (site / "study-plan" / "index.html").read_text(encoding="utf-8")
    question_links = re.findall(r'href="\.\./q/([a-z0-9-]+)/(?:index\.html)?"', html)
    assert len(question_links) >= 10
    for qid in question_links:
        assert (site / "q" / qid / "index.html").exists()
    assert len(re.findall(r'href="\.\./notebooks/[a-z_]+/"', html)) >= 7
    assert "(to do)" in html and "(do this last)" in html  # the notes' Links with their status markers
    assert html.count('class="task-list-item"') >= 10


def test_topic_reading_order_follows_the_curated_map():
    import yaml

    from studysite.pipeline import build_content

    pinned = list(yaml.safe_load((REPO / "sources" / "topics.yaml").read_text())["questions"])
    for topic in build_content(REPO).topics:
        ids = [q.id for q in topic.questions]
        assert ids == sorted(ids, key=pinned.index), topic.slug
    cnn = next(t for t in build_content(REPO).topics if t.slug == "cnn")
    assert cnn.questions[0].id == "convolutional-neural-network"


def corpus_dump() -> str:
    """The evaluation set's questions from other authors' files, as one scraped-dump source file."""
    from dedup_eval import load_pairs

    seen, lines, n = set(), ["h1 => [ Interview questions from other authors ]"], 0
    for p in load_pairs():
        for side in (p["a"], p["b"]):
            key = (side["from"], side["title"])
            if side["from"].startswith(("seed-", "site-")) or key in seen:
                continue
            seen.add(key)
            n += 1
            clean = lambda t: t.replace("[", "(").replace("]", ")").replace("\n", " ")  # noqa: E731
            lines += [f"h3 => [ {n}) {clean(side['title'])} ]", f"p => [ {clean(side['answer'])} ]"]
    return "\n".join(lines) + "\n"


def test_every_baseline_id_lands_and_stays_primary_after_adding_a_corpus_file(tmp_path):
    """Whatever the new file is called (first or last in source order), today's IDs stay primary and land."""
    import json

    baseline = json.loads((REPO / "tests" / "data" / "questions-baseline.json").read_text())["questions"]
    same = yaml.safe_load((REPO / "sources" / "duplicates.yaml").read_text())["same"] or []
    merged_into = {alias: survivor for survivor, alias in same}
    assert len(merged_into) == 4  # the four pairs the 2026 review found: every old ID still lands
    before = build_content(REPO)
    for name in ("000_aaa_corpus.txt", "zzz_corpus.txt"):
        content = build_content(sources_copy(tmp_path / name, sources={name: corpus_dump()}))
        assert content.source_questions > before.source_questions + 100
        index, primary = content.index(), {q.id for q in content.questions}
        for q in baseline:
            # a baseline ID that a person merged (duplicates.yaml `same:`) lands on its survivor as an alias
            survivor = merged_into.get(q["id"], q["id"])
            assert survivor in primary and index[q["id"]].id == survivor, (name, q["id"])
            for alias in q["aliases"]:
                assert index[alias].id == survivor
        merged_in = {q.id: q.aliases for q in content.questions if q.aliases}
        # the corpus's paraphrases of site questions became aliases of the site's IDs, e.g.
        assert "vanishing-exploding-gradient" in merged_in["exploding-vanishing-gradient"]
        assert "gradient-clipping-when-used" in merged_in["gradient-clipping"]
        assert index["adam-optimization-algorithm"].id == "adam-optimizer-minute"
        assert content.candidates
