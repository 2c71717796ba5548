"""Search index: one Pagefind record per question, written into the built site after MkDocs.

Material's search fetches one search_index.json on every page and builds a lunr index in the browser
(seconds and megabytes at 10,000 questions). Pagefind writes a chunked index: a query fetches only the
chunks of its words and the fragments of the results it shows. Records come from the Question records,
never from re-parsed pages: the title (weighted highest), the interview answer (the preview, as rendered
text: no markdown, no LaTeX source), the full answer, and the glossary's other wordings of the terms the
question holds (sources/glossary.yaml, plus the search-only sources/search.yaml), so "OOM" finds
"out of memory". docs/assets/javascripts/search-rank.js puts it behind Material's own search box.
"""

from __future__ import annotations


import html
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from .model import Question, Topic
from .urls import Urls

OUTPUT = "pagefind"  # folder in the built site
TITLE_WEIGHT = 10.0  # Pagefind's maximum: a title hit outranks any number of body mentions
SUMMARY_WEIGHT = 2.0
BODY_WEIGHT = 1.0
SYNONYM_WEIGHT = 0.5
BODY_CHARS = 4000  # text kept per answer: the index stays linear in questions, fragments stay small
PREVIEW_CHARS = 300


@dataclass(frozen=True)
class SearchRecord:
    url: str  # site-relative: topics/cnn/#max-pooling
    page_url: str  # topics/cnn/
    page_title: str
    title: str
    title_terms: str  # the title's identifier parts and synonyms, weighted as the title
    preview: str  # the interview answer (else the answer's start) as plain text
    body: str
    synonyms: str = ""


@dataclass(frozen=True)
class IndexStats:
    records: int
    seconds: float
    bytes: int


# -- text ------------------------------------------------------------------------------------------

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(?!\s)([^$\n]+?)(?<!\s)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)
_md = MarkdownIt("commonmark").enable("table")


def _latex_converter():
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    db = get_default_latex_context_db().filter_context(keep_categories=None)
    db.add_context_category("study", prepend=True, macros=[MacroTextSpec("frac", simplify_repl="(%s)/(%s)")])
    return LatexNodes2Text(math_mode="text", latex_context=db)


_latex = None


def tex_text(tex: str) -> str:
    """A formula as readable Unicode text: \\frac{a}{b} → (a)/(b), \\sigma → σ."""
    global _latex
    if _latex is None:
        _latex = _latex_converter()
    try:
        return " ".join(_latex.latex_to_text(tex).split())
    except Exception:  # pylatexenc is lenient; anything it still refuses stays as written
        return tex


def markdown_text(md: str) -> str:
    """Trusted markdown (overlays) as the text a reader sees: formulas converted, markup dropped."""
    md = _MATH.sub(lambda m: tex_text(next(g for g in m.groups() if g is not None)), md)
    return html_text(_md.render(md))


def html_text(fragment: str) -> str:
    if not fragment.strip():
        return ""
    node = LexborHTMLParser(f"<body>{fragment}</body>").body
    return " ".join(node.text(separator=" ").split()) if node is not None else ""


def question_text(q: Question) -> str:
    if q.answer_md:
        return markdown_text(q.answer_md)
    parts = []
    for b in q.blocks:
        text = b.plain()
        parts.append(html_text(text) if b.fmt in ("md", "html") else text)
    return " ".join(" ".join(parts).split())


_DOTTED = re.compile(r"\b\w+(?:\.\w+)+")


def identifier_parts(text: str) -> str:
    """The dotted names' parts ("optimizer.zero_grad()" → "zero_grad"): Pagefind splits a dotted word
    into its parts and those again at "_", so "zero_grad" alone would not match it."""
    parts: dict[str, None] = {}
    for name in _DOTTED.findall(text):
        pieces = name.split(".")
        for i in range(1, len(pieces)):
            parts[".".join(pieces[i:])] = None
        for piece in pieces:
            if "_" in piece:
                parts[piece] = None
    return " ".join(parts)


def clip(text: str, n: int) -> str:
    if len(text) <= n:
        return text
    return text[: n - 1].rsplit(" ", 1)[0] + "…"


# -- synonyms --------------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


SYNONYM_FILES = ("sources/glossary.yaml", "sources/search.yaml")


def synonym_groups(root: Path, files: Iterable[str] = SYNONYM_FILES) -> list[list[str]]:
    """`synonyms:` of each file (canonical: [wordings]) as groups of lower-case wordings."""
    from . import yamlfile

    groups = []
    for rel in files:
        path = root / rel
        if not path.is_file():
            continue
        data = yamlfile.load(path, rel) or {}
        for canonical, wordings in (data.get("synonyms") or {}).items():
            group = [str(canonical).replace("_", " "), *(str(w) for w in wordings or [])]
            groups.append(sorted({" ".join(_WORD.findall(w.lower())) for w in group} - {""}))
    return groups


class Synonyms:
    """The other wordings of every glossary term a text holds (matched on whole words, linear in the text)."""

    def __init__(self, groups: Sequence[Sequence[str]]):
        self.groups = [list(g) for g in groups]
        self.by_wording: dict[tuple[str, ...], list[int]] = {}
        for n, group in enumerate(self.groups):
            for wording in group:
                self.by_wording.setdefault(tuple(wording.split()), []).append(n)
        self.longest = max((len(k) for k in self.by_wording), default=0)

    def expand(self, text: str) -> str:
        words = _WORD.findall(text.lower())
        found: set[int] = set()
        present: set[tuple[str, ...]] = set()
        for i in range(len(words)):
            for n in range(1, self.longest + 1):
                gram = tuple(words[i : i + n])
                if len(gram) == n and gram in self.by_wording:
                    found.update(self.by_wording[gram])
                    present.add(gram)
        extra = [w for g in sorted(found) for w in self.groups[g] if tuple(w.split()) not in present]
        return " ".join(dict.fromkeys(extra))


