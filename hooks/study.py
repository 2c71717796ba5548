"""MkDocs hook: wires MkDocs events to the studysite library (hooks/studysite), which does the work."""
from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority

from studysite.site import StudySite  # imported now: MkDocs puts hooks/ on sys.path only while loading

ROOT = Path(__file__).resolve().parents[1]
_command = "build"
_site: StudySite | None = None


def on_startup(command, dirty):
    global _command
    _command = command


def on_config(config):
    global _site
    _site = StudySite(
        ROOT, _command, directory_urls=config["use_directory_urls"], site_url=config["site_url"] or ""
    )
    _site.load()
    return config


@event_priority(50)  # before mkdocs-jupyter's on_files, so it renders the executed notebooks we add
def on_files(files, config):
    return _site.add_files(files, config)


def on_page_content(html, page, config, files):
    return _site.notebook_page(page, html)


def on_post_build(config):
    _site.notebook_pages.write(config["site_dir"])  # the stylesheet cut out of every notebook page
