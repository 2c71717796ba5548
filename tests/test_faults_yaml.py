"""Hostile curated YAML files: every kind of curated file goes through one loader that refuses anchors and
aliases (a bomb never expands), tags (`!!python/...`), deep nesting and huge files, and keeps a key given
twice an error, each as one `file:line: what` line; what the file would have published is not published."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from studysite import yamlfile
from studysite.model import SourceError
from test_faults import build_errors, project, write  # noqa: F401  (project is a fixture)

# Nine levels of nine aliases: about 387 million strings once expanded (gigabytes), 1 KB as text.
BOMB_LINES = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
    f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)
]


def indent(lines: list[str], by: int) -> str:
    return "\n".join(" " * by + ln for ln in lines)


def overlay_with(front: str) -> str:
    return f"---\n{front}\n---\nThe answer.\n"


# (curated file, text that holds the bomb, the line of its first anchor)
BOMBS = {
    "overlay": (
        "sources/overlay/max-pooling.md",
        overlay_with("level: basic\ntags:\n" + indent(BOMB_LINES, 2)),
        4,
    ),
    "topics": ("sources/topics.yaml", None, None),
    "aliases": ("sources/aliases.yaml", "\n".join(BOMB_LINES) + "\n", 1),
    "study plan": ("sources/study-plan.yaml", None, None),
    "glossary": ("sources/glossary.yaml", None, None),
    "duplicates": ("sources/duplicates.yaml", None, None),
}


def with_bomb_appended(root: Path, rel: str) -> tuple[str, int]:
    """The curated file with the bomb appended under a new top-level key; (text, line of the first anchor)."""
    text = (root / rel).read_text(encoding="utf-8").rstrip("\n") + "\n"
    line = text.count("\n") + 2
    return text + "bomb:\n" + indent(BOMB_LINES, 2) + "\n", line


@pytest.mark.parametrize("kind", list(BOMBS))
def test_alias_bomb_in_every_curated_file_is_one_line(project, kind):  # noqa: F811
    rel, text, line = BOMBS[kind]
    if text is None:
        text, line = with_bomb_appended(project, rel)
    write(project, rel, text)
    error = build_errors(project)
    assert error.splitlines()[0] == f"{rel}:{line}: YAML anchors and aliases are not allowed", error
    assert "Traceback" not in error and "MemoryError" not in error


def test_alias_bomb_is_refused_with_little_memory(tmp_path):
    """The whole content build on a project whose study plan holds the bomb, in a fresh process: refused,
    peak memory far under 200 MB (the expansion never happens)."""
    root = tmp_path / "p"
    import shutil

    shutil.copytree(REPO / "sources", root / "sources")
    text, line = with_bomb_appended(root, "sources/topics.yaml")
    write(root, "sources/topics.yaml", text)
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1])\n"
        "from pathlib import Path\n"
        "from studysite.pipeline import ContentError, build_content\n"
        "try:\n    build_content(Path(sys.argv[2])); msg = ''\n"
        "except ContentError as e:\n    msg = str(e)\n"
        # VmHWM: this process's own peak (ru_maxrss would carry over the parent pytest's peak through exec)
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
        "print(json.dumps([msg, int(hwm)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(REPO / "hooks"), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    message, peak_kib = json.loads(out.stdout.strip().splitlines()[-1])
    assert message == f"sources/topics.yaml:{line}: YAML anchors and aliases are not allowed"
    assert peak_kib < 200 * 1024


@pytest.mark.parametrize(
    "value, shown",
    [
        (
            '!!python/object/apply:os.system ["touch pwned"]',
            "!!python/object/apply:os.system",
        ),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!custom 1", "!custom"),
    ],
)
def test_tags_are_refused_in_the_study_plan(project, tmp_path, value, shown):  # noqa: F811
    plan = project / "sources" / "study-plan.yaml"
    text = plan.read_text(encoding="utf-8").replace("title: One-week study plan", f"title: {value}", 1)
    plan.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"title: {value}") + 1
    error = build_errors(project)
    assert error == f"sources/study-plan.yaml:{line}: YAML tags are not allowed (found {shown})"
    assert not (project / "pwned").exists() and not Path("pwned").exists()


def test_python_tag_in_overlay_front_matter_runs_nothing(project, tmp_path):  # noqa: F811
    marker = tmp_path / "ran"
    write(
        project,
        "sources/overlay/max-pooling.md",
        overlay_with(f'summary: !!python/object/apply:os.system ["touch {marker}"]'),
    )
    error = build_errors(project)
    assert (
        error == "sources/overlay/max-pooling.md:2: YAML tags are not allowed (found !!python/object/apply:os.system)"
    )
    assert not marker.exists()


@pytest.mark.parametrize(
    "rel, text, line, key",
    [
        (
            "sources/glossary.yaml",
            "synonyms:\n  cnn: [convnet]\nfiller: [the]\nsynonyms:\n  rnn: [recurrent net]\n",
            4,
            "synonyms",
        ),
        (
            "sources/glossary.yaml",
            "synonyms:\n  cnn: [convnet]\n  cnn: [conv net]\n",
            3,
            "cnn",
        ),
        (
            "sources/duplicates.yaml",
            "same: []\ndifferent: []\nsame:\n  - [max-pooling, average-pooling]\n",
            3,
            "same",
        ),
        (
            "sources/aliases.yaml",
            "old-a: max-pooling\nold-a: average-pooling\n",
            2,
            "old-a",
        ),
    ],
)
def test_a_key_twice_is_an_error_in_glossary_duplicates_and_aliases(project, rel, text, line, key):  # noqa: F811
    write(project, rel, text)
    error = build_errors(project)
    assert error.startswith(f"{rel}:{line}: "), error
    assert f"key {key!r} appears twice" in error and "\n" not in error


def test_glossary_syntax_error_is_one_line_with_its_line(project):  # noqa: F811
    write(project, "sources/glossary.yaml", "synonyms:\n  cnn: [convnet\nfiller: [the]\n")
    error = build_errors(project)
    assert "\n" not in error and error.startswith("sources/glossary.yaml:"), error
    assert "invalid YAML" in error


def test_deeply_nested_and_huge_curated_files_are_refused(project):  # noqa: F811
    write(project, "sources/aliases.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert build_errors(project) == "sources/aliases.yaml:1: nested more than 64 levels deep"
    write(project, "sources/aliases.yaml", "# padding\n" * 300_000)
    error = build_errors(project)
    assert error.startswith("sources/aliases.yaml: ") and "curated files are at most 2,097,152" in error


def test_reading_hints_and_any_curated_file_use_the_one_loader(tmp_path):
    """sources/reading.yaml (the readers' hints) and any future curated file: yamlfile.load is the loader."""
    path = tmp_path / "reading.yaml"
    path.write_text("hints:\n  - &x {layout: numbered}\n  - *x\n", encoding="utf-8")
    with pytest.raises(yamlfile.UnsafeYAML) as err:
        yamlfile.load(path, "sources/reading.yaml")
    assert str(err.value) == "sources/reading.yaml:2: YAML anchors and aliases are not allowed"
    path.write_text("hints:\n  - layout: numbered\n", encoding="utf-8")
    data = yamlfile.load(path, "sources/reading.yaml")
    assert data == {"hints": [{"layout": "numbered"}]} and yamlfile.line_of(data["hints"], 0) == 2


def test_the_real_curated_files_still_load(project):  # noqa: F811
    """Nothing lost: the repo's curated files pass the stricter loader and the build publishes them."""
    assert build_errors(project) == ""
    for rel in (
        "sources/topics.yaml",
        "sources/study-plan.yaml",
        "sources/glossary.yaml",
    ):
        assert yamlfile.load(project / rel, rel)
    assert yamlfile.compose(project / "sources/duplicates.yaml", "sources/duplicates.yaml") is not None
    with pytest.raises(SourceError):
        yamlfile.loads("a: [1", "x.yaml")
