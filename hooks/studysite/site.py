"""Everything the MkDocs hook does, as one object: generate pages in memory and publish the manifest."""
from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from . import anki, duplicates_page, render, review, studyplan
from .export import export_tree
from .model import Demo, SourceError
from .notebooks import NotebookRun, demo_markdown, run_notebooks, status_page_markdown
from .pipeline import Content, build_content

log = logging.getLogger("mkdocs.plugins.studysite")


class StudySite:
    """Holds one build's content; created in on_config, used by on_files and on_page_content."""

    def __init__(self, root: Path, command: str, *, directory_urls: bool = True, site_url: str = ""):
        self.root = root
        self.site_url = site_url or "http://127.0.0.1:8000/"
        self.directory_urls = directory_urls
        self.command = command  # "build" | "serve" | "gh-deploy"
        self.content: Content | None = None
        self.disk_files: dict[str, Path] = {}  # src_uri → file on disk (executed notebooks, images)
        self.demos: dict[str, str] = {}  # question ID → demo markdown
        self.run: NotebookRun | None = None
        self.cache_dir = Path(os.environ.get("STUDY_CACHE_DIR") or root / ".cache")
        self.publish_dir = self.cache_dir / "publish"

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
        self.content = content
        for err in content.fatal:
            self.problem(err)  # curated files are ours: a mistake fails the build (serve: warns)
        for err in content.errors:
            # A raw source that cannot be read: left out (so serve keeps going), and a warning,
            # which `mkdocs build --strict` turns into a failed build.
            log.warning(f"{err} — this file was left out of the site")
        for report in content.reports:
            log.info(report.log_line())
        for note in content.notes:
            log.info(note)
        for warning in content.warnings:
            log.warning(warning)
        log.info(content.summary())
        log.info(review.level_summary(content.topics))

    def execute_notebooks(self) -> None:
        """Run (or fetch from cache) every notebook and tie its tagged cells to questions."""
        nb_dir = self.root / "notebooks"
        if not nb_dir.is_dir():
            return
        started = time.perf_counter()
        run = run_notebooks(nb_dir, self.cache_dir / "notebooks", repo_root=self.root, log=log)
        log.info(run.summary_line())
        log.info(f"notebook stage took {time.perf_counter() - started:.2f} s")
        self.run = run
        for failed in run.failed:
            self.problem(PluginError(str(failed.error)))
        # Executed copies are staged under their own names in a folder that mirrors the site, because
        # mkdocs-jupyter derives a notebook's path from its File's src_dir (the cache calls them
        # executed.ipynb, and a File.generated has no src_dir).
        for name, path in run.site_files().items():
            if name.endswith(".ipynb"):
                # notebooks/ is rendered as a page; downloads/ (ignored by mkdocs-jupyter) is the file.
                for folder in ("notebooks", "downloads"):
                    staged = self.publish_dir / folder / name
                    staged.parent.mkdir(parents=True, exist_ok=True)
                    if not staged.exists() or staged.read_bytes() != path.read_bytes():
                        shutil.copyfile(path, staged)
                    self.disk_files[f"{folder}/{name}"] = staged
            else:
                self.disk_files[f"notebooks/img/{name}"] = path
        if self.content is None:
            return
        by_id = self.content.index()
        for result in run.results:
            for qid, cells in sorted(result.cells_by_question.items()):
                q = by_id.get(qid)
                if q is None:
                    log.warning(f"{result.path}: a cell is tagged q:{qid}, which is not a published question")
                    continue
                q.demos.append(Demo(notebook=result.path, cells=cells))
                self.demos[q.id] = self.demos.get(q.id, "") + demo_markdown(
                    result,
                    cells,
                    image_url_prefix="../notebooks/img/",
                    notebook_page_url=f"../notebooks/{result.name}",
                    download_url=f"../downloads/{result.name}",
                )

    def generate(self) -> dict[str, str]:
        c = self.content
        if c is None:
            return {}
        pages = {"topics/index.md": render.topics_index_markdown(c.topics)}
        for topic in c.topics:
            pages[f"topics/{topic.slug}.md"] = render.topic_markdown(
                topic, demos=self.demos, notebook_links=self.notebook_links(topic)
            )
        if self.run is not None:
            links = {r.path: r.name for r in self.run.results if r.executed_path is not None}
            pages["notebooks/index.md"] = "# Notebooks\n\n" + NOTEBOOKS_INTRO + status_page_markdown(
                self.run, links, show_times="SOURCE_DATE_EPOCH" not in os.environ
            )
        pages["errata.md"] = render.errata_markdown(c.topics)
        pages.update(render.permalink_pages(c.questions, directory_urls=self.directory_urls))
        try:
            pages["study-plan.md"] = studyplan.render(self.root / "sources" / "study-plan.yaml", "sources/study-plan.yaml", c)
        except SourceError as e:
            self.problem(e)
        order = studyplan.question_order(self.root / "sources" / "study-plan.yaml", c)
        pages.update(review.pages(c.topics, directory_urls=self.directory_urls, order=order))
        pages[duplicates_page.PAGE] = duplicates_page.markdown(c)  # editors only: not in the nav or search
        pages["questions.json"] = json.dumps(render.manifest(c.questions, c.candidates), indent=1, ensure_ascii=False) + "\n"
        # Anki note times: the build time, so a re-import updates changed cards; fixed when reproducible.
        stamp = float(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
        pages[ANKI_FILE] = anki.anki_package(c.topics, site_url=self.site_url, timestamp=stamp)
        pages[CSV_FILE] = anki.questions_csv(c.topics, site_url=self.site_url)
        return pages

    def notebook_links(self, topic) -> str:
        used = sorted({d.notebook for q in topic.questions for d in q.demos})
        names = [Path(n).name for n in used]
        return " · ".join(f"Notebook: [{n.removesuffix('.ipynb')}](../notebooks/{n})" for n in names)

    def add_files(self, files: Files, config) -> Files:
        self.execute_notebooks()
        pages = self.generate()
        for src_uri, path in self.disk_files.items():
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                files.remove(existing)
            if src_uri.startswith("notebooks/") and src_uri.endswith(".ipynb"):
                files.append(File(src_uri, str(self.publish_dir), config["site_dir"], config["use_directory_urls"]))
            else:
                files.append(File.generated(config, src_uri, abs_src_path=str(path)))
        for src_uri, content in pages.items():
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                if src_uri.endswith(".md"):
                    raise PluginError(f"docs/{src_uri} would be replaced by a generated page: remove or rename it")
                files.remove(existing)
            files.append(File.generated(config, src_uri, content=content))
        config["nav"] = self.nav(files)
        if os.environ.get("STUDY_EXPORT_DIR"):
            out = Path(os.environ["STUDY_EXPORT_DIR"]).resolve()
            n = export_tree(files, config, out, config["nav"], self.root)
            log.info(f"exported {n} docs files and mkdocs.yml to {out}")
        return files

    def notebook_page(self, page, html: str) -> str:
        """Rendered notebook pages: a download link on top, and no search entries — the questions
        already carry the demo cells, and full notebook code would outrank them in results."""
        header = self.notebook_page_header(page.file.src_uri, page.url)
        if header:
            page.meta.setdefault("search", {})["exclude"] = True
        return header + html

    def notebook_page_header(self, src_uri: str, page_url: str) -> str:
        """Download link shown above a rendered notebook (mkdocs-jupyter pages have no markdown of ours)."""
        name = src_uri.rsplit("/", 1)[-1]
        if not (src_uri.startswith("notebooks/") and name.endswith(".ipynb")):
            return ""
        up = "../" * page_url.count("/")  # "notebooks/x/" or "notebooks/x.html"
        index = "notebooks/" if self.directory_urls else "notebooks/index.html"
        return (
            f'<p class="nb-download"><a href="{up}downloads/{name}" download>Download the executed notebook '
            f'({name})</a> · outputs are from this build · <a href="{up}{index}">all notebooks</a></p>\n'
        )

    def nav(self, files: Files) -> list:
        c = self.content
        have = {f.src_uri for f in files}

        def present(entries):
            return [e for e in entries if next(iter(e.values())) in have]

        nav = present([{"Home": "index.md"}, {"Study plan": "study-plan.md"}, {"Review": review.REVIEW_PAGE}, {"Quiz": review.QUIZ_PAGE}])
        if c is not None:
            nav.append({"Topics": ["topics/index.md", *({t.title: f"topics/{t.slug}.md"} for t in c.topics)]})
        if self.run is not None:
            notebooks = [f"notebooks/{r.name}" for r in self.run.results if f"notebooks/{r.name}" in have]
            nav.append({"Notebooks": ["notebooks/index.md", *notebooks]})
        nav += present([{"Errata": "errata.md"}, {"About": "about.md"}])
        return nav


ANKI_FILE = "downloads/pytorch-interview.apkg"
CSV_FILE = "downloads/pytorch-interview-questions.csv"

NOTEBOOKS_INTRO = """Every demo on this site is a cell of one of these notebooks. They run on CPU at build time
(PyTorch, seeded), their claims are asserted in code, and their real outputs are what you see under the
questions. Each notebook page has the full code and a download link.

"""
