"""Screenshots of home, a topic, review and the plan for a person to look at (both viewports, both
schemes; the folder is printed at the start of the run), each checked for what a screenshot shows: the
scheme really applied, the page's first action on the first screen, nothing pushing the page sideways,
and text that is not blank."""

from __future__ import annotations

import struct
import zlib

import pytest

from .conftest import PHONE, STUDY_VIEWPORTS
from .ui import search

# page → (path, the element a reader must see on the first screen)
SHOTS = {
    "home": ("", ".study-start__go"),
    "topic": ("topics/autograd/", ".qa-toc"),
    "review": ("review/", ".rv-stage .rv-rate"),
    "plan": ("study-plan/", ".plan-overall"),
}


def luminance(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def distinct_rows(png: bytes) -> int:
    """How many different pixel rows a PNG has (a blank or single-colour shot has 1)."""
    width, height = struct.unpack(">II", png[16:24])
    data, pos = b"", 8
    while pos < len(png):
        length = struct.unpack(">I", png[pos : pos + 4])[0]
        if png[pos + 4 : pos + 8] == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(data)
    stride = len(raw) // height
    return len({raw[i * stride + 1 : (i + 1) * stride] for i in range(height)})


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", list(STUDY_VIEWPORTS))
def test_screenshots(browser, site, shots_dir, width, scheme):
    ctx = browser.new_context(color_scheme=scheme, **STUDY_VIEWPORTS[width])
    page = ctx.new_page()
    view = STUDY_VIEWPORTS[width]["viewport"]
    try:
        for name, (path, first_screen) in SHOTS.items():
            page.goto(site.url(path), wait_until="networkidle")
            if name == "review":
                page.locator(".rv-reveal").click()
            png = page.screenshot(path=shots_dir / f"{width}-{scheme}-{name}.png")
            background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            assert (luminance(background) < 0.25) == (scheme == "dark"), (name, background)
            box = page.locator(first_screen).first.bounding_box()
            assert box and box["y"] >= 0 and box["y"] + min(box["height"], 80) <= view["height"], (name, box)
            assert page.evaluate("() => document.documentElement.scrollWidth") <= view["width"], name
            assert distinct_rows(png) > 40, f"{name}: the screenshot is nearly blank"
        search(page, "max pooling")
        png = page.screenshot(path=shots_dir / f"{width}-{scheme}-search.png")
        assert page.locator(".md-search-result__item").count() > 0
        page.goto(site.url("no/such/page/"), wait_until="networkidle")
        page.screenshot(path=shots_dir / f"{width}-{scheme}-404.png")
        assert page.locator(".study-404__guess button").is_visible()
    finally:
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
