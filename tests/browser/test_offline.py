"""The offline copy (mkdocs-offline.yml) opened straight from disk: search, self-test, nothing remote.

From file:// a page may not fetch index chunks, so the offline copy searches with Material's own worker
on its bundled index (search/search_index.js), re-ranked by search-rank.js; it has no Pagefind folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .ui import settles

REPO = Path(__file__).resolve().parents[2]
OFFLINE_INDEX_LIMIT = 1_000_000  # bytes: search/search_index.js of the site as it is (~250 KB)


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site-offline")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", "mkdocs-offline.yml", "-d", str(out)],
        cwd=REPO,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def test_offline_copy_searches_and_self_tests_without_the_network(browser, offline_site):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    remote, errors = [], []
    page.on("request", lambda r: r.url.startswith("file:") or r.url.startswith("data:") or remote.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))

    topic = sorted((offline_site / "topics").glob("*.html"))[-1]
    page.goto(topic.as_uri(), wait_until="load")
    # no Material shim from unpkg.com: ours (extra.polyfills) stands in for it
    html = topic.read_text(encoding="utf-8")
    assert "unpkg.com" not in html and "iframe-worker.js" in html
    # built without SITE_URL / REPO_URL: no canonical URL or sitemap entry naming a local address,
    # no repository link
    assert 'rel="canonical"' not in html and "md-source" not in html
    assert "<loc>" not in (offline_site / "sitemap.xml").read_text(encoding="utf-8")

    # the bundled index stays small: every question once, no demo output or notebook pages
    index = offline_site / "search" / "search_index.js"
    assert index.stat().st_size < OFFLINE_INDEX_LIMIT, index.stat().st_size
    assert not (offline_site / "pagefind").exists()
    page.locator(".md-search__input").click()
    page.keyboard.type("max pooling", delay=15)
    page.wait_for_function(
        "q => { const l = document.querySelector('.md-search-result__list'); return l && l.dataset.studyQuery === q; }",
        arg="max pooling",
    )
    anchors = page.eval_on_selector_all(
        ".md-search-result__list a.md-search-result__link",
        "ls => ls.map(a => new URL(a.href).hash.slice(1)).filter(Boolean)",
    )
    assert "max-pooling" in anchors[:3], anchors[:5]

    page.keyboard.press("Escape")
    page.locator(".study-toolbar__toggle").click()
    assert page.eval_on_selector_all(".qa-answer", "els => els.every(e => e.offsetParent === null)")
    # formulas are rendered from the copy's own KaTeX (script and fonts next to the pages)
    # (still in self-test mode: the answers, and so their formulas, are hidden — KaTeX is not fetched)
    page.goto((offline_site / "topics" / "cnn.html").as_uri(), wait_until="load")
    assert page.locator(".arithmatex").count() and not page.locator(".arithmatex .katex").count()
    assert not page.evaluate("() => !!window.katex")
    page.locator(".study-toolbar__toggle").click()  # answers shown: their formulas are rendered
    page.wait_for_selector(".arithmatex .katex", state="attached")
    ctx.close()
    assert not remote, f"requests off the file system: {remote}"
    assert not errors, errors


def test_offline_copy_reviews_and_moves_progress_without_the_network(browser, offline_site, tmp_path):
    """Rate on a topic page, review by keyboard, export, clear, import: all from file://, nothing remote."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    remote, errors = [], []
    page.on("request", lambda r: r.url.startswith(("file:", "data:", "blob:")) or remote.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto((offline_site / "topics" / "cnn.html").as_uri(), wait_until="load")
    page.locator(".study-toolbar__toggle").click()
    answer = page.locator(".qa-answer").first
    qid = answer.get_attribute("data-qid")
    page.locator(f"button.qa-reveal[aria-controls='{answer.get_attribute('id')}']").click()
    answer.locator("[data-rating=good]").click()

    page.goto((offline_site / "review" / "index.html").as_uri(), wait_until="load")
    page.wait_for_selector(".rv-reveal")  # the first card is on screen (its card chunk has loaded)
    page.keyboard.press("Space")
    page.wait_for_selector(".rv-rate [data-rating=hard]")
    page.keyboard.press("2")  # Hard, on the first new card
    settles(page, "() => Object.keys(studyReview.store().cards).length >= 2")  # the rating is saved
    cards = page.evaluate("() => studyReview.store().cards")
    assert qid in cards and len(cards) == 2
    with page.expect_download() as download:
        page.locator("[data-action=export]").click()
    saved = tmp_path / "progress.json"
    download.value.save_as(saved)
    page.evaluate("() => localStorage.clear()")
    page.reload(wait_until="load")
    assert page.evaluate("() => studyReview.store().cards") == {}
    page.locator("input[data-action=import]").set_input_files(saved)
    page.wait_for_function("() => /Imported/.test(document.querySelector('.rv-data .rv-message').textContent)")
    assert page.evaluate("() => studyReview.store().cards") == cards
    ctx.close()
    assert not remote, f"requests off the file system: {remote}"
    assert not errors, errors
