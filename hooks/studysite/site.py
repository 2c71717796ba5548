"""Everything the MkDocs hook does, as one object: generate pages in memory and publish the manifest."""
from __future__ import annotations

import copy
import json
import logging
import os
import re
import shutil
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from . import anki, duplicates_page, render, review, sitedir, stage, studyplan, urls
from .config import DEFAULT_CELL_TIMEOUT, StudyConfig
from .errors import SourceError, is_consequence
from .export import ExportError, check_export_dir, export_tree
from .model import Demo, Topic
from .urls import ANKI_FILE, CSV_FILE
from .urls import split_topic as split_topic  # re-exported (it lived here)
from .notebooks.cache import anchor_jupyter_cache, write_atomic  # noqa: F401  (anchor_…: for the hook)
from .notebooks import NotebookRun, demo_markdown, run_notebooks, status_page_markdown
from .notebooks.page import NotebookPages
from .pipeline import Content, ContentError, build_content

log = logging.getLogger("mkdocs.plugins.studysite")


class StudySite:
    """Holds one build's content. All fallible work (sources, notebooks, pages, export checks) happens in
    prepare(), called from on_pre_build, before MkDocs empties site_dir: a failed build leaves the
    previous site as it was. on_files only adds the prepared files.

    In `mkdocs serve` nothing raises: problems are logged, and what could not be rebuilt is taken from
    the last good build (`previous`), so the server keeps answering with the last good pages.
    """

    def __init__(self, root: Path, command: str, *, config: StudyConfig | None = None,
                 previous: "StudySite | None" = None):
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
        self.export_dir: Path | None = None
        self.cell_timeout = self.config.cell_timeout
        # Last good state, carried from build to build while serving.
        self.previous = previous
        self.last_good_reports: dict[str, object] = dict(previous.last_good_reports) if previous else {}
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

    def fail(self, causes: list, consequences: list = ()) -> None:
        """Build: one error listing the causes first, then what followed from them."""
        lines = [str(e) for e in causes]
        if consequences:
            lines.append("and, probably because of the above:")
            lines += [f"  {e}" for e in consequences[:5]]
            if len(consequences) > 5:
                lines.append(f"  … and {len(consequences) - 5} more like these")
        raise PluginError("\n".join(lines))

    def prepare(self, config=None) -> None:
        """Everything that can fail, before MkDocs touches site_dir."""
        if config is not None:
            self.check_export_target(config["site_dir"])
            clean_jupyter_cache(config, log)
        self.load()
        with stage.at("running notebooks"):
            self.execute_notebooks()
        with stage.at("generating pages"):
            self.pages = self.generate()

    def check_export_target(self, site_dir: str | None = None) -> None:
        if self.config.export_dir is not None:
            try:
                self.export_dir = check_export_dir(self.config.export_dir, self.root, site_dir)
            except ExportError as e:
                self.problem(e)

    def load(self) -> None:
        fallback = {k: copy.deepcopy(v) for k, v in self.last_good_reports.items()} if self.serving else None
        try:
            content = build_content(self.root, fallback)
        except ContentError as e:
            if not self.serving:
                self.fail(e.errors, e.consequences)
            for err in e.errors:
                self.problem(err)
            if e.consequences:
                log.info("and, probably because of the above: " + "; ".join(map(str, e.consequences)))
            if self.previous is not None and self.previous.content is not None:
                log.warning("serving the last good content until this is fixed")
                self.content = self.previous.content
            return
        if not self.serving and (content.errors or content.fatal):
            # A source that cannot be read fails the build (strict or not), its error first; curated
            # files next; what followed from them (overlays of vanished questions) last.
            self.fail([*content.errors, *content.fatal], content.consequences)
        for err in content.errors:
            stale = err.file in content.stale
            self.problem(SourceError(err.file, err.line, err.message + (
                " — serving the last good version of this file until it is fixed" if stale
                else " — this file was left out of the site until it is fixed")))
        for err in content.fatal:
            self.problem(err)
        if content.consequences:
            log.info("and, probably because of the above: " + "; ".join(map(str, content.consequences)))
        self.content = content
        if self.serving:  # kept for the next rebuild, in case this file breaks meanwhile
            for report in content.reports:
                if report.file not in content.stale:
                    self.last_good_reports[report.file] = copy.deepcopy(report)
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
        for attempt in range(3):
            run = run_notebooks(nb_dir, self.cache_dir / "notebooks", repo_root=self.root, log=log,
                                cell_timeout=self.cell_timeout, output_cap=self.config.output_cap)
            try:
                self.stage(run)
                break
            except FileNotFoundError as e:  # evicted by a concurrent build between lookup and copy
                log.info(f"notebook cache entry vanished during the build ({e.filename}): reading the cache again")
        else:
            raise PluginError("notebook cache entries keep vanishing during the build: is another build "
                              "sharing STUDY_CACHE_DIR with different notebooks?")
        log.info(run.summary_line())
        log.info(f"notebook stage took {time.perf_counter() - started:.2f} s")
        self.run = run
        for failed in run.failed:
            self.problem(PluginError(str(failed.error)))
        for warning in run.warnings:
            log.warning(warning)
        if self.content is None:
            return
        for q in self.content.questions:
            q.demos = []  # (serve may reuse the last good content: tie demos afresh, never twice)
        by_id = self.content.index()
        for result in run.results:
            for qid, cells in sorted(result.cells_by_question.items()):
                q = by_id.get(qid)
                if q is None:
                    log.warning(f"{result.path}: a cell is tagged q:{qid}, which is not a published question")
                    continue
                q.demos.append(Demo(notebook=result.path, cells=cells))
                page = urls.topic_src(q.topic)  # every topic page (and part) is at this depth
                self.demos[q.id] = self.demos.get(q.id, "") + demo_markdown(
                    result,
                    cells,
                    image_url_prefix=urls.link(page, urls.notebook_image_src("")),
                    notebook_page_url=urls.link(page, urls.notebook_src(result.name)),
                    download_url=urls.link(page, urls.download_src(result.name)),
                )

    def stage(self, run: NotebookRun) -> None:
        """Copy executed notebooks and images out of the cache into publish_dir, and point the results
        at the copies: what this build publishes no longer depends on the cache entry staying put.

        Executed copies are staged under their own names in a folder that mirrors the site, because
        mkdocs-jupyter derives a notebook's path from its File's src_dir (the cache calls them
        executed.ipynb, and a File.generated has no src_dir)."""
        disk_files: dict[str, Path] = {}
        for r in run.results:
            if r.executed_path is not None:
                data = r.executed_path.read_bytes()
                # notebooks/ is rendered as a page; downloads/ (ignored by mkdocs-jupyter) is the file.
                for folder in ("notebooks", "downloads"):
                    staged = self.publish_dir / folder / r.name
                    staged.parent.mkdir(parents=True, exist_ok=True)
                    if not staged.exists() or staged.read_bytes() != data:
                        write_atomic(staged, data)
                    disk_files[f"{folder}/{r.name}"] = staged
                r.executed_path = self.publish_dir / "notebooks" / r.name
            for name, path in list(r.images.items()):
                data = path.read_bytes()
                staged = self.publish_dir / "img" / name
                if not staged.exists() or staged.read_bytes() != data:
                    staged.parent.mkdir(parents=True, exist_ok=True)
                    write_atomic(staged, data)
                r.images[name] = staged
                disk_files[f"notebooks/img/{name}"] = staged
                if name not in self.notebook_pages.image_names:
                    self.notebook_pages.image_names.append(name)
        self.disk_files.update(disk_files)

    def generate(self) -> dict[str, str]:
        c = self.content
        if c is None:
            return {}
        self.parts = self.urls.paginate(c.topics)  # sets each question's page: before any URL is asked
        pages = {urls.TOPICS_INDEX: render.topics_index_markdown(c.topics, self.parts)}
        for topic in c.topics:
            parts = self.parts[topic.slug]
            for n, part in enumerate(parts):
                pages[urls.topic_src(part.slug)] = render.topic_markdown(
                    part, demos=self.demos, notebook_links=self.notebook_links(part)
                ) + pager(parts, n)
        if self.run is not None:
            links = {r.path: r.name for r in self.run.results if r.executed_path is not None}
            pages["notebooks/index.md"] = "# Notebooks\n\n" + NOTEBOOKS_INTRO + status_page_markdown(
                self.run, links, show_times=not self.config.reproducible
            )
        pages["errata.md"] = render.errata_markdown(c.topics)
        pages.update(render.permalink_pages(c.questions, directory_urls=self.directory_urls))
        try:
            pages["study-plan.md"] = studyplan.render(self.root / "sources" / "study-plan.yaml", "sources/study-plan.yaml", c)
        except SourceError as e:
            if self.content and is_consequence(e, self.content.errors):
                # names a question whose source failed to read: a consequence, reported after it
                if not self.serving:
                    self.fail(self.content.errors, [e])
                log.info(f"and, probably because of the above: {e}")
            else:
                self.problem(e)
            if self.previous is not None and "study-plan.md" in self.previous.pages:
                pages["study-plan.md"] = self.previous.pages["study-plan.md"]
        order = studyplan.question_order(self.root / "sources" / "study-plan.yaml", c)
        pages.update(review.pages(c.topics, directory_urls=self.directory_urls, order=order))
        pages[duplicates_page.PAGE] = duplicates_page.markdown(c)  # editors only: not in the nav or search
        manifest = render.manifest(c.questions, c.candidates, directory_urls=self.directory_urls)
        pages["questions.json"] = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
        # Anki note times: the build time, so a re-import updates changed cards; fixed when reproducible.
        epoch = self.config.source_date_epoch
        stamp = float(epoch) if epoch is not None else time.time()
        pages[ANKI_FILE] = anki.anki_package(c.topics, site_url=self.site_url, timestamp=stamp)
        pages[CSV_FILE] = anki.questions_csv(c.topics, site_url=self.site_url)
        return pages

    def notebook_links(self, topic) -> str:
        used = sorted({d.notebook for q in topic.questions for d in q.demos})
        names = [Path(n).name for n in used]
        titles = {r.name: nav_title(r.title, r.name) for r in (self.run.results if self.run else [])}
        page = urls.topic_src(topic.slug)
        return " · ".join(f"Notebook: [{titles.get(n, n)}]({urls.link(page, urls.notebook_src(n))})" for n in names)

    def add_files(self, files: Files, config) -> Files:
        pages = self.pages
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
        if self.export_dir is not None:
            n = export_tree(files, config, self.export_dir, config["nav"], self.root)
            log.info(f"exported {n} docs files and mkdocs.yml to {self.export_dir}")
        return files

    def notebook_page(self, page, html: str) -> str:
        """Rendered notebook pages: a download link on top, and no search entries — the questions
        already carry the demo cells, and full notebook code would outrank them in results."""
        header = self.notebook_page_header(page.file.src_uri, page.url)
        if header:
            page.meta.setdefault("search", {})["exclude"] = True
            return header + self.notebook_pages.rewrite(html, page_url=page.url)
        if page.file.src_uri in NOT_SEARCHED or page.file.src_uri.startswith(NOT_SEARCHED_DIRS):
            # Pages that only repeat or list questions: a search should land on the question itself.
            page.meta.setdefault("search", {})["exclude"] = True
        return render.lean_code_html(html)

    def notebook_page_header(self, src_uri: str, page_url: str) -> str:
        """Download link shown above a rendered notebook (mkdocs-jupyter pages have no markdown of ours)."""
        name = src_uri.rsplit("/", 1)[-1]
        if not (src_uri.startswith("notebooks/") and name.endswith(".ipynb")):
            return ""
        download = self.urls.relative(page_url, urls.download_src(name))
        index = self.urls.relative(page_url, self.urls.page_url(f"{urls.NOTEBOOKS_DIR}/index.md"))
        return (
            f'<p class="nb-download"><a href="{download}" download>Download the executed notebook '
            f'({name})</a> · outputs are from this build · <a href="{index}">all notebooks</a></p>\n'
        )

    def nav(self, files: Files) -> list:
        c = self.content
        have = {f.src_uri for f in files}

        def present(entries):
            return [e for e in entries if next(iter(e.values())) in have]

        nav = present([{"Home": "index.md"}, {"Study plan": "study-plan.md"}, {"Review": review.REVIEW_PAGE}, {"Quiz": review.QUIZ_PAGE}])
        if c is not None:
            # A split topic's first page is in the nav; its other pages are linked from it and the index
            # (one nav entry per page would put every page's link on every page: quadratic).
            nav.append({"Topics": [urls.TOPICS_INDEX, *({t.title: urls.topic_src(t.slug)} for t in c.topics)]})
        if self.run is not None:
            notebooks = [{nav_title(r.title, r.name): f"notebooks/{r.name}"}
                         for r in self.run.results if f"notebooks/{r.name}" in have]
            nav.append({"Notebooks": ["notebooks/index.md", *notebooks]})
        nav += present([{"Errata": "errata.md"}, {"About": "about.md"}])
        return nav


