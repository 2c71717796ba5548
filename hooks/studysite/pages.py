"""The generated pages and files of one build, from its content (all in memory; no side effects)."""

from __future__ import annotations

import json
from pathlib import Path

from . import anki, duplicates_page, render, review, urls
from .model import Topic
from .navigation import nav_title
from .notebooks import NotebookRun, demo_markdown_error, status_page_markdown
from .pipeline import Content

NOTEBOOKS_INTRO = """Every demo on this site is a cell of one of these notebooks. They run on CPU at build time
(PyTorch, seeded), their claims are asserted in code, and their real outputs are what you see under the
questions. Each notebook page has the full code and a download link.

"""


def topic_pages(
    c: Content, parts: dict[str, list[Topic]], demos: dict[str, str], run: NotebookRun | None
) -> dict[str, str]:
    """The topics index and every topic page (each part of a split topic ends with a pager)."""
    pages = {urls.TOPICS_INDEX: render.topics_index_markdown(c.topics, parts)}
    for topic in c.topics:
        for n, part in enumerate(parts[topic.slug]):
            md = render.topic_markdown(part, demos=demos, notebook_links=notebook_links(part, run))
            pages[urls.topic_src(part.slug)] = md + pager(parts[topic.slug], n)
    return pages


def notebook_links(topic: Topic, run: NotebookRun | None) -> str:
    """ "Notebook: …" links to every notebook a demo on this page comes from."""
    names = [Path(n).name for n in sorted({d.notebook for q in topic.questions for d in q.demos})]
    titles = {r.name: nav_title(r.title, r.name) for r in (run.results if run else [])}
    page = urls.topic_src(topic.slug)
    return " · ".join(f"Notebook: [{titles.get(n, n)}]({urls.link(page, urls.notebook_src(n))})" for n in names)


def pager(parts: list[Topic], n: int) -> str:
    """Previous / next links under a part of a split topic (all parts are listed on the topics index)."""
    if len(parts) == 1:
        return ""
    here = urls.topic_src(parts[n].slug)

    def to(part: Topic) -> str:
        return urls.link(here, urls.topic_src(part.slug))

    links = []
    if n > 0:
        links.append(f"[← {render.md_escape(parts[n - 1].title)}]({to(parts[n - 1])})")
    links.append(f"[all {len(parts)} pages]({urls.link(here, urls.TOPICS_INDEX)})")
    if n + 1 < len(parts):
        links.append(f"[{render.md_escape(parts[n + 1].title)} →]({to(parts[n + 1])})")
    return "\n\n---\n\n" + " · ".join(links) + "\n"


def notebooks_index(run: NotebookRun) -> str:
    """The notebooks page: every notebook, what it demonstrates, linked to its rendered page."""
    links = {
        r.path: urls.link(urls.NOTEBOOKS_INDEX, urls.notebook_src(r.name))
        for r in run.results
        if r.executed_path is not None
    }
    return "# Notebooks\n\n" + NOTEBOOKS_INTRO + status_page_markdown(run, links)


def failed_notebook_pages(run: NotebookRun) -> dict[str, str]:
    """Serve: a page at each failed notebook's URL (notebooks/<name>/) saying what failed, where the
    rendered notebook would be."""
    return {
        f"{urls.NOTEBOOKS_DIR}/{Path(r.name).stem}.md": f"# {render.md_escape(r.title or r.name)}\n\n"
        + demo_markdown_error(r.path, r.error or "failed")
        for r in run.results
        if r.executed_path is None
    }


def data_pages(
    c: Content, *, site: urls.Urls, site_url: str, timestamp: float, order: list[str], days: list[dict] | None = None
) -> dict[str, str | bytes]:
    """Review and quiz, the editors' duplicates page, questions.json, the Anki deck and the CSV."""
    pages: dict[str, str | bytes] = {}
    pages.update(review.pages(c.topics, directory_urls=site.directory_urls, order=order, days=days))
    pages[duplicates_page.PAGE] = duplicates_page.markdown(c)  # editors only: not in the nav or search
    manifest = render.manifest(c.questions, c.candidates, directory_urls=site.directory_urls)
    pages[urls.MANIFEST] = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    pages[urls.ANKI_FILE] = anki.anki_package(c.topics, site_url=site_url, timestamp=timestamp)
    pages[urls.CSV_FILE] = anki.questions_csv(c.topics, site_url=site_url)
    return pages
