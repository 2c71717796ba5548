"""The study flow as a candidate meets it, on a 1366×900 laptop and a 390×844 phone, light and dark: a way
in above the fold, the rating bar on screen after every reveal, honest progress (reset keeps review
history), the demo's code and real output under its question, code that fits, topic pages you can
navigate, and "back to Day N" from the plan."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from .conftest import STUDY_VIEWPORTS
from .ui import settles

SCHEMES = ["light", "dark"]
TOPIC = "autograd"  # long answers with demos: the hardest case for a rating bar


@pytest.fixture(params=[(v, s) for v in STUDY_VIEWPORTS for s in SCHEMES], ids=lambda p: f"{p[0]}-{p[1]}")
def reader(request, browser):
    viewport, scheme = request.param
    ctx = browser.new_context(color_scheme=scheme, **STUDY_VIEWPORTS[viewport])
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.kind, page.errors = viewport, errors
    yield page
    ctx.close()
    assert not errors, errors


def in_viewport(page, selector: str) -> dict:
    """Where the element is, against the window: every part of it must be inside."""
    return page.eval_on_selector(
        selector,
        """e => { const r = e.getBoundingClientRect();
                  return {top: r.top, bottom: r.bottom, height: r.height, inner: innerHeight,
                          inside: r.height > 0 && r.top >= 0 && r.bottom <= innerHeight + 0.5}; }""",
    )


def rate_buttons_fit(page, bar: str) -> None:
    where = in_viewport(page, bar)
    assert where["inside"], where
    heights = page.eval_on_selector_all(f"{bar} [data-rating]", "bs => bs.map(b => b.getBoundingClientRect().height)")
    assert len(heights) == 4
    # large targets on touch, WCAG 2.2's 24 px everywhere
    assert min(heights) >= (48 if page.kind == "phone" else 24), heights


# ------------------------------------------ a way in ------------------------------------------


def test_home_leads_with_one_call_to_action_above_the_fold(reader, site):
    page = reader
    page.goto(site.url(""), wait_until="networkidle")
    go = page.locator(".study-start__go")
    assert go.text_content().strip() == "Start day 1"
    assert go.get_attribute("href").split("?")[0].endswith(("study-plan/#day-1", "study-plan.html#day-1"))
    assert in_viewport(page, ".study-start__go")["inside"]
    assert page.locator("article .md-button--primary").count() == 1  # one primary action
    more = page.locator(".study-start__more a")
    assert [a.text_content() for a in more.all()] == ["Review", "Quiz", "Study plan"]

    # once there is progress, the action continues it: due and new cards for today, to Review
    page.evaluate("() => { localStorage.clear(); }")
    page.goto(site.url("review/"), wait_until="networkidle")
    page.locator(".rv-reveal").click()
    page.locator(".rv-rate [data-rating=again]").click()
    page.goto(site.url(""), wait_until="networkidle")
    text = go.text_content().strip()
    assert re.fullmatch(r"Continue: 1 due, 19 new today", text), text
    assert go.get_attribute("href").endswith(("review/", "review/index.html"))
    assert in_viewport(page, ".study-start__go")["inside"]
    go.click()
    page.wait_for_selector(".rv-stage")


def test_the_day_1_link_lands_on_day_1(reader, site):
    page = reader
    page.goto(site.url("study-plan/#day-1"), wait_until="networkidle")
    heading = page.locator("h2#day-1")
    assert heading.text_content().startswith("Day 1")
    settles(
        page,
        "() => { const r = document.getElementById('day-1').getBoundingClientRect(); "
        "return r.top >= 0 && r.bottom <= innerHeight; }",
    )  # the scroll to the anchor has landed
    assert in_viewport(page, "h2#day-1")["inside"]


def test_a_question_reached_from_the_plan_leads_back_and_on(browser, site):
    ctx = browser.new_context(**STUDY_VIEWPORTS["desktop"])
    page = ctx.new_page()
    script = (site.dir / "assets/javascripts/study-data.js").read_text(encoding="utf-8")
    data = json.loads(script.split("window.STUDY_DATA = ", 1)[1].rstrip().rstrip(";"))
    day2 = data["days"][1]
    first, second = day2["questions"][:2]
    page.goto(site.url("study-plan/"), wait_until="networkidle")
    page.locator(f".study-plan a[href*='/q/{first}/']").click()
    page.wait_for_url(re.compile(f"#{first}$"))
    nav = page.locator(".study-plan-nav")
    nav.wait_for()
    assert nav.locator(".study-plan-nav__back").text_content().strip() == "← Back to Day 2"
    assert nav.locator(".study-plan-nav__back").get_attribute("href").endswith("#day-2")
    nxt = nav.locator(".study-plan-nav__next")
    assert site.question(second)["title"] in nxt.text_content()
    nxt.click()
    page.wait_for_url(re.compile(f"#{second}$"))
    page.locator(f".study-plan-nav:near(#{second})").first.wait_for()
    # a question opened any other way has no plan bar
    page.goto(site.url(site.question(first)["permalink"]), wait_until="networkidle")
    page.evaluate("() => sessionStorage.clear()")
    page.reload(wait_until="networkidle")
    assert page.locator(".study-plan-nav").count() == 0
    ctx.close()


# ------------------------------------ rating on screen ------------------------------------


def test_rating_bar_is_on_screen_after_a_reveal_in_review(reader, site):
    page = reader
    page.goto(site.url("review/"), wait_until="networkidle")
    page.locator(".rv-reveal").click()
    rate_buttons_fit(page, ".rv-stage .rv-rate")
    # through the whole card: scrolled to the end of the answer, the bar is still there
    page.evaluate("() => document.querySelector('.rv-stage__a').lastElementChild.scrollIntoView()")
    rate_buttons_fit(page, ".rv-stage .rv-rate")


def test_rating_bar_is_on_screen_after_a_reveal_in_the_quiz(reader, site):
    page = reader
    page.goto(site.url("quiz/"), wait_until="networkidle")
    page.locator(".rv-quiz-start").click()
    assert not page.locator("[data-known]").is_visible()  # "Mark as known" only after the reveal
    page.locator(".rv-reveal").click()
    rate_buttons_fit(page, ".rv-stage .rv-rate")
    known = page.locator("[data-known]")
    assert known.is_visible()
    skip = page.locator("[data-move=next]")
    assert known.evaluate("(k, s) => !s.parentElement.contains(k)", skip.element_handle())  # apart from Skip


def test_rating_bar_is_on_screen_after_a_reveal_in_self_test(reader, site):
    page = reader
    page.goto(site.url(f"topics/{TOPIC}/"), wait_until="networkidle")
    page.locator(".study-toolbar__toggle").click()
    # the question with the longest answer on the page
    qid = page.evaluate(
        "() => [...document.querySelectorAll('.qa-answer[data-qid]')].map(a => [a.dataset.qid, a.innerText.length])"
        ".sort((a, b) => b[1] - a[1])[0][0]"
    )
    page.locator(f"#{qid}").scroll_into_view_if_needed()
    page.locator(
        f".qa-reveal[aria-controls='{page.locator(f'.qa-answer[data-qid={qid}]').get_attribute('id')}']"
    ).click()
    bar = f".qa-answer[data-qid='{qid}'] .rv-rate-slot"
    rate_buttons_fit(page, bar)
    page.mouse.wheel(0, 600)
    page.wait_for_function(f'() => document.querySelector("{bar}").getBoundingClientRect().bottom <= innerHeight')
    rate_buttons_fit(page, bar)


def test_no_keyboard_copy_on_touch_devices(browser, site):
    for kind in STUDY_VIEWPORTS:
        ctx = browser.new_context(**STUDY_VIEWPORTS[kind])
        page = ctx.new_page()
        page.goto(site.url("review/"), wait_until="networkidle")
        page.locator(".rv-reveal").click()
        stage = page.locator(".rv-stage").inner_text()
        help_shown = page.locator(".rv-keys-help").is_visible()
        if kind == "phone":
            assert page.locator(".rv-key").count() == 0 and not help_shown
            assert not re.search(r"\bSpace\b|\(J\)|\(K\)", stage), stage
        else:  # a keyboard: the hints are there
            assert page.locator(".rv-key").count() >= 6 and help_shown
        ctx.close()


# ------------------------------------- honest progress -------------------------------------


def rate_the_first_review_card(page, site, rating: str) -> str:
    """Rate the review page's first card as a reader does (reveal, then the button); its question ID."""
    page.goto(site.url("review/"), wait_until="networkidle")
    page.locator(".rv-reveal").click()
    qid = page.locator(".rv-stage").get_attribute("data-qid")
    page.locator(f".rv-rate [data-rating={rating}]").click()
    page.goto(site.url("study-plan/"), wait_until="networkidle")
    return qid


