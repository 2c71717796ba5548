"""Fault injection at library level (no MkDocs process): typos in curated files give `file:line: what`,
source errors come before their consequences, unsafe sources/ entries and export targets are refused."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from conftest import REPO
from studysite.ids import question_key, short_hash
from studysite.export import MARKER, ExportError, check_export_dir
from studysite.model import SourceError
from studysite.pipeline import ContentError, build_content
from studysite.site import StudySite, notebook_timeout, split_topic
from studysite.topics import load_topic_map

DUMP = "sources/004_519512c2dfdefeb4.txt"


@pytest.fixture()
def project(tmp_path) -> Path:
    """sources/ and notebooks/ of the repo (what build_content and the study plan read)."""
    root = tmp_path / "p"
    shutil.copytree(REPO / "sources", root / "sources")
    (root / "notebooks").mkdir()
    for nb in (REPO / "notebooks").glob("*.ipynb"):
        (root / "notebooks" / nb.name).write_text("{}")  # the study plan only checks they exist
    return root


def build_errors(root: Path) -> str:
    """The message a `mkdocs build` would fail with (the hook's load step), or '' when it passes."""
    site = StudySite(root, "build")
    try:
        site.load()
        site.pages = site.generate()
    except PluginError as e:
        return str(e)
    return ""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def break_line(root: Path, rel: str, line: int) -> None:
    path = root / rel
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[line - 1].rstrip().endswith("]")
    lines[line - 1] = lines[line - 1].rstrip()[:-1]
    path.write_text("\n".join(lines), encoding="utf-8")


# --- error order -------------------------------------------------------------------------------


def test_source_error_comes_first_and_overlay_complaints_after_it(project):
    break_line(project, DUMP, 31)
    message = build_errors(project)
    assert message.startswith(f"{DUMP}:31: unclosed `[`"), message[:300]
    # The overlays for questions that vanished with that file are listed after it, as consequences.
    head, _, tail = message.partition("\nand, probably because of the above:\n")
    assert "\n" not in head  # the cause alone, then what followed from it
    assert "sources/" in tail


def test_utf16_notes_file_is_reported_first(project):
    notes = project / "sources/000_4bf7c5cc3fe7a3fc.txt"
    notes.write_bytes(notes.read_text(encoding="utf-8").encode("utf-16"))
    message = build_errors(project)
    assert message.startswith("sources/000_4bf7c5cc3fe7a3fc.txt:1: not UTF-8"), message[:300]
    assert "overlay names question" not in message.partition("probably because of the above")[0]


def test_new_unreadable_source_fails_the_build_strict_or_not(project):
    write(project, "sources/900_new.txt", "h3 => [ 1) What is X? ]\np => [ never closed\n")
    assert build_errors(project).startswith("sources/900_new.txt:2: unclosed `[`")
    (project / "sources/900_new.txt").write_bytes("h3 => [ 1) Caf\xe9? ]\n".encode("latin-1"))
    assert build_errors(project).startswith("sources/900_new.txt:1: not UTF-8")


def test_serve_keeps_the_last_good_reading_of_a_broken_file(project, caplog):
    good = StudySite(project, "serve")
    good.load()
    n = len(good.content.questions)
    break_line(project, DUMP, 31)
    caplog.clear()
    site = StudySite(project, "serve", previous=good)
    site.load()
    assert len(site.content.questions) == n  # nothing vanished: the last good reading is used
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        f"{DUMP}:31: unclosed `[` in `p => [` element — serving the last good version of this file until it is fixed"
    ]
    pages = site.generate()
    assert "study-plan.md" in pages


def test_serve_without_a_last_good_reading_keeps_the_rest(project, caplog):
    break_line(project, DUMP, 31)
    site = StudySite(project, "serve")
    site.load()  # no exception: serve never raises
    assert site.content is not None and len(site.content.questions) > 40  # the notes and overlays stay
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert (
        warnings[0]
        == f"{DUMP}:31: unclosed `[` in `p => [` element — this file was left out of the site until it is fixed"
    )
    assert not any("overlay names question" in w for w in warnings)  # consequences: an info line, after it


# --- configuration files: file:line, never a traceback ----------------------------------------


