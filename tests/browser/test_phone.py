"""At 390×844 (a current phone): nothing clipped, outputs keep their numbers whole, study actions are
easy to hit. Screenshots of a topic page, a notebook page and the study plan go to shots_dir."""

from __future__ import annotations

import pytest

PHONE_390 = {"width": 390, "height": 844}
PAGES = {"topic": "topics/cnn/", "notebook": "notebooks/cnn/", "study-plan": "study-plan/"}

# Every element of the article whose right edge passes its nearest clipping ancestor, unless that
# ancestor scrolls sideways (a table or code block that scrolls is fine: its edge shadow says so).
CLIPPED = """() => {
  const out = [];
  const article = document.querySelector('article');
  for (const el of article.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || getComputedStyle(el).visibility === 'hidden') continue;
    let box = el.parentElement;
    while (box && box !== article && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
    const limit = (box || article).getBoundingClientRect();
    if (limit.width <= 2) continue;  // a visually-hidden box for screen readers (KaTeX's MathML)
    if (r.right <= limit.right + 1 && r.left >= limit.left - 1) continue;
    const scrolls = box && box !== article && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
    if (!scrolls) out.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.left)}–${Math.round(r.right)} in ${Math.round(limit.left)}–${Math.round(limit.right)})`);
  }
  return out.slice(0, 10);
}"""


@pytest.fixture(scope="module", params=["light", "dark"])
def phone(request, browser):
    ctx = browser.new_context(viewport=PHONE_390, color_scheme=request.param, device_scale_factor=1)
    page = ctx.new_page()
    page.scheme = request.param
    yield page
    ctx.close()


@pytest.mark.parametrize("kind", list(PAGES))
def test_nothing_is_clipped_on_a_phone(phone, site, shots_dir, kind):
    phone.goto(site.url(PAGES[kind]), wait_until="networkidle")
    phone.screenshot(path=shots_dir / f"phone390-{phone.scheme}-{kind}.png")
    phone.evaluate("() => document.querySelectorAll('article details').forEach(d => d.open = true)")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE_390["width"]
    clipped = phone.evaluate(CLIPPED)
    assert not clipped, f"{kind}: clipped without a scroll container: {clipped}"
    if kind == "topic":  # a demo opened: code, then its output
        demo = phone.locator("details.qa-demo").nth(2)
        demo.scroll_into_view_if_needed()
        phone.screenshot(path=shots_dir / f"phone390-{phone.scheme}-{kind}-demo.png")


def test_outputs_never_wrap_inside_a_number(phone, site):
    phone.goto(site.url("topics/cnn/"), wait_until="networkidle")
    styles = phone.eval_on_selector_all(
        "details.qa-demo .qa-output code", "els => els.map(e => getComputedStyle(e).whiteSpace)"
    )
    assert styles and set(styles) == {"pre"}, set(styles)
    scrollers = phone.eval_on_selector_all(
        "details.qa-demo .qa-output code", "els => els.map(e => getComputedStyle(e).overflowX)"
    )
    assert set(scrollers) <= {"auto", "scroll"}
    phone.goto(site.url("notebooks/cnn/"), wait_until="networkidle")
    pre = phone.eval_on_selector_all(
        ".jp-OutputArea-output pre",
        "els => els.map(e => [getComputedStyle(e).whiteSpace, getComputedStyle(e).wordBreak])",
    )
    assert pre and all(ws == "pre" and wb == "normal" for ws, wb in pre), pre[:3]


def test_study_actions_are_44px_touch_targets(phone, site):
    phone.goto(site.url("topics/cnn/"), wait_until="networkidle")
    toggle = phone.locator(".study-toolbar__toggle")
    assert toggle.bounding_box()["height"] >= 44
    for sel in ("details.qa-sources > summary", "details.qa-demo > summary"):
        box = phone.locator(sel).first.bounding_box()
        assert box and box["height"] >= 44, (sel, box)
    toggle.click()
    try:
        for sel in (".qa-reveal", ".study-toolbar__bulk"):
            box = phone.locator(sel).first.bounding_box()
            assert box and box["height"] >= 44, (sel, box)
    finally:
        toggle.click()  # self-test off again (it is remembered in this browser profile)
    phone.goto(site.url("study-plan/"), wait_until="networkidle")
    assert phone.locator(".plan-overall__reset").bounding_box()["height"] >= 44


def test_plots_are_sharp_on_high_density_screens(site):
    """Plots are rendered at twice their display size (retina), so labels stay legible when zoomed."""
    import struct

    pngs = sorted((site.dir / "notebooks" / "img").glob("*.png"))
    assert pngs
    for png in pngs:
        width, height = struct.unpack(">II", png.read_bytes()[16:24])
        assert width >= 700, f"{png.name}: {width}×{height} px"