def test_reset_clears_only_plan_ticks_and_keeps_review_cards(browser, site):
    ctx = browser.new_context(**STUDY_VIEWPORTS["desktop"])
    page = ctx.new_page()
    rated = rate_the_first_review_card(page, site, "good")
    boxes = page.locator(".study-plan .task-list-item input[type=checkbox]")
    rated_box = page.locator(f".study-plan li:has(a[href*='/q/{rated}/']) input[type=checkbox]")
    assert rated_box.is_checked()  # Young: done
    unrated = page.locator(".study-plan li:has(a[href*='/q/']):not(.is-done) input[type=checkbox]").first
    unrated.evaluate("b => b.click()")
    assert page.evaluate("() => Object.values(__md_get('study.plan')).filter(Boolean).length") == 1
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Reset plan ticks").click()
    assert page.evaluate("() => Object.values(__md_get('study.plan') || {}).filter(Boolean).length") == 0
    cards = page.evaluate("() => studyReview.store().cards")
    assert list(cards) == [rated]  # the review history is untouched
    assert rated_box.is_checked() and sum(b.is_checked() for b in boxes.all()) == 1
    status = page.locator(".plan-overall__status").text_content()
    assert "Cleared 1 plan tick" in status and "Review history kept (1 card)" in status

    # erasing the history is a separate action that offers an export first
    page.locator("[data-action=erase-open]").click()
    with page.expect_download() as download:
        page.locator("[data-action=erase-export]").click()
    with open(download.value.path(), encoding="utf-8") as f:
        assert json.load(f)["cards"].keys() == {rated}
    page.locator("[data-action=erase-confirm]").click()
    assert page.evaluate("() => studyReview.store().cards") == {}
    assert not rated_box.is_checked()
    ctx.close()


