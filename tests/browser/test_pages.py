"""Permalinks land on their question; every page loads cleanly and asks nothing of any other origin."""
from __future__ import annotations

import re
import urllib.parse

import pytest


def in_view(page, qid: str) -> bool:
    return page.evaluate(
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
        page.wait_for_timeout(100)
        assert in_view(page, q["id"]), f"{q['permalink']}: #{q['id']} is not in view"
    assert not page.watch.page_errors


def pages_to_visit(site) -> list[str]:
    """Home, study plan, every topic page in the manifest, every other page in the sitemap."""
    paths = {"", "study-plan/"} | set(site.topic_pages())
    sitemap = (site.dir / "sitemap.xml").read_text(encoding="utf-8")
    for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap):
        path = urllib.parse.urlsplit(loc).path
        prefix = urllib.parse.urlsplit(site.base).path
        paths.add(path[len(prefix):] if path.startswith(prefix) else path.lstrip("/"))
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
    errors = [e for e in w.console_errors
              # the 404 page's own status is reported as a console error; nothing else may be
              if not (e.startswith("Failed to load resource") and e.endswith("@ " + missing))]
    assert not errors, errors
    assert not w.page_errors, w.page_errors
    foreign = sorted({u for u in w.requests
                      if not u.startswith(site.origin + "/") and not u.startswith(("data:", "blob:"))})
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
