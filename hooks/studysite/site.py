"""Everything the MkDocs hook does, as one object: load the content, run the notebooks, generate the
pages in memory and hand them to MkDocs. The work itself lives in the modules this one calls:
pipeline (content), notebooks + publish (demos), pages + navigation (what is published), swap (the
output folder), export (the docs tree)."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from . import pages as site_pages
from . import render, review, studyplan, urls
from . import stage as build_stage
from .config import StudyConfig
from .errors import SourceError, is_consequence
from .export import ExportError, check_export_dir, export_tree
from .model import Demo, Topic
from .navigation import is_searched, nav, notebook_page_header
from .notebooks import NotebookRun, demo_markdown, run_notebooks
from .notebooks.cache import anchor_jupyter_cache as anchor_jupyter_cache  # re-exported for the hook
from .notebooks.page import NotebookPages
from .pipeline import Content, ContentError, build_content
from .publish import clean_jupyter_cache as clean_jupyter_cache  # re-exported (it lived here)
from .publish import stage
from .readers import ReadReport
from .swap import SiteSwap as SiteSwap  # re-exported: the hook asks this module for it
from .urls import split_topic as split_topic  # re-exported (it lived here)

log = logging.getLogger("mkdocs.plugins.studysite")

STUDY_PLAN_FILE = "sources/study-plan.yaml"


class StudySite:
    """Holds one build's content. All fallible work (sources, notebooks, pages, export checks) happens in
    prepare(), called from on_pre_build, before MkDocs empties site_dir: a failed build leaves the
    previous site as it was. on_files only adds the prepared files.

    In `mkdocs serve` nothing raises: problems are logged, and what could not be rebuilt is taken from
    the last good build (`previous`), so the server keeps answering with the last good pages.
    """

    def __init__(
        self, root: Path, command: str, *, config: StudyConfig | None = None, previous: StudySite | None = None
    ):
        self.root = root
        self.config = config if config is not None else StudyConfig.load(root)
        self.urls = self.config.urls
        self.site_url = self.config.site_url or "http://127.0.0.1:8000/"
        self.directory_urls = self.config.directory_urls
        self.command = command  # "build" | "serve" | "gh-deploy"
        self.content: Content | None = None
        self.disk_files: dict[str, Path] = {}  # src_uri → file on disk (executed notebooks, images)
        self.demos: dict[str, str] = {}  # question ID → demo markdown
        self.run: NotebookRun | None = None
        self.cache_dir = self.config.cache_dir
        self.publish_dir = self.cache_dir / "publish"
        self.notebook_pages = NotebookPages()  # shared stylesheet + alt text for rendered notebooks
        self.pages: dict[str, str | bytes] = {}
        self.parts: dict[str, list[Topic]] = {}  # topic slug → its pages
        self.export_dir: Path | None = None
        self.cell_timeout = self.config.cell_timeout
        # Last good state, carried from build to build while serving.
        self.previous = previous
        self.last_good_reports: dict[str, ReadReport] = dict(previous.last_good_reports) if previous else {}
        self.errors: list[str] = []  # what went wrong in this build (serve), in reporting order

    @property
    def serving(self) -> bool:
        return self.command == "serve"

    # -- errors: fatal for a build, a warning while serving (so the server keeps running) --------
    def problem(self, err: Exception) -> None:
        if self.serving:
            log.warning(str(err))
            self.errors.append(str(err))
        else:
            raise PluginError(str(err)) from err

    def fail(self, causes: Sequence[Exception], consequences: Sequence[Exception] = ()) -> None:
        """Build: one error listing the causes first, then what followed from them."""
        lines = [str(e) for e in causes]
        if consequences:
            lines.append("and, probably because of the above:")
            lines += [f"  {e}" for e in consequences[:5]]
            if len(consequences) > 5:
                lines.append(f"  … and {len(consequences) - 5} more like these")
        raise PluginError("\n".join(lines))

    def prepare(self, config: Any = None) -> None:
        """Everything that can fail, before MkDocs touches site_dir."""
        if config is not None:
            self.check_export_target(config["site_dir"])
            clean_jupyter_cache(config, log)
        self.load()
        with build_stage.at("running notebooks"):
            self.execute_notebooks()
        with build_stage.at("generating pages"):
            self.pages = self.generate()

    def check_export_target(self, site_dir: str | None = None) -> None:
        if self.config.export_dir is not None:
            try:
                self.export_dir = check_export_dir(self.config.export_dir, self.root, site_dir)
            except ExportError as e:
                self.problem(e)

    # -- content --------------------------------------------------------------------------------
    def load(self) -> None:
        fallback = {k: copy.deepcopy(v) for k, v in self.last_good_reports.items()} if self.serving else None
        try:
            content = build_content(self.root, fallback, embeddings_dir=self.config.embeddings_dir)
        except ContentError as e:
            self.content_failed(e)
            return
        if not self.serving and (content.errors or content.fatal):
            # A source that cannot be read fails the build (strict or not), its error first; curated
            # files next; what followed from them (overlays of vanished questions) last.
            self.fail([*content.errors, *content.fatal], content.consequences)
        left_out = {
            True: " — serving the last good version of this file until it is fixed",
            False: " — this file was left out of the site until it is fixed",
        }
        unread = [
            SourceError(err.file, err.line, err.message + left_out[err.file in content.stale]) for err in content.errors
        ]
        self.report([*unread, *content.fatal], content.consequences)
        self.content = content
        if self.serving:  # kept for the next rebuild, in case this file breaks meanwhile
            for report in content.reports:
                if report.file not in content.stale:
                    self.last_good_reports[report.file] = copy.deepcopy(report)
        log_content(content)

    def content_failed(self, e: ContentError) -> None:
        """Nothing sensible could be built: fail the build, or keep serving the last good content."""
        if not self.serving:
            self.fail(e.errors, e.consequences)
        self.report(e.errors, e.consequences)
        if self.previous is not None and self.previous.content is not None:
            log.warning("serving the last good content until this is fixed")
            self.content = self.previous.content

    def report(self, errors: Sequence[Exception], consequences: Sequence[SourceError]) -> None:
        """Each error as a problem (a build fails, serve warns), then what followed from them, in one line."""
        for err in errors:
            self.problem(err)
        if consequences:
            log.info("and, probably because of the above: " + "; ".join(map(str, consequences)))

    # -- notebooks ------------------------------------------------------------------------------
    def execute_notebooks(self) -> None:
        """Run (or fetch from cache) every notebook and tie its tagged cells to questions."""
        nb_dir = self.root / "notebooks"
        if not nb_dir.is_dir():
            return
        started = time.perf_counter()
        run = self.run_and_stage(nb_dir)
        log.info(run.summary_line())
        log.info(f"notebook stage took {time.perf_counter() - started:.2f} s")
        self.run = run
        for failed in run.failed:
            self.problem(PluginError(str(failed.error)))
        for warning in run.warnings:
            log.warning(warning)
        if self.content is not None:
            self.tie_demos(run, self.content)

    def run_and_stage(self, nb_dir: Path) -> NotebookRun:
        for _attempt in range(3):
            run = run_notebooks(
                nb_dir,
                self.cache_dir / "notebooks",
                repo_root=self.root,
                log=log,
                cell_timeout=self.cell_timeout,
                output_cap=self.config.output_cap,
            )
            try:
                self.disk_files.update(stage(run, self.publish_dir, self.notebook_pages))
                return run
            except FileNotFoundError as e:  # evicted by a concurrent build between lookup and copy
                log.info(f"notebook cache entry vanished during the build ({e.filename}): reading the cache again")
        raise PluginError(
            "notebook cache entries keep vanishing during the build: is another build "
            "sharing STUDY_CACHE_DIR with different notebooks?"
        )

    def tie_demos(self, run: NotebookRun, content: Content) -> None:
        for q in content.questions:
            q.demos = []  # (serve may reuse the last good content: tie demos afresh, never twice)
        by_id = content.index()
        for result in run.results:
            for qid, cells in sorted(result.cells_by_question.items()):
                shown = by_id.get(qid)
                if shown is None:
                    log.warning(f"{result.path}: a cell is tagged q:{qid}, which is not a published question")
                    continue
                shown.demos.append(Demo(notebook=result.path, cells=cells))
                page = urls.topic_src(shown.topic)  # every topic page (and part) is at this depth
                self.demos[shown.id] = self.demos.get(shown.id, "") + demo_markdown(
                    result,
                    cells,
                    image_url_prefix=urls.link(page, urls.notebook_image_src("")),
                    notebook_page_url=urls.link(page, urls.notebook_src(result.name)),
                    download_url=urls.link(page, urls.download_src(result.name)),
                )

    # -- pages ----------------------------------------------------------------------------------
    def generate(self) -> dict[str, str | bytes]:
        c = self.content
        if c is None:
            return {}
        self.parts = self.urls.paginate(c.topics)  # sets each question's page: before any URL is asked
        pages: dict[str, str | bytes] = {}
        pages.update(site_pages.topic_pages(c, self.parts, self.demos, self.run))
        if self.run is not None:
            pages[urls.NOTEBOOKS_INDEX] = site_pages.notebooks_index(self.run)
            if self.serving:  # a failing notebook's page shows its error (it was a 404)
                pages.update(site_pages.failed_notebook_pages(self.run))
        pages[urls.ERRATA] = render.errata_markdown(c.topics)
        pages.update(render.review_checklist_pages(c.topics))  # bounded pages (issue 21)
        pages.update(render.permalink_pages(c.questions, directory_urls=self.directory_urls))
        plan = self.study_plan(c)
        if plan is not None:
            pages[urls.STUDY_PLAN] = plan
        # Anki note times: the build time, so a re-import updates changed cards; fixed when reproducible.
        epoch = self.config.source_date_epoch
        pages.update(
            site_pages.data_pages(
                c,
                site=self.urls,
                site_url=self.site_url,
                timestamp=float(epoch) if epoch is not None else time.time(),
                order=studyplan.question_order(self.root / STUDY_PLAN_FILE, c),
                days=studyplan.plan_days(self.root / STUDY_PLAN_FILE, c),
            )
        )
        return pages

    def study_plan(self, c: Content) -> str | bytes | None:
        """The study plan page; on an error in study-plan.yaml, the last good one while serving."""
        try:
            return studyplan.render(self.root / STUDY_PLAN_FILE, STUDY_PLAN_FILE, c)
        except SourceError as e:
            if is_consequence(e, c.errors):
                # names a question whose source failed to read: a consequence, reported after it
                if not self.serving:
                    self.fail(c.errors, [e])
                log.info(f"and, probably because of the above: {e}")
            else:
                self.problem(e)
        return self.previous.pages.get(urls.STUDY_PLAN) if self.previous is not None else None

    def add_files(self, files: Files, config: Any) -> Files:
        for src_uri, path in self.disk_files.items():
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                files.remove(existing)
            if src_uri.startswith(f"{urls.NOTEBOOKS_DIR}/") and src_uri.endswith(".ipynb"):
                files.append(File(src_uri, str(self.publish_dir), config["site_dir"], config["use_directory_urls"]))
            else:
                files.append(File.generated(config, src_uri, abs_src_path=str(path)))
        for src_uri, content in self.pages.items():
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                if src_uri.endswith(".md"):
                    raise PluginError(f"docs/{src_uri} would be replaced by a generated page: remove or rename it")
                files.remove(existing)
            files.append(File.generated(config, src_uri, content=content))
        config["nav"] = nav(files, self.content.topics if self.content else None, self.run)
        if self.export_dir is not None:
            n = export_tree(files, config, self.export_dir, config["nav"], self.root)
            log.info(f"exported {n} docs files and mkdocs.yml to {self.export_dir}")
        return files

    def notebook_page(self, page: Any, html: str, files: Any = None) -> str:
        """Rendered notebook pages: a download link on top, and no search entries — the questions
        already carry the demo cells, and full notebook code would outrank them in results. (And the
        review page's deck, cut out into the card scripts: review.publish_cards.)"""
        if files is not None:
            html = review.publish_cards(page.file.src_uri, html, files)
            if self.export_dir is not None and page.file.src_uri == review.REVIEW_PAGE:
                review.export_cards(files, self.export_dir / "docs")  # the export copied placeholders
        header = notebook_page_header(page.file.src_uri, page.url, self.urls)
        if header:
            page.meta.setdefault("search", {})["exclude"] = True
            return header + self.notebook_pages.rewrite(html, page_url=page.url)
        if not is_searched(page.file.src_uri):
            page.meta.setdefault("search", {})["exclude"] = True
        return render.lean_code_html(html)


def log_content(content: Content) -> None:
    """The build log: per file what was read, then notes, warnings and the totals."""
    for report in content.reports:
        log.info(report.log_line())
    for note in content.notes:
        log.info(note)
    for warning in content.warnings:
        log.warning(warning)
    log.info(content.summary())
    log.info(review.level_summary(content.topics))


def notebook_timeout(config: Any = None) -> int:
    """Per-cell time limit in seconds (STUDY_CELL_TIMEOUT, else mkdocs.yml `extra: study: cell_timeout`)."""
    return StudyConfig.load(Path("."), config).cell_timeout