def test_notebooks_are_counted_apart_and_again_is_not_done(browser, site):
    ctx = browser.new_context(**STUDY_VIEWPORTS["desktop"])
    page = ctx.new_page()
    again = rate_the_first_review_card(page, site, "again")
    assert not page.locator(f".study-plan li:has(a[href*='/q/{again}/']) input").is_checked()
    nb = page.locator(".study-plan li:has(a[href*='notebooks/']) input[type=checkbox]").first
    nb.evaluate("b => b.click()")
    label = page.locator(".plan-overall__label").text_content()
    assert re.match(r"0 / \d+ questions learned · 1 / \d+ notebooks done", label), label
    ctx.close()


# ---------------------------------- one code, its real output ----------------------------------


def test_the_demo_code_and_its_real_output_show_by_default_under_the_question(browser, site):
    ctx = browser.new_context(**STUDY_VIEWPORTS["desktop"])
    page = ctx.new_page()
    with_demo = [q for q in site.questions if q["demos"]]
    assert len(with_demo) >= 40
    checked = 0
    for url in sorted({q["url"].split("#")[0] for q in with_demo}):
        page.goto(site.url(url), wait_until="networkidle")
        for q in [q for q in with_demo if q["url"].startswith(url)]:
            card = page.locator(f".qa-answer[data-qid='{q['id']}']")
            demo = card.locator("details.qa-demo")
            if demo.count() == 0:  # every cell of it is scaffolding: nothing to show
                continue
            assert demo.first.evaluate("d => d.open"), q["id"]
            assert demo.first.locator(".qa-input").first.is_visible(), q["id"]
            labels = demo.first.locator(".highlight > .filename").all_text_contents()
            assert labels and labels[0].startswith("In ["), (q["id"], labels)
            # no second, hand-typed Python listing in the full answer
            listings = card.evaluate(
                "c => [...c.querySelectorAll('.highlight')]"
                ".filter(h => !h.closest('details.qa-demo, details.qa-sources'))"
                ".filter(h => /language-(python|py)\\b/.test(h.className) || h.querySelector('code.language-python'))"
                ".length"
            )
            assert listings == 0, q["id"]
            # the text outputs shown are the executed notebook's own
            outputs = demo.first.locator(".qa-output code").all_text_contents()
            nb_name = q["demos"][0]["notebook"].split("/")[-1]
            executed = nbformat.read(site.dir / "downloads" / nb_name, as_version=4)
            real = "".join(
                "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                for d in q["demos"]
                for i in d["cells"]
                for o in executed.cells[i].get("outputs", [])
            )
            for out in outputs:
                first_line = out.strip().split("\n")[0][:60]
                assert first_line in real, (q["id"], first_line)
            checked += 1
    assert checked >= 40
    ctx.close()


# --------------------------------------- code that fits ---------------------------------------

SCROLLS = """() => [...document.querySelectorAll('article pre > code')].map(c => ({
    scrolls: c.scrollWidth > c.clientWidth + 1,
    ws: getComputedStyle(c).whiteSpace,
    ox: getComputedStyle(c).overflowX,
    cue: getComputedStyle(c).backgroundImage.includes('gradient'),
}))"""


def test_at_most_a_tenth_of_code_blocks_scroll_at_1366px(browser, site):
    ctx = browser.new_context(**STUDY_VIEWPORTS["desktop"])
    page = ctx.new_page()
    blocks = []
    for url in site.topic_pages():
        page.goto(site.url(url), wait_until="networkidle")
        blocks += page.evaluate(SCROLLS)
    ctx.close()
    scrolling = sum(b["scrolls"] for b in blocks)
    print(f"\n{scrolling} of {len(blocks)} code blocks scroll sideways at 1366 px")
    assert len(blocks) > 100 and scrolling <= 0.10 * len(blocks), (scrolling, len(blocks))


