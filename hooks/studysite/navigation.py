"""The site's navigation and what each kind of page leaves out of search."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mkdocs.structure.files import Files

from . import review, urls
from .model import Topic
from .notebooks import NotebookRun

# Pages that only repeat or list questions: a search should land on the question itself.
NOT_SEARCHED = {
    urls.ERRATA,
    urls.STUDY_PLAN,
    urls.TOPICS_INDEX,
    urls.NOTEBOOKS_INDEX,
    review.REVIEW_PAGE,
    review.QUIZ_PAGE,
}
NOT_SEARCHED_DIRS = ("review/", "quiz/")


def nav(files: Files, topics: Iterable[Topic] | None, run: NotebookRun | None) -> list:
    """Home, study pages, one entry per topic (its first page), the notebooks, errata and about."""
    have = {f.src_uri for f in files}

    def present(entries: list[dict[str, str]]) -> list[dict[str, str]]:
        return [e for e in entries if next(iter(e.values())) in have]

    entries: list = present(
        [
            {"Home": "index.md"},
            {"Study plan": urls.STUDY_PLAN},
            {"Review": review.REVIEW_PAGE},
            {"Quiz": review.QUIZ_PAGE},
        ]
    )
    if topics is not None:
        # A split topic's first page is in the nav; its other pages are linked from it and the index
        # (one nav entry per page would put every page's link on every page: quadratic).
        entries.append({"Topics": [urls.TOPICS_INDEX, *({t.title: urls.topic_src(t.slug)} for t in topics)]})
    if run is not None:
        notebooks = [
            {nav_title(r.title, r.name): urls.notebook_src(r.name)}
            for r in run.results
            if urls.notebook_src(r.name) in have
        ]
        entries.append({"Notebooks": [urls.NOTEBOOKS_INDEX, *notebooks]})
    return entries + present([{"Errata": urls.ERRATA}, {"About": "about.md"}])


def nav_title(title: str, file_name: str) -> str:
    """A short nav entry from a notebook's title: "Convolutions: output sizes, …" → "Convolutions"."""
    short = re.split(r"[:,]", title.replace("`", ""), maxsplit=1)[0].strip()
    return short or file_name.removesuffix(".ipynb")


def is_searched(src_uri: str) -> bool:
    return not (src_uri in NOT_SEARCHED or src_uri.startswith(NOT_SEARCHED_DIRS))


def notebook_page_header(src_uri: str, page_url: str, site: urls.Urls) -> str:
    """Download link shown above a rendered notebook (mkdocs-jupyter pages have no markdown of ours)."""
    name = src_uri.rsplit("/", 1)[-1]
    if not (src_uri.startswith(f"{urls.NOTEBOOKS_DIR}/") and name.endswith(".ipynb")):
        return ""
    download = site.relative(page_url, urls.download_src(name))
    index = site.relative(page_url, site.page_url(urls.NOTEBOOKS_INDEX))
    return (
        f'<p class="nb-download"><a href="{download}" download>Download the executed notebook '
        f'({name})</a> · outputs are from this build · <a href="{index}">all notebooks</a></p>\n'
    )
