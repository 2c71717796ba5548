"""Inputs that used to build with exit 0 and content missing or wrong, or fail with the wrong message: each
case checks what the user is told and that every question and value is still there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faultkit import TINY_NOTES, mkdocs, tiny_project
from studysite.pipeline import build_content
from test_faults import build_errors


@pytest.fixture()
def tiny(tmp_path) -> Path:
    return tiny_project(tmp_path / "p")


def by_id(root: Path) -> dict:
    return {q.id: q for q in build_content(root).questions}


def test_questions_in_non_latin_scripts_keep_their_own_ids_and_answers(tmp_path):
    notes = (
        "# Заметки\n\n## Что такое тензор?\n\nМногомерный массив.\n\n## Что такое градиент?\n\nПроизводная потерь.\n\n"
        "## 什么是张量?\n\n多维数组。\n\n## 什么是梯度?\n\n损失的导数。\n\n## Τι είναι ένας τανυστής?\n\nΠίνακας.\n"
    )
    root = tiny_project(tmp_path / "p", sources={"intl.md": notes})
    questions = [q for q in build_content(root).questions if q.sources[0].file == "sources/intl.md"]
    assert len(questions) == 5, [q.id for q in questions]
    assert len({q.id for q in questions}) == 5 and "question" not in {q.id for q in questions}
    answers = {q.title: " ".join(b.plain() for b in q.blocks) for q in questions}
    assert answers["Что такое тензор?"] == "Многомерный массив."
    assert answers["什么是梯度?"] == "损失的导数。"
    assert build_errors(root) == ""


def test_the_same_non_latin_question_twice_still_merges(tmp_path):
    notes = (
        "# A\n\n## Что такое тензор?\n\nМассив.\n\n## Что  такое тензор?\n\nМассив чисел.\n\n"
        "## What is autograd?\n\nx.\n"
    )
    root = tiny_project(tmp_path / "p", sources={"intl.md": notes})
    mine = [q for q in build_content(root).questions if q.sources[0].file == "sources/intl.md"]
    assert len(mine) == 2


def test_a_topic_named_index_is_refused(tiny):
    topics = tiny / "sources" / "topics.yaml"
    topics.write_text(topics.read_text(encoding="utf-8").replace("slug: training", "slug: index"), encoding="utf-8")
    line = topics.read_text(encoding="utf-8").splitlines().index("  - slug: index") + 1
    assert (
        build_errors(tiny)
        == f"sources/topics.yaml:{line}: topic slug 'index' is the topics index page's; choose another"
    )


@pytest.mark.parametrize(
    "name", ["overlay/max-pooling.MD", "overlay/cnn/max-pooling.md", "overlay/cnn/deep/max-pooling.Md"]
)
def test_overlays_in_sub_folders_or_with_upper_case_suffix_are_applied(tmp_path, name):
    root = tiny_project(tmp_path / "p", sources={name: "---\nsummary: Keeps the largest value per window.\n---\n"})
    assert by_id(root)["max-pooling"].summary.startswith("Keeps the largest value per window.")


def test_hidden_editor_files_in_the_overlay_folder_are_not_overlays(tmp_path):
    root = tiny_project(tmp_path / "p", sources={"overlay/.max-pooling.md": "---\nsummary: stale backup\n---\n"})
    assert "stale backup" not in by_id(root)["max-pooling"].summary


def test_a_source_emptied_to_0_bytes_is_named_first(tmp_path):
    root = tiny_project(tmp_path / "p", sources={"duplicates.yaml": "different:\n  - [tensor, max-pooling]\n"})
    (root / "sources" / "notes.md").write_bytes(b"")
    error = build_errors(root)
    first = error.splitlines()[0]
    assert first == (
        "sources/notes.md: the file is empty (0 bytes, no questions): restore its content, "
        "or delete the file to drop its questions"
    ), error
    assert "duplicates.yaml" not in first


def test_an_empty_source_in_serve_keeps_its_last_good_reading(tmp_path):
    from studysite.site import StudySite

    root = tiny_project(tmp_path / "p")
    first = StudySite(root, "serve")
    first.load()
    (root / "sources" / "notes.md").write_text("", encoding="utf-8")
    again = StudySite(root, "serve", previous=first)
    again.load()
    assert {q.id for q in again.content.questions} == {q.id for q in first.content.questions}
    assert any("notes.md: the file is empty" in e for e in again.errors)


def test_a_csv_answer_over_131072_characters_is_read_whole(tmp_path):
    answer = "word " * 40_000  # 200,000 characters: over Python's default csv field limit
    table = f'question,answer\nWhat is a very long answer?,"{answer}"\nWhat is a short one?,Short.\n'
    root = tiny_project(tmp_path / "p", sources={"long.csv": table})
    q = by_id(root)["very-long-answer"]
    assert sum(len(b.plain()) for b in q.blocks) >= len(answer.strip())


def test_export_into_the_site_folder_is_refused_and_nothing_is_lost(tmp_path):
    root = tiny_project(tmp_path / "p")
    assert mkdocs(root, "build").returncode == 0
    before = sorted(p.relative_to(root / "site").as_posix() for p in (root / "site").rglob("*"))
    for target in ("site", "site/export", "."):
        result = mkdocs(root, "build", env={"STUDY_EXPORT_DIR": target})
        assert result.returncode == 1, target
        errors = [ln for ln in result.stderr.splitlines() if ln.startswith("ERROR")]
        assert len(errors) == 1 and f"STUDY_EXPORT_DIR={target}: refused" in errors[0], result.stderr[-2000:]
        assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(root / "site").as_posix() for p in (root / "site").rglob("*")) == before
    ok = mkdocs(root, "build", env={"STUDY_EXPORT_DIR": str(tmp_path / "export")})
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert (tmp_path / "export" / "docs" / "topics" / "basics.md").is_file()


def test_tiny_notes_are_all_published(tiny):
    """The baseline the other cases compare with: every question of the tiny project is published."""
    assert len(by_id(tiny)) == TINY_NOTES.count("\n## ")


def test_questions_json_of_a_built_tiny_project(tmp_path):
    root = tiny_project(tmp_path / "p")
    assert mkdocs(root, "build", "--strict").returncode == 0
    data = json.loads((root / "site" / "questions.json").read_text(encoding="utf-8"))
    assert {q["id"] for q in data["questions"]} == set(by_id(root))


def test_two_sources_with_the_same_sentence_but_different_numbers_keep_both_values(tmp_path):
    first = (
        "# A\n\n## What is max pooling?\n\nMax pooling with a window of 2 and stride 2 halves the feature map size.\n"
    )
    second = (
        "# B\n\n## What is max pooling?\n\nMax pooling with a window of 3 and stride 2 halves the feature map size.\n"
    )
    root = tiny_project(tmp_path / "p", sources={"a.md": first, "b.md": second})
    q = by_id(root)["max-pooling"]
    text = " ".join(b.plain() for b in q.blocks)
    assert "window of 2 and" in text and "window of 3 and" in text, text
    assert len(q.sources) == 3  # the tiny notes' copy and both new ones: one question


def test_the_same_sentence_twice_is_still_kept_once(tmp_path):
    same = "# B\n\n## What is max pooling?\n\nMax pooling keeps the largest value of each window of a feature map.\n"
    root = tiny_project(tmp_path / "p", sources={"b.md": same})
    text = " ".join(b.plain() for b in by_id(root)["max-pooling"].blocks)
    assert text.count("largest value") == 1, text
