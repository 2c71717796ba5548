"""Error kinds are classes: whether an error is a cause or a consequence, and whether `mkdocs serve`
reports it as a problem, is decided by its class, never by the wording of its message."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from studysite import errors, model, overlay, pipeline, studyplan
from studysite.errors import ConfigError, MissingOverlayTarget, SourceError, UnknownQuestion, is_consequence
from studysite.pipeline import apply_aliases, build_content
from studysite.site import StudySite


DUMP = "sources/004_519512c2dfdefeb4.txt"


def break_dump(root: Path) -> None:
    """Line 31 of the dump loses its closing bracket: the file cannot be read (a cause)."""
    path = root / DUMP
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[30] = lines[30].rstrip().removesuffix("]")
    path.write_text("\n".join(lines), encoding="utf-8")


def test_the_classes_nest_and_stay_importable_where_they_were():
    assert model.SourceError is errors.SourceError
    assert issubclass(UnknownQuestion, SourceError) and issubclass(MissingOverlayTarget, UnknownQuestion)
    assert overlay.MissingQuestion is MissingOverlayTarget
    assert issubclass(ConfigError, PluginError)  # MkDocs prints it as one line, no traceback
    e = UnknownQuestion("sources/aliases.yaml", 3, "whatever it says")
    assert str(e) == "sources/aliases.yaml:3: whatever it says" and (e.file, e.line) == ("sources/aliases.yaml", 3)


def test_is_consequence_reads_the_class_not_the_message():
    cause = [SourceError(DUMP, 31, "unclosed `[`")]
    assert is_consequence(UnknownQuestion("sources/aliases.yaml", 1, "reworded entirely"), cause)
    assert not is_consequence(SourceError("sources/aliases.yaml", 1, "which is not a published question"), cause)
    assert not is_consequence(UnknownQuestion("sources/aliases.yaml", 1, "x"), [])  # no cause: it is one


def test_curated_files_raise_unknown_question(library_project):
    content = build_content(library_project)
    aliases = library_project / "sources" / "aliases.yaml"
    aliases.write_text("old-name: no-such-question\n", encoding="utf-8")
    with pytest.raises(UnknownQuestion, match=r"'old-name' points at 'no-such-question'"):
        apply_aliases(content.questions, aliases, library_project)
    plan = library_project / "sources" / "study-plan.yaml"
    plan.write_text("days:\n  - title: One\n    questions: [no-such-question]\n", encoding="utf-8")
    with pytest.raises(UnknownQuestion, match="no-such-question"):
        studyplan.render(plan, "sources/study-plan.yaml", content)


@pytest.mark.parametrize(
    ("raised", "where"),
    [
        (UnknownQuestion("sources/aliases.yaml", 1, "reworded: that ID is gone"), "consequences"),
        (SourceError("sources/aliases.yaml", 1, "alias 'a' points at 'b', which is not a published question"), "fatal"),
    ],
)
def test_alias_errors_are_sorted_by_class(library_project, monkeypatch, raised, where):
    break_dump(library_project)

    def failing(questions, path, root):
        raise raised

    monkeypatch.setattr(pipeline, "apply_aliases", failing)
    content = build_content(library_project)
    assert content.errors and content.errors[0].file == DUMP  # the cause
    assert raised in getattr(content, where)
    assert raised not in getattr(content, "fatal" if where == "consequences" else "consequences")


@pytest.mark.parametrize(
    ("raised", "is_warning"),
    [
        (UnknownQuestion("sources/study-plan.yaml", 4, "reworded: not on the site"), False),
        (SourceError("sources/study-plan.yaml", 4, "study plan names question 'x', which does not exist"), True),
    ],
)
def test_serve_reports_a_study_plan_error_by_its_class(library_project, monkeypatch, caplog, raised, is_warning):
    break_dump(library_project)

    def failing(path, rel, content):
        raise raised

    monkeypatch.setattr(studyplan, "render", failing)
    site = StudySite(library_project, "serve")
    site.load()
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.studysite"):
        site.generate()  # serve: never raises
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    informed = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert (str(raised) in warned) is is_warning
    assert any(str(raised) in m and "probably because of the above" in m for m in informed) is not is_warning


def test_build_lists_an_unknown_question_after_its_cause(library_project, monkeypatch):
    break_dump(library_project)
    raised = UnknownQuestion("sources/study-plan.yaml", 4, "reworded: not on the site")
    monkeypatch.setattr(studyplan, "render", lambda path, rel, content: (_ for _ in ()).throw(raised))
    site = StudySite(library_project, "build")
    site.content = build_content(library_project)  # the content with its source error (load() would stop there)
    with pytest.raises(PluginError) as failure:
        site.generate()
    cause, _, after = str(failure.value).partition("\nand, probably because of the above:\n")
    assert cause.startswith(f"{DUMP}:31:") and str(raised) in after
