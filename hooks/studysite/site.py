"""Everything the MkDocs hook does, as one object: generate pages in memory and publish the manifest."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from . import render, studyplan
from .model import SourceError
from .pipeline import Content, build_content

log = logging.getLogger("mkdocs.plugins.studysite")


class StudySite:
    """Holds one build's content; created in on_config, used by on_files and on_post_build."""

    def __init__(self, root: Path, command: str):
        self.root = root
        self.command = command  # "build" | "serve" | "gh-deploy"
        self.content: Content | None = None
        self.pages: dict[str, str] = {}  # src_uri → markdown/HTML generated this build

    # -- errors: fatal for a build, a warning while serving (so the server keeps running) --------
    def problem(self, err: Exception) -> None:
        if self.command == "serve":
            log.warning(str(err))
        else:
            raise PluginError(str(err)) from err

    def load(self) -> None:
        try:
            content = build_content(self.root)
        except SourceError as e:
            self.problem(e)
            return
        for err in content.errors:
            # A raw source that cannot be read: left out (so serve keeps going), and a warning,
            # which `mkdocs build --strict` turns into a failed build.
            log.warning(f"{err} — this file was left out of the site")
        for report in content.reports:
            dropped = ", ".join(f"{n} {why}" for why, n in sorted(report.dropped.items()))
            log.info(f"{report.file} ({report.kind}): {len(report.questions)} questions" + (f"; left out: {dropped}" if dropped else ""))
        for note in content.notes:
            log.info(note)
        for warning in content.warnings:
            log.warning(warning)
        log.info(content.summary())
        self.content = content

    def generate(self) -> dict[str, str]:
        c = self.content
        if c is None:
            return {}
        pages = {"topics/index.md": render.topics_index_markdown(c.topics)}
        for topic in c.topics:
            pages[f"topics/{topic.slug}.md"] = render.topic_markdown(topic)
        pages.update(render.permalink_pages(c.questions))
        try:
            pages["study-plan.md"] = studyplan.render(self.root / "sources" / "study-plan.yaml", "sources/study-plan.yaml", c)
        except SourceError as e:
            self.problem(e)
        pages["questions.json"] = json.dumps(render.manifest(c.questions), indent=1, ensure_ascii=False) + "\n"
        return pages

    def add_files(self, files: Files, config) -> Files:
        self.pages = self.generate()
        for src_uri, content in self.pages.items():
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                if src_uri.endswith(".md"):
                    raise PluginError(f"docs/{src_uri} would be replaced by a generated page: remove or rename it")
                files.remove(existing)
            files.append(File.generated(config, src_uri, content=content))
        config["nav"] = self.nav(files)
        return files

    def nav(self, files: Files) -> list:
        c = self.content
        have = {f.src_uri for f in files}

        def present(entries):
            return [e for e in entries if next(iter(e.values())) in have]

        nav = present([{"Home": "index.md"}, {"Study plan": "study-plan.md"}])
        if c is not None:
            nav.append({"Topics": ["topics/index.md", *({t.title: f"topics/{t.slug}.md"} for t in c.topics)]})
        nav += present([{"Errata": "errata.md"}, {"About": "about.md"}])
        return nav
