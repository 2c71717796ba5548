"""WCAG 2.2 AA in both colour schemes, measured with axe-core, plus what axe cannot judge: the reading
order of a question card, the skip link, alt text that says something, and a visible focus ring."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"


def page_types(site) -> dict[str, str]:
    """One page of every kind the site has: name → path (the permalink lands on its topic page)."""
    first = site.questions[0]
    return {
        "home": "",
        "topics index": "topics/",
        "topic": "topics/cnn/",
        "permalink landing": first["permalink"],
        "study plan": "study-plan/",
        "review": "review/",
        "quiz": "quiz/",
        "errata": "errata/",
        "notebook": "notebooks/cnn/",
        "404": "no/such/page/",
    }


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_axe_violations(browser, site, axe, scheme):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme=scheme)
    page = ctx.new_page()
    found = {}
    try:
        for name, path in page_types(site).items():
            page.goto(site.url(path), wait_until="networkidle")
            if name == "review":  # the card with its answer and rating bar shown
                page.locator(".rv-reveal").click()
            page.wait_for_function("() => document.body.dataset.mdColorScheme !== undefined")
            expected = "slate" if scheme == "dark" else "default"
            assert page.evaluate("() => document.body.dataset.mdColorScheme") == expected, name
            results = axe.run(page, options=AXE_OPTIONS).response
            bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
            if bad:
                found[name] = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in bad]
    finally:
        ctx.close()
    assert not found, f"{scheme}: {found}"


def test_interview_answer_comes_first_and_is_not_smaller_than_body_text(page, site):
    page.goto(site.url("topics/cnn/"), wait_until="networkidle")
    cards = page.eval_on_selector_all(
        ".qa-answer",
        """cards => cards.filter(c => c.querySelector('.qa-summary')).map(c => {
            const first = c.firstElementChild;
            const summary = c.querySelector('.qa-summary > p:not(.qa-summary__label)');
            const body = c.querySelector(':scope > p:not(.qa-meta)') || document.querySelector('article > p');
            const sources = c.querySelector('details.qa-sources');
            return {
              id: c.dataset.qid,
              first: first.className,
              summaryPx: parseFloat(getComputedStyle(summary).fontSize),
              bodyPx: parseFloat(getComputedStyle(body).fontSize),
              sourcesOpen: sources ? sources.open : false,
              sourcesLast: sources ? !sources.nextElementSibling || sources.nextElementSibling.classList.contains('qa-meta') : true,
              lineNumbers: /line \\d+/.test(c.textContent),
            };
        })""",
    )
    assert len(cards) > 5
    for card in cards:
        assert card["first"] == "qa-summary", card
        assert card["summaryPx"] >= card["bodyPx"], card
        assert not card["sourcesOpen"] and card["sourcesLast"], card  # quiet, collapsed, at the end
        assert not card["lineNumbers"], card  # provenance lives in questions.json
    # a corrected question says so in one line, which opens to the source's words and the fix
    corrected = page.locator("details.qa-sources > summary", has_text="Corrected — the source said").first
    assert corrected.count()
    # no tag chip repeating the page title
    assert page.locator(".md-tags, .md-tag").count() == 0


def test_skip_link_goes_to_the_first_question(page, site):
    page.goto(site.url("topics/cnn/"), wait_until="networkidle")
    first_question = page.locator("article h2.qa-q").first.get_attribute("id")
    page.keyboard.press("Tab")
    skip = page.locator(".md-skip")
    assert skip.evaluate("a => a === document.activeElement")
    assert skip.is_visible()  # it appears when focused
    assert skip.get_attribute("href").endswith("#" + first_question)


def test_every_image_has_meaningful_alt_text(page, site):
    checked = 0
    for path in site.topic_pages() + ["notebooks/cnn/", "notebooks/training/", "notebooks/activations/"]:
        page.goto(site.url(path), wait_until="domcontentloaded")
        for alt in page.eval_on_selector_all("article img", "imgs => imgs.map(i => i.getAttribute('alt'))"):
            checked += 1
            assert alt and alt.strip() and alt != NBCONVERT_DEFAULT_ALT, f"{path}: alt={alt!r}"
            assert alt.startswith("Plot: ") and len(alt) > 15, f"{path}: alt={alt!r}"
    assert checked >= 5


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_focus_is_visible(browser, site, scheme):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme=scheme)
    page = ctx.new_page()
    page.goto(site.url("topics/cnn/"), wait_until="networkidle")
    checked = []
    for _ in range(150):  # tab into the article; check the ring on the first controls met there
        page.keyboard.press("Tab")
        ring = page.evaluate(
            """() => { const e = document.activeElement; if (!e.closest('article')) return null;
                       const s = getComputedStyle(e);
                       return [e.tagName, e.className, s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
        )
        if ring:
            checked.append(ring)
            assert ring[2] != "none" and ring[3] >= 1.5, ring
            if len(checked) == 6:
                break
    ctx.close()
    assert len(checked) == 6, checked


TARGETS = (
    ".study-start__go, .study-toolbar button, .qa-reveal, .rv-btn, .rv-rate button, .plan-overall button, "
    ".study-plan .task-list-indicator, .study-plan-nav a, .rv-field select"
)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_study_controls_are_at_least_24px(browser, site, viewport):
    """WCAG 2.2 target size (2.5.8): every control the study features draw is 24 × 24 px or more (the
    plan's boxes are measured where Material draws them, the indicator's ::before)."""
    from .conftest import STUDY_VIEWPORTS

    ctx = browser.new_context(**STUDY_VIEWPORTS[viewport])
    page = ctx.new_page()
    small = {}
    for path in ["", "topics/cnn/", "study-plan/", "review/", "quiz/"]:
        page.goto(site.url(path), wait_until="networkidle")
        if path == "topics/cnn/":
            page.locator(".study-toolbar__toggle").click()
            page.locator(".qa-reveal").first.click()
        if path == "review/":
            page.locator(".rv-reveal").click()
        sizes = page.eval_on_selector_all(
            TARGETS,
            """els => els.filter(e => e.offsetParent !== null).map(e => {
                 const s = e.classList.contains('task-list-indicator') ? getComputedStyle(e, '::before') : null;
                 const r = e.getBoundingClientRect();
                 const w = s ? parseFloat(s.width) : r.width, h = s ? parseFloat(s.height) : r.height;
                 return [e.className || e.tagName, w, h];
               })""",
        )
        assert sizes, path
        bad = [x for x in sizes if x[1] < 24 or x[2] < 23.5]
        if bad:
            small[path] = bad[:5]
    ctx.close()
    assert not small, small
