"""Screenshots for a human to look at (topic page, study plan, search), and no sideways scroll on a phone."""
from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE, VIEWPORTS
from .ui import search


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_screenshots(browser, site, shots_dir, width, scheme):
    ctx = browser.new_context(viewport=VIEWPORTS[width], color_scheme=scheme)
    page = ctx.new_page()
    name = f"{width}-{scheme}"
    topic = site.topic_pages()[0]

    page.goto(site.url(topic), wait_until="networkidle")
    page.screenshot(path=shots_dir / f"{name}-topic.png")
    # a question with a demo, opened, in self-test mode with that answer revealed
    page.locator(".study-toolbar__toggle").click()
    demo_answer = page.locator(".qa-answer:has(details.qa-demo)").first
    if demo_answer.count():
        qid = demo_answer.get_attribute("data-qid")
        page.locator(f"button.qa-reveal[aria-controls='{demo_answer.get_attribute('id')}']").click()
        demo_answer.locator("details.qa-demo > summary").click()
        page.locator(f"#{qid}").scroll_into_view_if_needed()
        page.evaluate("() => window.scrollBy(0, -60)")
    page.screenshot(path=shots_dir / f"{name}-topic-selftest.png")
    page.locator(".study-toolbar__toggle").click()

    page.goto(site.url("study-plan/"), wait_until="networkidle")
    page.screenshot(path=shots_dir / f"{name}-study-plan.png")

    search(page, "max pooling")
    page.screenshot(path=shots_dir / f"{name}-search.png")

    page.goto(site.url("no/such/page/"), wait_until="networkidle")
    page.screenshot(path=shots_dir / f"{name}-404.png")
    ctx.close()


def test_no_horizontal_page_scroll_on_a_phone(browser, site):
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    too_wide = {}
    for path in site.topic_pages() + ["", "study-plan/"]:
        page.goto(site.url(path), wait_until="networkidle")
        for demo in page.locator("details.qa-demo").all():  # open demos must fit too
            demo.evaluate("d => d.open = true")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    ctx.close()
    assert not too_wide, f"pages wider than {PHONE['width']}px: {too_wide}"