# -- records ---------------------------------------------------------------------------------------


def records(parts: dict[str, list[Topic]], *, site_urls: Urls, synonyms: Synonyms) -> list[SearchRecord]:
    """One record per published question, pointing at its anchor on the topic page it is on."""
    out = []
    for pages in parts.values():
        for page in pages:
            page_url = site_urls.topic_url(page.slug)
            for q in page.questions:
                body = clip(question_text(q), BODY_CHARS)
                summary = markdown_text(q.summary) if q.summary else ""
                out.append(
                    SearchRecord(
                        url=site_urls.question_url(q),
                        page_url=page_url,
                        page_title=page.title,
                        title=q.title,
                        title_terms=" ".join(filter(None, (identifier_parts(q.title), synonyms.expand(q.title)))),
                        preview=clip(summary or body, PREVIEW_CHARS),
                        body=body if summary else "",
                        synonyms=" ".join(
                            filter(None, (synonyms.expand(f"{q.title} {summary} {body}"), identifier_parts(body)))
                        ),
                    )
                )
    return out


def record_html(r: SearchRecord) -> str:
    e = html.escape
    fields = (
        ("url", r.url),
        ("preview", r.preview),
        ("page", r.page_url),
        ("page_title", r.page_title),
        ("terms", r.title_terms),
    )
    meta = "".join(f'<meta data-pagefind-meta="{k}[content]" content="{e(v)}">' for k, v in fields)
    body = f'<p data-pagefind-weight="{BODY_WEIGHT}">{e(r.body)}</p>' if r.body else ""
    syn = f'<p data-pagefind-weight="{SYNONYM_WEIGHT}">{e(r.synonyms)}</p>' if r.synonyms else ""
    terms = f'<p data-pagefind-weight="{TITLE_WEIGHT}">{e(r.title_terms)}</p>' if r.title_terms else ""
    return (
        f'<html lang="en"><head><title>{e(r.title)}</title>{meta}</head><body>'
        f'<h1 data-pagefind-weight="{TITLE_WEIGHT}" data-pagefind-meta="title">{e(r.title)}</h1>{terms}'
        f'<p data-pagefind-weight="{SUMMARY_WEIGHT}">{e(r.preview)}</p>{body}{syn}</body></html>'
    )


# -- writing ---------------------------------------------------------------------------------------


def _write(pages: Path, output: Path) -> None:
    """Pagefind's own CLI over the folder of records. Not its Python API: that answers WriteFiles before
    the files are written and then stops the process (kills it, or lets it exit): on a busy machine
    pagefind-entry.json came out empty and pagefind-worker.js cut short, and search failed."""
    from pagefind_bin import get_executable

    command = [str(get_executable()), "--site", str(pages), "--output-path", str(output), "--force-language", "en"]
    result = subprocess.run([*command, "--silent"], capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(f"pagefind failed ({result.returncode}): {(result.stdout + result.stderr)[-2000:]}")


def check_bundle(target: Path) -> None:
    """A Pagefind bundle every browser can load: its entry file is JSON naming a metadata file that exists."""
    try:
        entry = json.loads((target / "pagefind-entry.json").read_text(encoding="utf-8"))
        metas = [lang["hash"] for lang in entry["languages"].values()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise RuntimeError(f"{target}/pagefind-entry.json is incomplete ({e}): the search index was not written") from e
    missing = [h for h in metas if not list(target.glob(f"pagefind.{h}.pf_meta"))]
    if missing or not (target / "pagefind-worker.js").stat().st_size:
        raise RuntimeError(f"{target}: the search index was not written completely")


def write_index(site_dir: Path, recs: Sequence[SearchRecord]) -> IndexStats:
    """The Pagefind bundle in site_dir/pagefind/ (replaced whole), indexed from one small HTML file per
    record in a temporary folder (the result's real address is its `url` meta); Pagefind's own UI
    bundles are removed."""
    started = time.perf_counter()
    target = site_dir / OUTPUT
    shutil.rmtree(target, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="study-search-") as tmp:
        for n, r in enumerate(recs):
            Path(tmp, f"{n}.html").write_text(record_html(r), encoding="utf-8")
        _write(Path(tmp), target)
    check_bundle(target)
    for name in UNUSED:
        (target / name).unlink(missing_ok=True)
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return IndexStats(len(recs), time.perf_counter() - started, size)


# Pagefind's own UI bundles and the playground: the site keeps Material's search box.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
    "wasm.unknown.pagefind",
)


def publish(config, site, log) -> IndexStats | None:
    """on_post_build: index the build's questions into site_dir/pagefind/. Not for the offline copy:
    from file:// the browser may not fetch index chunks, so it keeps Material's bundled index."""
    if (
        any(name.split("/")[-1] == "offline" for name in config["plugins"])
        or site is None
        or not getattr(site, "parts", None)
    ):
        return None
    recs = records(site.parts, site_urls=site.urls, synonyms=Synonyms(synonym_groups(site.root)))
    stats = write_index(Path(config["site_dir"]), recs)
    log.info(
        f"search: {stats.records} questions indexed (Pagefind) in {stats.seconds:.2f} s, "
        f"{stats.bytes / 1024:.0f} KiB in {OUTPUT}/"
    )
    return stats