def test_study_plan_syntax_error(project):
    path = project / "sources/study-plan.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    n = next(i for i, ln in enumerate(lines) if ln.strip().startswith("questions: ["))
    lines[n] = lines[n].replace("questions: [", "questions: [[", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    message = build_errors(project)
    assert message.startswith("sources/study-plan.yaml:") and "invalid YAML" in message, message
    assert f"that starts on line {n + 1})" in message


def test_study_plan_day_without_title(project):
    write(project, "sources/study-plan.yaml", "title: Plan\ndays:\n  - questions: [pytorch]\n")
    assert build_errors(project) == "sources/study-plan.yaml:3: day 1 must be a mapping with a `title` (text)"


def test_aliases_file_that_is_a_list(project):
    write(project, "sources/aliases.yaml", "- pytorch\n- tensor\n")
    assert (
        build_errors(project)
        == "sources/aliases.yaml:1: aliases.yaml must be a mapping (`key: value` lines), not a list"
    )


def test_topic_without_slug(project):
    path = project / "sources/topics.yaml"
    text = path.read_text(encoding="utf-8").replace("  - slug: autograd\n", "  - name: autograd\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as e:
        load_topic_map(path, "sources/topics.yaml")
    line = text.split("\n").index("  - name: autograd") + 1
    assert str(e.value) == f"sources/topics.yaml:{line}: topic 2 has no `slug` (text)"
    assert build_errors(project).startswith(f"sources/topics.yaml:{line}: topic 2 has no `slug`")


def test_topic_map_error_comes_after_source_errors(project):
    break_line(project, DUMP, 31)
    write(project, "sources/topics.yaml", "topics: 3\n")
    with pytest.raises(ContentError) as e:
        build_content(project)
    assert [str(x).split(":")[0] for x in e.value.errors][:2] == [DUMP, "sources/topics.yaml"]


def test_overlay_front_matter_that_is_a_scalar(project):
    write(project, "sources/overlay/pytorch.md", "---\njust a sentence\n---\nBody\n")
    assert "sources/overlay/pytorch.md:2: front matter must be `key: value` lines (a mapping)" in build_errors(project)


def test_overlay_with_mistyped_closing_line_is_an_error_not_an_answer(project):
    write(project, "sources/overlay/pytorch.md", "---\nsummary: Short.\nreview: ok\n--\nThe answer.\n")
    message = build_errors(project)
    assert "sources/overlay/pytorch.md:1: front matter opened with `---` on line 1 is never closed" in message


def test_overlay_level_key(project):
    path = project / "sources/overlay/pytorch.md"
    text = re.sub(r"(?m)^level:.*\n", "", path.read_text(encoding="utf-8"))
    path.write_text(text.replace("---\n", "---\nlevel: basic\n", 1), encoding="utf-8")
    assert build_errors(project) == ""
    c = build_content(project)
    assert next(q for q in c.questions if q.id == "pytorch").level == "basic"
    path.write_text(text.replace("---\n", "---\nlevel: expert\n", 1), encoding="utf-8")
    assert "sources/overlay/pytorch.md:2: level 'expert' must be one of basic, intermediate, advanced" in build_errors(
        project
    )
    # A key given twice is an error (YAML would let the later one win without a word).
    path.write_text(text.replace("---\n", "---\nlevel: basic\nlevel: advanced\n", 1), encoding="utf-8")
    assert "sources/overlay/pytorch.md:3: invalid YAML: key 'level' appears twice (first on line 1)" in build_errors(
        project
    )


def test_alias_merging_two_questions_with_overlays_is_an_error(project):
    assert (project / "sources/overlay/tensor.md").exists() and (project / "sources/overlay/pytorch.md").exists()
    write(project, "sources/aliases.yaml", "tensor: pytorch\n")
    message = build_errors(project)
    assert "already applies to question 'pytorch'" in message and "merge the two overlay files" in message
    assert "sources/overlay/pytorch.md" in message and "sources/overlay/tensor.md" in message


@pytest.mark.parametrize("text", ["a-old: b-old\nb-old: pytorch\n", "b-old: pytorch\na-old: b-old\n"])
def test_alias_chains_resolve_in_either_order(project, text):
    write(project, "sources/aliases.yaml", text)
    assert build_errors(project) == ""
    c = build_content(project)
    assert c.index()["a-old"].id == c.index()["b-old"].id == "pytorch"


def test_alias_cycle_is_reported(project):
    write(project, "sources/aliases.yaml", "x-one: x-two\nx-two: x-one\n")
    assert (
        build_errors(project)
        == "sources/aliases.yaml:1: alias cycle x-one → x-two → x-one: each ID must end at a question"
    )


def test_id_collision_advice_works(project):
    for p in (project / "sources").glob("*.txt"):
        p.unlink()
    shutil.rmtree(project / "sources/overlay")
    (project / "sources/duplicates.yaml").unlink(missing_ok=True)  # its decisions name the removed questions
    write(project, "sources/study-plan.yaml", "title: Plan\ndays: []\n")
    write(
        project,
        "sources/900_c.txt",
        "h3 => [ 1) What is torch.nn? ]\np => [ The module package. ]\n"
        "h3 => [ 2) What is torch nn? ]\np => [ Also the module package. ]\n",
    )
    # The two ask the same thing, so the pair model would merge them before any collision: a person's
    # `different:` decision (the later one's ID is the key's, plus a short hash of its key) keeps them apart.
    second = f"torch-nn-{short_hash(question_key('What is torch nn?'))}"
    write(project, "sources/duplicates.yaml", f"different:\n  - [torch-nn, {second}]\n")
    c = build_content(project)
    ids = sorted(q.id for q in c.questions)
    assert ids == ["torch-nn", second]
    (note,) = [n for n in c.notes if "is also the ID of" in n]
    assert note.startswith("sources/900_c.txt:3: question ID 'torch-nn' is also the ID of sources/900_c.txt:1")
    # The advice: the alias line it prints merges them.
    line = note.split("the line `")[1].split("`")[0]
    write(project, "sources/aliases.yaml", line + "\n")
    (project / "sources/duplicates.yaml").unlink()  # the alias now says they are one
    c = build_content(project)
    assert [q.id for q in c.questions] == ["torch-nn"] and c.questions[0].aliases == [ids[1]]


# --- sources/ entries ----------------------------------------------------------------------------


def test_symlink_outside_the_project_is_refused(project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("h3 => [ 1) What is the secret? ]\np => [ private ]\n")
    (project / "sources/950_link.txt").symlink_to(secret)
    message = build_errors(project)
    assert message.startswith(f"sources/950_link.txt: symlink to {secret}, outside the project: refused")
    c = build_content(project)
    assert not any("secret" in q.title for q in c.questions)


def test_dangling_symlink_and_sub_folder_are_reported(project):
    (project / "sources/951_gone.txt").symlink_to(project / "nowhere.txt")
    assert build_errors(project).startswith("sources/951_gone.txt: symlink to")
    (project / "sources/951_gone.txt").unlink()
    write(project, "sources/archive/old.txt", "h3 => [ 1) What? ]\n")
    c = build_content(project)
    assert c.warnings == [
        "sources/archive/: sub-folders of sources/ are not read (only the top level, and "
        "sources/overlay/ for curated files): move its files up, or out of sources/"
    ]


# --- export target -------------------------------------------------------------------------------


def test_export_refuses_the_project_and_foreign_folders(tmp_path):
    root = tmp_path / "proj"
    (root / "docs").mkdir(parents=True)
    for target, why in [
        (root, "is or contains the project"),
        (tmp_path, "is or contains the project"),
        (root / "docs", "inside the project's docs/"),
        (root / "sources" / "x", "inside the project's sources/"),
    ]:
        with pytest.raises(ExportError, match=why):
            check_export_dir(target, root)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty and was not made by an export"):
        check_export_dir(foreign, root)
    (foreign / MARKER).write_text("")
    assert check_export_dir(foreign, root) == foreign.resolve()
    assert check_export_dir(tmp_path / "new", root) == (tmp_path / "new").resolve()


# --- settings and scale ----------------------------------------------------------------------------


def test_cell_timeout_from_env_or_mkdocs_yml(monkeypatch):
    monkeypatch.delenv("STUDY_CELL_TIMEOUT", raising=False)
    assert notebook_timeout({"extra": {"study": {"cell_timeout": 7}}}) == 7
    assert notebook_timeout({"extra": {}}) == 120
    monkeypatch.setenv("STUDY_CELL_TIMEOUT", "3")
    assert notebook_timeout({"extra": {"study": {"cell_timeout": 7}}}) == 3
    monkeypatch.setenv("STUDY_CELL_TIMEOUT", "soon")
    with pytest.raises(PluginError, match="STUDY_CELL_TIMEOUT=soon: not a whole number"):
        notebook_timeout(None)


def test_large_topic_is_split_into_bounded_pages(project, monkeypatch):
    monkeypatch.setenv("STUDY_PAGE_SIZE", "4")
    site = StudySite(project, "build")
    site.load()
    pages = site.generate()
    c = site.content
    biggest = max(c.topics, key=lambda t: len(t.questions))
    parts = site.parts[biggest.slug]
    assert len(parts) == -(-len(biggest.questions) // 4) > 1
    for part in parts:
        md = pages[f"topics/{part.slug}.md"]
        assert len(part.questions) <= 4
        for q in part.questions:
            assert f"{{#{q.id}" in md or f'id="{q.id}"' in md or f"#{q.id}" in md
    import json

    manifest = {q["id"]: q for q in json.loads(pages["questions.json"])["questions"]}
    for part in parts:
        for q in part.questions:
            assert manifest[q.id]["url"] == f"topics/{part.slug}/#{q.id}"
            assert f"../../topics/{part.slug}/#{q.id}" in pages[f"q/{q.id}/index.html"]
    assert f"({parts[1].slug}.md)" in pages["topics/index.md"]
    assert split_topic(biggest, 10_000) == [biggest]