def nav_title(title: str, file_name: str) -> str:
    """A short nav entry from a notebook's title: "Convolutions: output sizes, …" → "Convolutions"."""
    short = re.split(r"[:,]", title.replace("`", ""), maxsplit=1)[0].strip()
    return short or file_name.removesuffix(".ipynb")


NOT_SEARCHED = {"errata.md", "study-plan.md", "topics/index.md", "notebooks/index.md", "review.md", "quiz.md"}
NOT_SEARCHED_DIRS = ("review/", "quiz/")

class SiteSwap:
    """Build into a fresh folder next to site_dir and swap it in only when the build succeeded.

    Hook errors already fail before MkDocs empties site_dir (prepare runs in on_pre_build); this also
    covers what fails later (a strict-mode warning, an error in another plugin): the previous site stays.
    """

    def __init__(self, config):
        self.config = config
        self.target = Path(config["site_dir"]).resolve()
        self.building = self.target.with_name(f".{self.target.name}.building-{os.getpid()}")
        shutil.rmtree(self.building, ignore_errors=True)
        for name in sitedir.remove_leftovers(self.target):
            log.info(f"removed {name}, left beside {self.target.name}/ by a build that was killed")
        config["site_dir"] = str(self.building)

    def finish(self, config) -> None:
        """After every other plugin's on_post_build: swap, unless strict mode is about to abort."""
        config["site_dir"] = str(self.target)  # gh-deploy reads it after the build
        if _strict_warnings():
            shutil.rmtree(self.building, ignore_errors=True)
            log.info(f"build aborted by strict mode: {self.target} left as it was")
            return
        trash = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
        try:
            sitedir.swap_in(self.target, self.building, trash)  # (a mount point: its contents replaced)
            log.info(f"site written to {self.target} (built in {self.building.name}, then swapped in)")
        except OSError as e:
            raise PluginError(f"{self.target}: the new site could not be written there ({e.strerror or e}); "
                              "make the folder writable, or build elsewhere with -d") from None
        finally:
            shutil.rmtree(self.building, ignore_errors=True)
            shutil.rmtree(trash, ignore_errors=True)

    def abandon(self) -> None:
        self.config["site_dir"] = str(self.target)
        shutil.rmtree(self.building, ignore_errors=True)


