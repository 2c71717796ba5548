"""StudyConfig: every setting read once, from the environment or mkdocs.yml `extra.study`, checked, and
a bad value always an error naming where it came from (never a silent fallback to the default)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from studysite.config import DEFAULT_CELL_TIMEOUT, SETTINGS, StudyConfig
from studysite.errors import ConfigError
from studysite.notebooks.run import DEFAULT_OUTPUT_CAP
from studysite.urls import DEFAULT_PAGE_SIZE

ROOT = Path("/project")
HOOKS = Path(__file__).resolve().parents[1] / "hooks"


def load(env: dict[str, str] | None = None, study: object = None, **mkdocs) -> StudyConfig:
    config = {**mkdocs, "extra": {"study": study} if study is not None else {}}
    return StudyConfig.load(ROOT, config, environ=env or {})


def test_defaults():
    c = load()
    assert (c.page_size, c.cell_timeout, c.output_cap) == (DEFAULT_PAGE_SIZE, DEFAULT_CELL_TIMEOUT, DEFAULT_OUTPUT_CAP)
    assert c.cache_dir == ROOT / ".cache" and c.export_dir is None and c.source_date_epoch is None
    assert not c.reproducible and c.directory_urls and c.site_url == ""


def test_values_from_the_environment_and_mkdocs_yml():
    env = {
        "STUDY_CACHE_DIR": "/tmp/c",
        "STUDY_EXPORT_DIR": "export",
        "SOURCE_DATE_EPOCH": "1700000000",
        "STUDY_PAGE_SIZE": " 4 ",
        "STUDY_OUTPUT_CAP": "5000",
    }
    c = load(env, {"cell_timeout": 7}, use_directory_urls=False, site_url="https://x.org/")
    assert c.cache_dir == Path("/tmp/c") and c.export_dir == Path("export")
    assert (c.source_date_epoch, c.page_size, c.cell_timeout, c.output_cap) == (1700000000, 4, 7, 5000)
    assert c.reproducible and not c.directory_urls and c.site_url == "https://x.org/"
    assert c.urls.page_size == 4 and not c.urls.directory_urls


def test_environment_wins_over_mkdocs_yml():
    assert load({"STUDY_CELL_TIMEOUT": "3"}, {"cell_timeout": 7}).cell_timeout == 3
    assert load({"STUDY_PAGE_SIZE": ""}, {"page_size": 9}).page_size == 9  # empty = unset


def test_serve_falls_back_to_the_defaults_only_when_asked():
    c = StudyConfig.defaults(ROOT, {"use_directory_urls": False, "site_url": "https://x.org/"})
    assert (c.page_size, c.cell_timeout, c.cache_dir, c.directory_urls) == (
        DEFAULT_PAGE_SIZE,
        120,
        ROOT / ".cache",
        False,
    )


def test_the_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        load().page_size = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STUDY_PAGE_SIZE": "abc"}, "STUDY_PAGE_SIZE=abc: not a whole number"),
        ({"STUDY_PAGE_SIZE": "0"}, "STUDY_PAGE_SIZE=0: must be at least 1"),
        ({"STUDY_PAGE_SIZE": "2.5"}, "STUDY_PAGE_SIZE=2.5: not a whole number"),
        ({"STUDY_CELL_TIMEOUT": "soon"}, "STUDY_CELL_TIMEOUT=soon: not a whole number"),
        ({"STUDY_CELL_TIMEOUT": "-1"}, "STUDY_CELL_TIMEOUT=-1: must be at least 1 seconds"),
        ({"STUDY_OUTPUT_CAP": "10"}, "STUDY_OUTPUT_CAP=10: must be at least 1000 characters"),
        ({"STUDY_OUTPUT_CAP": "lots"}, "STUDY_OUTPUT_CAP=lots: not a whole number"),
        ({"SOURCE_DATE_EPOCH": "yesterday"}, "SOURCE_DATE_EPOCH=yesterday: not a whole number"),
        ({"SOURCE_DATE_EPOCH": "-5"}, "SOURCE_DATE_EPOCH=-5: must be at least 0"),
    ],
)
def test_a_bad_environment_value_names_the_variable(env, message):
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        load(env)


@pytest.mark.parametrize(
    ("study", "message"),
    [
        ({"cell_timeout": "soon"}, "mkdocs.yml extra.study.cell_timeout: soon: not a whole number"),
        ({"cell_timeout": 0}, "mkdocs.yml extra.study.cell_timeout: 0: must be at least 1 seconds"),
        ({"cell_timeout": True}, "mkdocs.yml extra.study.cell_timeout: True: not a whole number"),
        ({"page_size": 1.5}, "mkdocs.yml extra.study.page_size: 1.5: not a whole number"),
        ({"output_cap": [1]}, "mkdocs.yml extra.study.output_cap: [1]: not a whole number"),
        (
            {"cell_timout": 5},
            "mkdocs.yml extra.study.cell_timout: unknown setting (known: cell_timeout, output_cap, page_size)",
        ),
        (["cell_timeout"], "mkdocs.yml extra.study: must be a mapping of settings, not list"),
    ],
)
def test_a_bad_mkdocs_yml_value_names_the_key(study, message):
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        load(study=study)


def test_every_setting_is_documented_and_read_nowhere_else():
    """No library module reads os.environ for a setting: config.py is the one reader."""
    readers = []
    for path in sorted((HOOKS / "studysite").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for s in SETTINGS.values():
            if s.env in text and path.name != "config.py" and re.search(rf"environ[^\n]*{s.env}", text):
                readers.append(f"{path.name}: {s.env}")
        if path.name != "config.py" and re.search(r"os\.environ\.get|os\.getenv|environ\[", text):
            readers.append(f"{path.name}: reads the environment")
    assert readers == []
    assert all(s.help for s in SETTINGS.values())


def test_the_hook_fails_a_build_with_the_setting_named(tmp_path):
    """End to end: `mkdocs build` with a bad STUDY_PAGE_SIZE stops at on_config with one line."""
    from conftest import copy_project, run_mkdocs

    project = copy_project(tmp_path / "p", keep_seeds=False)
    result = run_mkdocs(project, "build", "-d", str(tmp_path / "out"), env={"STUDY_PAGE_SIZE": "abc"})
    assert result.returncode != 0
    assert "STUDY_PAGE_SIZE=abc: not a whole number" in result.stderr
    assert "Traceback" not in result.stderr
