"""Where everything lives: the one owner of every page path and URL the site publishes.

Two kinds of address, kept apart on purpose (as MkDocs' `File.src_uri` and `File.url` are):

- *source paths* (`topics/cnn.md`, `q/max-pooling/index.html`): what generated markdown links to.
  MkDocs validates these links and rewrites them for either URL style, so they never depend on
  `use_directory_urls`. `link(from_src, to_src)` makes one relative.
- *URLs* (`topics/cnn/#max-pooling`, or `topics/cnn.html#max-pooling` without directory URLs): what
  scripts, the manifest, redirect pages and exports publish, relative to the site root.

A large topic is split into pages of at most `page_size` questions: `topics/<slug>/`,
`topics/<slug>--2/`, … ('--' never occurs in a topic slug). `paginate()` decides the pages once and
sets each question's `page`; every URL of a question is then derived from that.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from .model import Question, Topic

DEFAULT_PAGE_SIZE = 100
TOPICS_DIR = "topics"
TOPICS_INDEX = "topics/index.md"
STUDY_PLAN = "study-plan.md"
NOTEBOOKS_INDEX = "notebooks/index.md"
ERRATA = "errata.md"
MANIFEST = "questions.json"
PERMALINK_DIR = "q"
NOTEBOOKS_DIR = "notebooks"
DOWNLOADS_DIR = "downloads"
NOTEBOOK_IMAGES = "notebooks/img"
ANKI_FILE = "downloads/pytorch-interview.apkg"
CSV_FILE = "downloads/pytorch-interview-questions.csv"
# A question ID, alias or topic slug: lower-case words joined by '-' (it is part of a URL; '--' never occurs).
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# -- source paths (markdown links; the same for both URL styles) ------------------------------------
def topic_src(slug: str) -> str:
    """The generated markdown page of a topic, or of one part of a split topic."""
    return f"{TOPICS_DIR}/{slug}.md"


def permalink_src(qid: str) -> str:
    """The redirect page that keeps `q/<id>/` landing on the question wherever it lives."""
    return f"{PERMALINK_DIR}/{qid}/index.html"


def notebook_src(name: str) -> str:
    return f"{NOTEBOOKS_DIR}/{name}"


def download_src(name: str) -> str:
    return f"{DOWNLOADS_DIR}/{name}"


def notebook_image_src(name: str) -> str:
    return f"{NOTEBOOK_IMAGES}/{name}"


def page_slug(q: Question) -> str:
    """The slug of the topic page the question is on (its topic's, unless the topic is split)."""
    return q.page or q.topic


def question_src(q: Question) -> str:
    """Source path + anchor of a question on its topic page."""
    return f"{topic_src(page_slug(q))}#{q.id}"


def link(from_src: str, to_src: str) -> str:
    """A relative link from the page generated at from_src to to_src (either may carry an #anchor)."""
    path, _, anchor = to_src.partition("#")
    rel = posixpath.relpath(path, posixpath.dirname(from_src) or ".")
    if path.endswith("/"):  # a folder (e.g. a prefix for file names) stays one
        rel += "/"
    return f"{rel}#{anchor}" if anchor else rel


def permalink_link(from_src: str, qid: str) -> str:
    return link(from_src, permalink_src(qid))


# -- pagination ---------------------------------------------------------------------------------------
def split_topic(topic: Topic, size: int) -> list[Topic]:
    """The topic's pages: itself when it fits, else parts `<slug>`, `<slug>--2`, …, each question's
    `page` set to the part it is on."""
    chunks = [topic.questions[i : i + size] for i in range(0, len(topic.questions), size)] or [[]]
    if len(chunks) == 1:
        for q in topic.questions:
            q.page = ""
        return [topic]
    parts = []
    for n, chunk in enumerate(chunks, start=1):
        slug = topic.slug if n == 1 else f"{topic.slug}--{n}"
        parts.append(Topic(slug, f"{topic.title} ({n} of {len(chunks)})", topic.description, chunk))
        for q in chunk:
            q.page = slug
    return parts


# -- URLs (published in data, scripts, redirects and exports) -----------------------------------------
@dataclass(frozen=True)
class Urls:
    """URLs relative to the site root, for one URL style (`use_directory_urls`) and page size."""

    directory_urls: bool = True
    page_size: int = DEFAULT_PAGE_SIZE

    def paginate(self, topics: list[Topic]) -> dict[str, list[Topic]]:
        """Topic slug → its pages; sets every question's `page`. Call before asking for question URLs."""
        return {t.slug: split_topic(t, self.page_size) for t in topics}

    def page_url(self, src: str) -> str:
        """The URL MkDocs gives the file generated at src (`topics/cnn.md` → `topics/cnn/`), as
        `File.url` does: pages become `<stem>/` (or `<stem>.html`), `index.html` becomes its folder."""
        path, _, anchor = src.partition("#")
        if path.endswith(".md"):
            stem = path.removesuffix(".md")
            if posixpath.basename(stem) in ("index", "README"):
                path = posixpath.join(posixpath.dirname(stem), "index.html")
            else:
                path = f"{stem}/index.html" if self.directory_urls else f"{stem}.html"
        if self.directory_urls and posixpath.basename(path) == "index.html":
            path = (posixpath.dirname(path) or ".") + "/"
        return f"{path}#{anchor}" if anchor else path

    def topic_url(self, slug: str) -> str:
        return self.page_url(topic_src(slug))

    def question_url(self, q: Question) -> str:
        """The question's anchor on the topic page that holds it."""
        return self.page_url(question_src(q))

    def permalink_url(self, qid: str) -> str:
        return self.page_url(permalink_src(qid))

    def notebook_url(self, name: str) -> str:
        """A notebook rendered as a page by mkdocs-jupyter (`notebooks/cnn.ipynb` → `notebooks/cnn/`)."""
        return self.page_url(notebook_src(name).removesuffix(".ipynb") + ".md")

    @staticmethod
    def relative(from_url: str, to_url: str) -> str:
        """A link written into the HTML of the page at from_url (HTML links are not rewritten by MkDocs)."""
        base = from_url.partition("#")[0]
        base = base.rstrip("/") if base.endswith("/") else posixpath.dirname(base)
        path, _, anchor = to_url.partition("#")
        rel = posixpath.relpath(path.rstrip("/") or ".", base or ".")
        if path.endswith("/") or rel == ".":
            rel = "./" if rel == "." else rel + "/"
        return f"{rel}#{anchor}" if anchor else rel

    def permalink_target(self, q: Question) -> str:
        """Where the permalink page of q (or of one of its aliases) sends the reader, relative to it."""
        return self.relative(self.permalink_url(q.id), self.question_url(q))

    @staticmethod
    def absolute(site_url: str, url: str) -> str:
        return f"{site_url.rstrip('/')}/{url}"