def _strict_warnings() -> bool:
    """True when MkDocs' strict-mode counter has seen a warning (the build then aborts)."""
    from mkdocs.utils import CountHandler

    return any(isinstance(h, CountHandler) and h.get_counts() for h in logging.getLogger("mkdocs").handlers)


def pager(parts: list[Topic], n: int) -> str:
    """Previous / next links under a part of a split topic (all parts are listed on the topics index)."""
    if len(parts) == 1:
        return ""
    here = urls.topic_src(parts[n].slug)
    links = []
    if n > 0:
        links.append(f"[← {render.md_escape(parts[n - 1].title)}]({urls.link(here, urls.topic_src(parts[n - 1].slug))})")
    links.append(f"[all {len(parts)} pages]({urls.link(here, urls.TOPICS_INDEX)})")
    if n + 1 < len(parts):
        links.append(f"[{render.md_escape(parts[n + 1].title)} →]({urls.link(here, urls.topic_src(parts[n + 1].slug))})")
    return "\n\n---\n\n" + " · ".join(links) + "\n"


def notebook_timeout(config=None) -> int:
    """Per-cell time limit in seconds (STUDY_CELL_TIMEOUT, else mkdocs.yml `extra: study: cell_timeout`)."""
    return StudyConfig.load(Path("."), config).cell_timeout


def clean_jupyter_cache(config, logger) -> None:
    """mkdocs-jupyter trusts its cache files: a truncated or foreign JSON file crashes every build. Drop
    every file that is not what it writes (a mapping with `content` text and `toc_tokens` list)."""
    plugin = config["plugins"].get("mkdocs-jupyter") if config is not None else None
    if plugin is None or not plugin.config.get("cache"):
        return
    cache_dir = Path(plugin.config["cache_dir"])
    if not cache_dir.is_dir():
        return
    for path in sorted(cache_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            ok = isinstance(data, dict) and isinstance(data.get("content"), str) and isinstance(data.get("toc_tokens"), list)
        except (OSError, ValueError):
            ok = False
        if not ok:
            path.unlink(missing_ok=True)
            logger.info(f"{path}: damaged mkdocs-jupyter cache file removed (it is rebuilt)")



NOTEBOOKS_INTRO = """Every demo on this site is a cell of one of these notebooks. They run on CPU at build time
(PyTorch, seeded), their claims are asserted in code, and their real outputs are what you see under the
questions. Each notebook page has the full code and a download link.

"""
