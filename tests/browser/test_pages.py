"""Permalinks land on their question; every page loads cleanly and asks nothing of any other origin;
pages are light, demos focused, nothing is a placeholder, a topic prints as a cheat sheet."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from .ui import settles


def in_view(page, qid: str) -> bool:
    """The question's heading in the window, once the scroll to it has landed (waited for, not paused)."""
    return settles(
        page,
        """id => { const r = document.getElementById(id).getBoundingClientRect();
                   return r.top >= 0 && r.top < innerHeight && r.bottom > 0; }""",
        qid,
    )


def test_every_permalink_redirects_to_its_question(page, site):
    assert site.questions
    for q in site.questions:
        page.goto(site.url(q["permalink"]), wait_until="commit")
        page.wait_for_url(re.compile(re.escape("#" + q["id"]) + "$"), wait_until="commit")
        assert page.url == site.url(q["url"].split("#")[0]) + "#" + q["id"], f"{q['permalink']} → {page.url}"


def test_permalink_scrolls_the_question_into_view(page, site):
    """The last question of each topic (the deepest anchor) and the first, after the page fully loads."""
    by_topic: dict[str, list[dict]] = {}
    for q in site.questions:
        by_topic.setdefault(q["url"].split("#")[0], []).append(q)
    picks = [qs[-1] for qs in by_topic.values()] + [qs[0] for qs in by_topic.values()]
    for q in picks:
        page.goto(site.url(q["permalink"]))
        page.wait_for_url(re.compile(re.escape("#" + q["id"]) + "$"), wait_until="load")
        assert in_view(page, q["id"]), f"{q['permalink']}: #{q['id']} is not in view"
    assert not page.watch.page_errors


def pages_to_visit(site) -> list[str]:
    """Home, study plan, every topic page in the manifest, every other page in the sitemap."""
    paths = {"", "study-plan/"} | set(site.topic_pages())
    sitemap = (site.dir / "sitemap.xml").read_text(encoding="utf-8")
    for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap):
        path = urllib.parse.urlsplit(loc).path
        prefix = urllib.parse.urlsplit(site.base).path
        paths.add(path[len(prefix) :] if path.startswith(prefix) else path.lstrip("/"))
    return sorted(paths)


def test_no_console_errors_and_no_third_party_requests(page, site):
    visited = []
    for path in pages_to_visit(site):
        response = page.goto(site.url(path), wait_until="networkidle")
        assert response.status == 200, f"{path}: HTTP {response.status}"
        visited.append(path)
    # the 404 page, requested at a depth where relative asset links would break
    missing = site.url("topics/no-such-topic/deeper/")
    response = page.goto(missing, wait_until="networkidle")
    assert response.status == 404
    assert page.locator(".study-404").is_visible()
    for link in page.locator(".study-404 ul a").all():  # Home / Topics / Study plan resolve
        href = link.evaluate("a => a.href")
        assert page.request.get(href).status == 200, href

    w = page.watch
    errors = [
        e
        for e in w.console_errors
        # the 404 page's own status is reported as a console error; nothing else may be
        if not (e.startswith("Failed to load resource") and e.endswith("@ " + missing))
    ]
    assert not errors, errors
    assert not w.page_errors, w.page_errors
    foreign = sorted(
        {u for u in w.requests if not u.startswith(site.origin + "/") and not u.startswith(("data:", "blob:"))}
    )
    assert not foreign, f"third-party requests: {foreign}"
    stylesheet = [u for u in w.requests if u.endswith("/assets/stylesheets/study.css")]
    assert stylesheet and len(visited) > 3


def test_404_offers_a_search_for_the_missing_words(page, site):
    page.goto(site.url("q/max-pooling-typo/"), wait_until="networkidle")
    button = page.get_by_role("button", name=re.compile("Search for .max pooling typo."))
    button.click()
    page.wait_for_selector(".md-search-result__item")
    assert page.locator(".md-search__input").input_value() == "max pooling typo"


@pytest.mark.parametrize("depth", ["", "a/", "a/b/c/"])
def test_404_styles_load_at_any_depth(page, site, depth):
    page.goto(site.url(depth + "missing-page/"), wait_until="networkidle")
    # study.css loaded: the 404 search row is a flex box
    assert page.locator(".study-404__search").evaluate("e => getComputedStyle(e).display") == "flex"


# --- weight, demos, placeholders, print, maths (issue 12) -------------------------------------------

TOPIC_PAGE_LIMIT = 150 * 1024
NOTEBOOK_PAGE_LIMIT = 250 * 1024


def test_pages_are_light(site):
    topics = {p: (site.dir / p / "index.html").stat().st_size for p in site.topic_pages()}
    assert max(topics.values()) <= TOPIC_PAGE_LIMIT, topics
    notebooks = sorted((site.dir / "notebooks").glob("*/index.html"))
    assert len(notebooks) >= 5
    for page in notebooks:
        html = page.read_text(encoding="utf-8")
        assert len(html.encode()) <= NOTEBOOK_PAGE_LIMIT, (page, len(html.encode()))
        # Jupyter's CSS is one shared file, plots are files: nothing inlined page after page
        assert "<style" not in html and "data:image/png;base64" not in html, page
        assert "assets/stylesheets/jupyter.css" in html, page
    assert (site.dir / "assets" / "stylesheets" / "jupyter.css").stat().st_size > 100_000


