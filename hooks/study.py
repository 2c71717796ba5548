"""MkDocs hook: wires MkDocs events to the studysite library (hooks/studysite), which does the work."""
from __future__ import annotations

from pathlib import Path

from studysite.site import StudySite  # imported now: MkDocs puts hooks/ on sys.path only while loading

ROOT = Path(__file__).resolve().parents[1]
_command = "build"
_site: StudySite | None = None


def on_startup(command, dirty):
    global _command
    _command = command


def on_config(config):
    global _site
    _site = StudySite(ROOT, _command)
    _site.load()
    return config


def on_files(files, config):
    return _site.add_files(files, config)
