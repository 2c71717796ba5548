"""Helpers that drive the site's UI the way a reader does (search box, task-list checkboxes)."""

from __future__ import annotations

import urllib.parse

# query → (expected id, its rank among question results, the id ranked first); printed at the end
SEARCH_RANKS: dict[str, tuple[str, int | None, str | None]] = {}


def search(page, query: str) -> list[str]:
    """Type a query into Material's search box; the hrefs of the result links, in display order."""
    box = page.locator(".md-search__input")
    if not box.is_visible():  # phone layout: the box sits behind the header's search button
        page.locator("label.md-header__button[for=__search]").click()
    box.fill("")
    box.dispatch_event("keyup")  # an emptied box clears the results: no stale list is read below
    page.wait_for_function("() => !document.querySelector('.md-search-result__item')")
    box.press_sequentially(query, delay=15)
    page.wait_for_function(
        "() => document.querySelector('.md-search-result__item')"
        " || /no matching/i.test(document.querySelector('.md-search-result__meta').textContent)"
    )
    read = ".md-search-result__list a.md-search-result__link"
    hrefs = page.eval_on_selector_all(read, "links => links.map(a => a.href)")
    while True:  # results can re-render once more as the last keystrokes land
        page.wait_for_timeout(200)
        again = page.eval_on_selector_all(read, "links => links.map(a => a.href)")
        if again == hrefs:
            return hrefs
        hrefs = again


def question_rank(hrefs: list[str], qid: str) -> tuple[int | None, list[str]]:
    """1-based rank of the question among results that point at a section (href with a #fragment).

    Material shows each page as a group: the page itself first (no fragment), then its matching
    sections. The page entry is a group header, so only anchored entries are ranked.
    """
    anchors = [urllib.parse.urlsplit(h).fragment for h in hrefs if urllib.parse.urlsplit(h).fragment]
    return (anchors.index(qid) + 1 if qid in anchors else None), anchors


def click_task_box(page, index: int) -> None:
    """Click the drawn box of the index-th task-list checkbox with the real mouse.

    The <input> itself is invisible (Material draws the box with ::before on the indicator), so
    click where the box is drawn, as a reader would.
    """
    x, y = page.evaluate(
        """i => {
            const ind = document.querySelectorAll('.study-plan .task-list-indicator')[i];
            ind.scrollIntoView({block: 'center'});
            const box = getComputedStyle(ind, '::before'), r = ind.getBoundingClientRect();
            return [r.left + parseFloat(box.left) + parseFloat(box.width) / 2,
                    r.top + parseFloat(box.top) + parseFloat(box.height) / 2];
        }""",
        index,
    )
    page.mouse.click(x, y)


def settles(page, expression: str, arg=None, timeout: float = 30_000) -> bool:
    """Whether the page reaches the state `expression` tests (a JS function of arg), waiting for it: on a
    loaded machine the scroll to an anchor or a reveal lands late, so a fixed pause then a check is flaky.
    The timeout is a hang guard, not a speed limit."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(expression, arg=arg, timeout=timeout)
    except PlaywrightTimeout:
        return False
    return True