def test_code_never_wraps_on_a_phone_and_scrolls_with_a_cue(browser, site):
    ctx = browser.new_context(**STUDY_VIEWPORTS["phone"])
    page = ctx.new_page()
    bad, tables = [], []
    for url in site.topic_pages():
        page.goto(site.url(url), wait_until="networkidle")
        for b in page.evaluate(SCROLLS):
            if b["ws"] not in ("pre", "nowrap") or b["ox"] not in ("auto", "scroll") or not b["cue"]:
                bad.append((url, b))
        # a table that does not fit scrolls in a box with the edge shadow
        tables += page.evaluate(
            """() => [...document.querySelectorAll('article table')].map(t => {
                 let box = t.parentElement;
                 while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
                 const edge = document.querySelector('article').getBoundingClientRect().right;
                 const fits = t.getBoundingClientRect().right <= edge + 1;
                 return {fits, scrolls: !!box && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
                         cue: !!box && getComputedStyle(box).backgroundImage.includes('gradient')};
               })"""
        )
    ctx.close()
    assert not bad, bad[:5]
    cut = [t for t in tables if not t["fits"] and not (t["scrolls"] and t["cue"])]
    assert tables and not cut, cut[:5]


# --------------------------------- topic pages you can navigate ---------------------------------


def test_topic_page_opens_on_its_question_list_and_ends_with_the_next_topic(browser, site):
    ctx = browser.new_context(**STUDY_VIEWPORTS["desktop"])
    page = ctx.new_page()
    page.goto(site.url(f"topics/{TOPIC}/"), wait_until="networkidle")
    items = page.locator(".qa-toc [data-toc-qid]")
    ids = [q["id"] for q in site.questions if q["topic"] == TOPIC]
    assert sorted(items.evaluate_all("li => li.map(e => e.dataset.tocQid)")) == sorted(ids)
    first = items.first
    assert first.locator(".rv-chip--level").count() == 1 and first.locator(".rv-chip[data-progress-qid]").count() == 1
    headings = page.eval_on_selector_all("article h2.qa-q", "hs => hs.map(h => h.id)")
    assert headings == items.evaluate_all("li => li.map(e => e.dataset.tocQid)")  # the list is the page's order
    legacy = [i for i, li in enumerate(items.all()) if li.locator(".rv-chip--legacy").count()]
    assert legacy == list(range(len(headings) - len(legacy), len(headings)))  # legacy questions last
    assert in_viewport(page, ".qa-toc [data-toc-qid]")["inside"]
    footer = page.locator(".md-footer__link--next")
    topics = site.topic_pages()
    assert footer.count() == 1 and footer.get_attribute("href")
    ctx.close()
    assert topics


def test_reader_pages_show_no_build_internals(browser, site):
    ctx = browser.new_context(**STUDY_VIEWPORTS["desktop"])
    page = ctx.new_page()
    for path in ["", f"topics/{TOPIC}/", "topics/", "study-plan/", "review/", "quiz/", "notebooks/"]:
        page.goto(site.url(path), wait_until="networkidle")
        text = page.locator("article").inner_text()
        assert "q/<id>/" not in text and not re.search(r"\d+ executed, \d+ cached", text), path
        # no left sidebar with a single entry
        entries = page.eval_on_selector_all(
            ".md-sidebar--primary .md-nav__item", "items => items.filter(i => i.offsetParent !== null).length"
        )
        assert entries != 1, path
    ctx.close()


def test_quiz_ends_with_score_time_and_retry_missed(browser, site):
    ctx = browser.new_context(**STUDY_VIEWPORTS["desktop"])
    page = ctx.new_page()
    page.goto(site.url("quiz/"), wait_until="networkidle")
    page.locator("select[name=count]").select_option("5")
    page.locator(".rv-quiz-start").click()
    seen = []
    for rating in ["good", "again", "easy", "hard", None]:
        seen.append(page.locator(".rv-stage").get_attribute("data-qid"))
        if rating is None:
            page.locator("[data-move=next]").click()  # skipped: not rated, counts as missed
        else:
            page.locator(".rv-reveal").click()
            page.locator(f".rv-rate [data-rating={rating}]").click()
    score = page.locator(".rv-score")
    assert score.get_attribute("data-score") == "2/5"
    assert re.fullmatch(r"Score: 2 of 5 recalled \(Good or Easy\) · time \d+ min \d+ s", score.text_content())
    results = page.locator(".rv-done li").evaluate_all("lis => lis.map(l => l.dataset.result)")
    assert results == ["good", "again", "easy", "hard", "none"]
    page.locator("[data-action=retry-missed]").click()
    assert "Card 1 of 3" in page.locator(".rv-stage").text_content()
    assert page.locator(".rv-stage").get_attribute("data-qid") in {seen[1], seen[3], seen[4]}
    ctx.close()
