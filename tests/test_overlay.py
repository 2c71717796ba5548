"""The curated overlay: applied on top of merged answers, every question reviewed, raw sources untouched."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from conftest import REPO, copy_project, run_mkdocs
from studysite import overlay
from studysite.errors import SourceError
from studysite.pipeline import build_content

# The raw inputs exactly as given: the overlay must never require editing them.
SEEDS = ["sources/000_4bf7c5cc3fe7a3fc.txt", "sources/004_519512c2dfdefeb4.txt"]


@pytest.fixture(scope="module")
def content():
    return build_content(REPO)


def test_raw_sources_are_byte_for_byte_the_seeds():
    shared = REPO.parent / "shared" / "seeds"
    for rel in SEEDS:
        ours = (REPO / rel).read_bytes()
        given = shared / Path(rel).name
        if given.exists():  # CI and developer machines have shared/ beside the repo
            assert ours == given.read_bytes(), rel
        # and the file is still what was first committed
        assert hashlib.sha256(ours).hexdigest() == EXPECTED_SHA256[rel], rel


EXPECTED_SHA256 = {
    "sources/000_4bf7c5cc3fe7a3fc.txt": "0aa25a2a60c2c265931d0f05d17af8fd369300a361f714eb7940e1551e3f1b0a",
    "sources/004_519512c2dfdefeb4.txt": "ec22d4fda35bb4c6fe5c12d3883b82afdb233b6c8044cb874b044903b0cca4b8",
}


def test_every_published_question_was_reviewed(content):
    missing = [q.id for q in content.questions if not q.review]
    assert missing == []
    for q in content.questions:
        assert re.match(r"^(ok|completed|corrected|added) —", q.review), (q.id, q.review)
        assert q.summary, q.id
        if q.review.startswith("corrected"):
            assert q.corrections, q.id


def test_every_overlay_file_names_a_published_question(content):
    ids = {q.id for q in content.questions} | {a for q in content.questions for a in q.aliases}
    for path in overlay.overlay_files(REPO / "sources" / "overlay"):
        meta, _ = overlay.parse(path, path.name)
        assert str(meta.get("id") or path.stem) in ids


def test_gaps_are_filled_by_site_added_questions(content):
    added = {q.id: q for q in content.questions if q.added_by_site}
    for qid in [
        "zero-grad",
        "train-eval-mode",
        "no-grad",
        "dataset-dataloader",
        "device-handling",
        "save-load-model",
        "overfitting-dropout",
    ]:
        assert qid in added, qid
        assert added[qid].answer_md and added[qid].sources[0].reader == "overlay"


def test_corrections_show_on_pages_and_errata(built_site):
    site, _ = built_site
    questions = json.loads((site / "questions.json").read_text(encoding="utf-8"))["questions"]
    corrected = [q for q in questions if q["corrected"]]
    assert len(corrected) >= 20
    errata = (site / "errata" / "index.html").read_text(encoding="utf-8")
    for q in corrected:
        page = (site / q["url"].split("#")[0] / "index.html").read_text(encoding="utf-8")
        section = page.split(f' id="{q["id"]}"', 1)[1].split('class="qa-q"', 1)[0]
        # one quiet, collapsed line that opens to the source's words and the fix
        assert '<details class="qa-sources">' in section and "The source said:" in section, q["id"]
        assert "<summary>Corrected — the source said “" in section, q["id"]
        assert f"q/{q['id']}/" in errata, q["id"]
    # the original text stays one click away
    assert "What the sources said" in (site / "topics" / "cnn" / "index.html").read_text(encoding="utf-8")


def test_overlay_applies_summary_answer_and_correction(tmp_path):
    project = copy_project(tmp_path / "p")
    (project / "sources" / "overlay" / "stride.md").write_text(
        "---\nreview: corrected — test\nsummary: Stride is the **step** of the window.\n"
        "corrections:\n  - claim: Stride is the number of pixels\n    why: It is a step size.\n---\n"
        "The curated answer body.\n",
        encoding="utf-8",
    )
    content = build_content(project)
    q = next(q for q in content.questions if q.id == "stride")
    assert q.summary == "Stride is the **step** of the window."
    assert q.answer_md == "The curated answer body."
    assert [c.claim for c in q.corrections] == ["Stride is the number of pixels"]
    assert q.blocks  # the source text is kept (shown under "What the sources said")


def test_overlay_for_a_question_that_no_longer_exists_fails_the_build(tmp_path):
    project = copy_project(tmp_path / "p")
    (project / "sources" / "overlay" / "no-such-question.md").write_text(
        "---\nreview: corrected — x\ncorrections:\n  - claim: a\n    why: b\n---\n", encoding="utf-8"
    )
    (err,) = build_content(project).fatal
    assert str(err).startswith("sources/overlay/no-such-question.md:1: overlay names question 'no-such-question'")
    result = run_mkdocs(project, "build", "-d", str(tmp_path / "out"))  # even without --strict
    assert result.returncode != 0
    assert (
        "sources/overlay/no-such-question.md:1: overlay names question 'no-such-question', which no source has"
        in result.stderr
    )


def test_broken_link_or_anchor_in_curated_text_fails_strict_build(tmp_path):
    for body, needle in [
        ("See [this](../q/not-a-question/index.html).", "not-a-question"),
        ("See [that](cnn.md#not-an-anchor).", "not-an-anchor"),
    ]:
        project = copy_project(tmp_path / needle)
        path = project / "sources" / "overlay" / "stride.md"
        path.write_text(path.read_text(encoding="utf-8").rstrip() + "\n\n" + body + "\n", encoding="utf-8")
        result = run_mkdocs(project, "build", "--strict", "-d", str(tmp_path / f"out-{needle}"))
        assert result.returncode != 0, needle
        assert needle in result.stderr


@pytest.mark.parametrize(("qid", "ok"), [("batch-norm-2", True), ("Batch_Norm", False), ("batch--norm", False)])
def test_ids_of_added_questions_and_aliases_must_be_url_slugs(tmp_path, qid, ok):
    """One rule (urls.SLUG) for an overlay's added question and an alias in aliases.yaml."""
    from studysite.model import Question
    from studysite.pipeline import apply_aliases

    def questions():
        return [Question(id="stride", title="What is stride?", key=("stride",), topic="cnn")]

    (tmp_path / "overlay").mkdir()
    (tmp_path / "overlay" / "added.md").write_text(
        f"---\nid: {qid}\nadded: true\ntitle: What is it?\ntopic: cnn\n---\nAnswer.\n", encoding="utf-8"
    )
    published = questions()
    errors = overlay.apply(published, tmp_path / "overlay", tmp_path)
    assert [q.id for q in published] == (["stride", qid] if ok else ["stride"])
    assert [str(e) for e in errors] == (
        [] if ok else [f"overlay/added.md:1: added question ID {qid!r} must be lower-case words joined by '-'"]
    )
    (tmp_path / "aliases.yaml").write_text(f"{qid}: stride\n", encoding="utf-8")
    if ok:
        assert apply_aliases(questions(), tmp_path / "aliases.yaml", tmp_path)[0].aliases == [qid]
    else:
        with pytest.raises(SourceError, match=r"^aliases.yaml:1: alias .* must be lower-case words joined by '-'"):
            apply_aliases(questions(), tmp_path / "aliases.yaml", tmp_path)
