"""Helpers of the fault suite (tests/test_faults_*.py): tiny project copies that build in seconds, and
builds run in a subprocess (what a user sees: exit code and log) or in this process (to inject faults)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, write_sources

# Five questions in the notes format, enough for every page the hook generates.
TINY_NOTES = """# Study notes

## What is a tensor in PyTorch?

A tensor is an n-dimensional array with a dtype and a device.

## What does requires_grad do?

It makes autograd record operations on the tensor so backward() can compute its gradient.

## What is max pooling?

Max pooling keeps the largest value of each window of a feature map.

## Why use dropout?

Dropout zeroes random activations while training, which regularises the network.

## What is a learning rate?

The learning rate scales each gradient step of the optimiser.
"""

TINY_TOPICS = """fallback: basics
topics:
  - slug: basics
    title: Basics
    description: Tensors and autograd.
    keywords: [tensor, grad]
  - slug: training
    title: Training
    description: Pooling, dropout and learning rates.
    keywords: [pooling, dropout, learning rate]
"""

TINY_PLAN = """title: Plan
intro: One day.
days:
  - title: Day 1
    questions: [tensor]
"""


def tiny_project(dest: Path, *, sources: dict[str, str | bytes] | None = None, notebooks: bool = False) -> Path:
    """mkdocs.yml, hooks, docs and overrides of the repo; sources/ with one notes file of five questions,
    the repo's topic map and glossary, no overlays, no decisions; notebooks/ empty (or the repo's)."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    for part in ("hooks", "docs", "overrides"):
        shutil.copytree(REPO / part, dest / part, ignore=ignore)
    shutil.copy2(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    src = dest / "sources"
    src.mkdir()
    shutil.copy2(REPO / "sources" / "glossary.yaml", src / "glossary.yaml")
    (src / "topics.yaml").write_text(TINY_TOPICS, encoding="utf-8")
    (src / "notes.md").write_text(TINY_NOTES, encoding="utf-8")
    (src / "study-plan.yaml").write_text(TINY_PLAN, encoding="utf-8")
    if notebooks:
        shutil.copytree(REPO / "notebooks", dest / "notebooks", ignore=ignore)
    else:
        (dest / "notebooks").mkdir()
    write_sources(src, sources)
    return dest


def mkdocs(project: Path, *args: str, env: dict | None = None, cwd: Path | None = None, timeout: int = 600):
    """`python -m mkdocs <args>` in project (or cwd); a private notebook cache unless env names one."""
    full_env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "STUDY_CACHE_DIR": str(project / ".cache"),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd or project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site by path, minus what differs between two identical builds."""
    skip = {"sitemap.xml.gz", "sitemap.xml", "downloads/pytorch-interview.apkg"}
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.relative_to(site).as_posix() not in skip
    }


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self, level: int = logging.INFO) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= level]


def build_in_process(project: Path, monkeypatch, *, serve: bool = False) -> tuple[str | None, Captured]:
    """Run `mkdocs build` on project in this process (faults can be monkeypatched into the library).
    (the error line MkDocs printed when it aborted, or None; the captured log)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    monkeypatch.chdir(project)
    monkeypatch.setenv("STUDY_CACHE_DIR", str(project / ".cache"))
    handler = Captured()
    root = logging.getLogger("mkdocs")
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
        config.plugins.on_startup(command="serve" if serve else "build", dirty=False)
        try:
            build(config, serve_url="http://127.0.0.1:8000/" if serve else None)
        except Abort:
            errors = [r.getMessage() for r in handler.records if r.levelno >= logging.ERROR]
            return (errors[-1] if errors else "aborted"), handler
        finally:
            config.plugins.on_shutdown()
        return None, handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