def test_each_demo_cell_belongs_to_one_question_and_demos_are_titled(site):
    import nbformat

    from .test_offline import REPO

    owner: dict[tuple[str, int], str] = {}
    for q in site.questions:
        for demo in q["demos"]:
            for cell in demo["cells"]:
                key = (demo["notebook"], cell)
                assert key not in owner, f"{key} is shown under {owner[key]} and {q['id']}"
                owner[key] = q["id"]
    assert len({qid for qid in owner.values()}) >= 40
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        first_cell: dict[str, str] = {}
        for cell in nb.cells:
            tags = [t for t in cell.metadata.get("tags", []) if t.startswith("q:")]
            assert len(tags) <= 1, f"{path.name}: a cell is tagged {tags}"
            if tags:
                first_cell.setdefault(tags[0], cell.cell_type)
        untitled = [t for t, kind in first_cell.items() if kind != "markdown"]
        assert not untitled, f"{path.name}: demos without a title cell: {untitled}"


def test_demos_show_code_and_output_cell_by_cell_under_their_own_titles(page, site):
    page.goto(site.url("topics/cnn/"), wait_until="domcontentloaded")
    titles = page.eval_on_selector_all("details.qa-demo > summary", "s => s.map(e => e.textContent.trim())")
    assert len(titles) >= 10 and len(set(titles)) == len(titles), titles
    assert not any("runs at build time" in t for t in titles)
    assert page.locator("details.qa-demo .tabbed-set").count() == 0  # no Code / Output tabs
    # inside a demo, each code block is followed by its output
    order = page.eval_on_selector_all(
        "details.qa-demo",
        "ds => ds.map(d => [...d.querySelectorAll('.highlight')].map(h => h.classList.contains('qa-output') ? 'out' : 'code'))",
    )
    assert all(o and o[0] == "code" for o in order), order
    assert any(o.count("code") >= 1 and "out" in o and o.index("out") > o.index("code") for o in order)


def test_no_placeholders(site):
    home = (site.dir / "index.html").read_text(encoding="utf-8")
    assert "github.com/example" not in home and "md-source" not in home  # no REPO_URL: no repo link
    nav = re.findall(r'class="md-nav__link[^"]*"[^>]*>\s*<span class="md-ellipsis">\s*([^<]+?)\s*</span>', home)
    for bad in ("Cnn", "Rnn", "Ml fundamentals"):
        assert bad not in nav, nav
    assert "Convolutional neural networks" in nav and "Convolutions" in nav
    assert 'title="Link to this question"' not in (site.dir / "errata" / "index.html").read_text(encoding="utf-8")


def test_without_site_url_or_repo_url_nothing_points_at_a_local_address(monkeypatch):
    from mkdocs.config import load_config

    from .test_offline import REPO

    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("REPO_URL", raising=False)
    for name in ("mkdocs.yml", "mkdocs-offline.yml"):
        config = load_config(str(REPO / name))
        assert not config["site_url"] and not config["repo_url"], name


def test_topic_prints_as_a_cheat_sheet(page, site):
    page.goto(site.url("topics/cnn/"), wait_until="networkidle")
    page.emulate_media(media="print")
    shown = page.evaluate(
        """() => { const vis = e => !!e && e.getClientRects().length > 0;
            const card = document.querySelector('.qa-answer');
            return { question: vis(document.querySelector('h2.qa-q')), summary: vis(card.querySelector('.qa-summary')),
                     fullAnswer: [...card.children].some(c => !c.classList.contains('qa-summary') && vis(c)),
                     demo: [...document.querySelectorAll('details.qa-demo')].some(vis),
                     sources: [...document.querySelectorAll('details.qa-sources')].some(vis),
                     header: vis(document.querySelector('.md-header')), toolbar: vis(document.querySelector('.study-toolbar')) }; }"""
    )
    page.emulate_media(media="screen")
    assert shown == {
        "question": True,
        "summary": True,
        "fullAnswer": False,
        "demo": False,
        "sources": False,
        "header": False,
        "toolbar": False,
    }, shown


def test_formulas_are_rendered_with_the_sites_own_katex(page, site):
    page.goto(site.url("topics/cnn/"), wait_until="networkidle")
    page.wait_for_selector(".arithmatex .katex")
    assert page.locator(".arithmatex .katex").count() >= 3
    assert not page.locator(".arithmatex:not([data-math-done])").count()
    assert (site.dir / "assets" / "vendor" / "katex" / "LICENSE").exists()
    assert re.fullmatch(r"\d+\.\d+\.\d+\n", (site.dir / "assets" / "vendor" / "katex" / "VERSION").read_text())
