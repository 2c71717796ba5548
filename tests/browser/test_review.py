"""Spaced repetition in the browser: rating on topic pages, the review and quiz pages, progress views,
export/import, aliases, and a cross-check of the vendored ts-fsrs against the Python fsrs package."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, UTC

import pytest

from .conftest import DESKTOP, VIEWPORTS

TOPIC = "cnn"  # a topic page with many questions


def no_trouble(page, site):
    """No console errors or uncaught exceptions, and every request stayed on the site's server."""
    assert not page.watch.page_errors, page.watch.page_errors
    assert not page.watch.console_errors, page.watch.console_errors
    off_site = [u for u in page.watch.requests if not u.startswith((site.origin, "data:", "blob:"))]
    assert not off_site, off_site


def topic_ids(site, slug=TOPIC) -> list[str]:
    return [q["id"] for q in site.questions if q["topic"] == slug]


def open_topic_in_self_test(page, site, slug=TOPIC):
    page.goto(site.url(f"topics/{slug}/"), wait_until="networkidle")
    toggle = page.locator(".study-toolbar__toggle")
    if toggle.get_attribute("aria-pressed") != "true":
        toggle.click()


def rate_on_topic_page(page, qid: str, rating: str):
    answer = page.locator(f".qa-answer[data-qid='{qid}']")
    buttons = answer.locator(f"[data-rating='{rating}'][data-qid='{qid}']")
    assert not buttons.is_visible(), "rating buttons show only after the answer is revealed"
    page.locator(f"button.qa-reveal[aria-controls='{answer.get_attribute('id')}']").click()
    buttons.click()


def stored(page) -> dict:
    return page.evaluate("() => studyReview.store().cards")


def due_ids(page) -> list[str]:
    return page.eval_on_selector_all("[data-due-qid]", "els => els.map(e => e.dataset.dueQid)")


def set_review_settings(page, **values):
    page.evaluate("s => __md_set('study.review.settings', s)", {"topic": "", "level": "", "newPerDay": "20", **values})


def test_rated_good_is_not_due_and_rated_again_is(page, site):
    good, again = topic_ids(site)[:2]
    open_topic_in_self_test(page, site)
    rate_on_topic_page(page, good, "good")
    rate_on_topic_page(page, again, "again")
    page.reload(wait_until="networkidle")
    # as Anki counts them: one Good on a new card graduates it to a short review interval (Young, not
    # Mature); Again keeps it in its learning step
    assert page.locator(f".rv-status .rv-chip[data-progress-qid='{good}']").get_attribute("data-status") == "young"
    assert page.locator(f".rv-status .rv-chip[data-progress-qid='{again}']").get_attribute("data-status") == "learning"

    set_review_settings(page, newPerDay="0")  # only cards already rated: nothing new mixed in
    page.goto(site.url("review/"), wait_until="networkidle")
    assert due_ids(page) == [again]
    assert page.locator(".rv-count--due strong").text_content() == "1"
    assert page.locator(".rv-count--young strong").text_content() == "1"
    assert page.locator(".rv-count--mature strong").text_content() == "0"
    assert page.locator(".rv-stage").get_attribute("data-qid") == again
    no_trouble(page, site)


def _py_scheduler(settings: dict):
    from fsrs import Scheduler

    def step(s: str) -> timedelta:
        n, unit = int(s[:-1]), s[-1]
        return {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n)}[unit]

    assert settings["fuzz"] is False
    return Scheduler(
        desired_retention=settings["desired_retention"],
        learning_steps=tuple(step(s) for s in settings["learning_steps"]),
        relearning_steps=tuple(step(s) for s in settings["relearning_steps"]),
        maximum_interval=settings["maximum_interval_days"],
        enable_fuzzing=False,
    )


def test_due_dates_equal_the_python_fsrs_package(page, site):
    """The same ratings at the same times give the same card in ts-fsrs (page) and fsrs (Python).

    Reviews sit at whole-day offsets plus minutes inside a day: ts-fsrs counts elapsed days by
    calendar day and fsrs by whole 24 h periods, which agree there (see the report for the nuance).
    """
    from fsrs import Card, Rating

    qid = topic_ids(site)[3]
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    plan = [
        ("good", timedelta(0)),
        ("again", timedelta(days=2)),
        ("good", timedelta(days=2, minutes=15)),
        ("hard", timedelta(days=9, minutes=15)),
        ("easy", timedelta(days=20, minutes=15)),
        ("good", timedelta(days=61, minutes=15)),
    ]
    page.clock.set_fixed_time(t0)
    open_topic_in_self_test(page, site)
    settings = page.evaluate("() => studyReview.settings")
    assert page.evaluate("() => FSRS.default_w.slice()") == pytest.approx(list(_py_scheduler(settings).parameters))
    scheduler, card = _py_scheduler(settings), Card(card_id=1)
    for rating, offset in plan:
        when = t0 + offset
        page.clock.set_fixed_time(when)
        page.reload(wait_until="networkidle")
        rate_on_topic_page(page, qid, rating)
        card, _ = scheduler.review_card(card, Rating[rating.capitalize()], review_datetime=when)
        ours = stored(page)[qid]["card"]
        assert datetime.fromisoformat(ours["due"].replace("Z", "+00:00")) == card.due, (rating, offset)
        assert ours["stability"] == pytest.approx(card.stability, rel=1e-6), (rating, offset)
        assert ours["difficulty"] == pytest.approx(card.difficulty, rel=1e-6), (rating, offset)
        assert ours["state"] == card.state.value
    assert [e["rating"] for e in stored(page)[qid]["log"]] == [r for r, _ in plan]
    no_trouble(page, site)


def test_keyboard_only_review_of_three_cards(page, site):
    page.goto(site.url("review/"), wait_until="networkidle")
    stage = page.locator(".rv-stage")
    answer = page.locator(".rv-stage__a")
    seen = []
    for _ in range(3):
        qid = stage.get_attribute("data-qid")
        assert not answer.is_visible()
        page.keyboard.press("Space")
        assert answer.is_visible()
        assert page.locator(".rv-stage [data-rating='good']").is_visible()
        page.keyboard.press("3")
        page.wait_for_function("q => document.querySelector('.rv-stage').dataset.qid !== q", arg=qid)
        seen.append(qid)
    assert len(set(seen)) == 3
    cards = stored(page)
    assert sorted(cards) == sorted(seen)
    assert all([e["rating"] for e in cards[q]["log"]] == ["good"] for q in seen)
    # move without rating, back again, then leave
    here = stage.get_attribute("data-qid")
    page.keyboard.press("j")
    assert stage.get_attribute("data-qid") != here
    page.keyboard.press("ArrowLeft")
    assert stage.get_attribute("data-qid") == here
    page.keyboard.press("Escape")
    assert "Session ended: 3 cards rated" in page.locator(".rv-done").text_content()
    assert sorted(stored(page)) == sorted(seen)  # moving and leaving rated nothing
    no_trouble(page, site)


def test_export_clear_import_restores_progress(page, site, tmp_path):
    first, second = topic_ids(site)[:2]
    open_topic_in_self_test(page, site)
    rate_on_topic_page(page, first, "good")
    rate_on_topic_page(page, second, "again")
    before = stored(page)
    page.goto(site.url("review/"), wait_until="networkidle")
    with page.expect_download() as download:
        page.locator("[data-action=export]").click()
    path = tmp_path / "progress.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["format"] == "pytorch-interview-study/progress" and exported["cards"] == before

    page.evaluate("() => localStorage.clear()")
    page.reload(wait_until="networkidle")
    assert stored(page) == {}
    assert page.locator(".rv-count--young strong").text_content() == "0"
    page.locator("input[data-action=import]").set_input_files(path)
    page.wait_for_function("() => /Imported/.test(document.querySelector('.rv-data .rv-message').textContent)")
    assert stored(page) == before
    assert page.locator(".rv-count--young strong").text_content() == "1"

    # merge by latest review: a newer card in this browser is kept, an older one is replaced
    newer = dict(before[first], updated="2999-01-01T00:00:00.000Z", known=True)
    page.evaluate(
        "c => { const s = studyReview.store(); s.cards[c.id] = c.entry; __md_set('study.fsrs', s) }",
        {"id": first, "entry": newer},
    )
    page.evaluate("t => studyReview.importJson(t)", path.read_text(encoding="utf-8"))
    after = stored(page)
    assert after[first]["known"] is True and after[second] == before[second]

    # a damaged or foreign file changes nothing and says why
    bad = {**exported, "cards": {second: {"card": {"due": "soon", "state": 9}}, first: "x"}}
    assert "2 unreadable entries skipped" in page.evaluate("t => studyReview.importJson(t)", json.dumps(bad))
    assert stored(page) == after
    page.locator("input[data-action=import]").set_input_files(
        files=[{"name": "notes.json", "mimeType": "application/json", "buffer": b'{"cards": []}'}]
    )
    page.wait_for_function("() => /Not imported/.test(document.querySelector('.rv-data .rv-message').textContent)")
    assert stored(page) == after
    no_trouble(page, site)


def test_an_alias_carries_its_progress_to_the_survivor_and_a_removed_question_is_shown_as_removed(page, site):
    survivor = topic_ids(site)[0]
    # the built site has no aliases today: give the page one, as study-data.js would list it
    page.add_init_script(
        "(() => { let d; Object.defineProperty(window, 'STUDY_DATA', { configurable: true,"
        f" get: () => d, set: v => {{ v.aliases['old-name-of-it'] = {json.dumps(survivor)}; d = v; }} }}); }})()"
    )
    open_topic_in_self_test(page, site)
    rate_on_topic_page(page, survivor, "good")
    card = stored(page)[survivor]
    page.evaluate(
        "e => __md_set('study.fsrs', {version: 1, cards: {'old-name-of-it': e, 'a-question-gone-for-good': e}})", card
    )
    page.reload(wait_until="networkidle")
    cards = stored(page)
    assert "old-name-of-it" not in cards and cards[survivor] == card
    assert page.locator(f".rv-status .rv-chip[data-progress-qid='{survivor}']").get_attribute("data-status") == "young"

    page.goto(site.url("review/"), wait_until="networkidle")
    assert page.locator("[data-removed-qid='a-question-gone-for-good']").count() == 1
    assert "a-question-gone-for-good" not in due_ids(page)
    page.get_by_role("button", name="Forget removed cards").click()
    assert "a-question-gone-for-good" not in stored(page)
    no_trouble(page, site)


def test_every_published_question_is_reachable_from_the_study_plan_and_the_review_page(page, site):
    ids = [q["id"] for q in site.questions]
    page.goto(site.url("study-plan/"), wait_until="networkidle")
    hrefs = page.eval_on_selector_all(".study-plan a[href]", "as => as.map(a => a.href)")
    linked = {m.group(1) for h in hrefs if (m := re.search(r"/q/([^/]+)/", h))}
    assert linked == set(ids)
    notebooks = sorted(p.name for p in (site.dir / "downloads").glob("*.ipynb"))
    assert notebooks and all(
        any(h.endswith(f"/notebooks/{nb.removesuffix('.ipynb')}/") for h in hrefs) for nb in notebooks
    )
    # the notes' reading list is outside the plan's checklist: not progress
    reading = page.locator("h2:has-text('Reading list from the original notes') + p + ul")
    assert reading.locator("a[href^='http']").count() > 0 and reading.locator("input").count() == 0

    set_review_settings(page, newPerDay="all")
    page.goto(site.url("review/"), wait_until="networkidle")
    queue = due_ids(page)
    assert sorted(queue) == sorted(ids)  # nothing rated yet: every question is in the queue
    plan_order = [m.group(1) for h in hrefs if (m := re.search(r"/q/([^/]+)/", h))]
    assert queue == plan_order  # new cards come in study-plan order
    for qid in ids[:3]:  # each queue entry links to its question
        href = page.locator(f"[data-due-qid='{qid}'] a").get_attribute("href")
        assert href.endswith(f"q/{qid}/")
    no_trouble(page, site)


def test_review_filters_by_topic_and_level(page, site):
    page.goto(site.url("review/"), wait_until="networkidle")
    set_review_settings(page, newPerDay="all")
    page.reload(wait_until="networkidle")
    page.locator("select[name=topic]").select_option(TOPIC)
    page.locator("select[name=level]").select_option("basic")
    expected = [q["id"] for q in site.questions if q["topic"] == TOPIC and q["level"] == "basic"]
    assert expected and sorted(due_ids(page)) == sorted(expected)
    assert page.locator(".rv-count--new strong").text_content() == str(len(expected))
    no_trouble(page, site)


def test_study_plan_boxes_follow_the_review_state(page, site):
    """A plan question is done once its card is Young or better; Again is not done. A tick on the plan
    is a plan tick only: it never writes or erases review history."""
    good, again = topic_ids(site, "pytorch-basics")[:2]
    open_topic_in_self_test(page, site, "pytorch-basics")
    rate_on_topic_page(page, good, "good")
    rate_on_topic_page(page, again, "again")
    page.goto(site.url("study-plan/"), wait_until="networkidle")

    def box(qid):
        return page.locator(f".study-plan li:has(a[href*='/q/{qid}/']) input[type=checkbox]")

    assert box(good).is_checked() and not box(again).is_checked()
    assert page.locator(f".study-plan .rv-chip[data-progress-qid='{good}']").get_attribute("data-status") == "young"
    assert page.locator(f".study-plan .rv-chip[data-progress-qid='{again}']").get_attribute("data-status") == "learning"

    other = next(q["id"] for q in site.questions if q["topic"] == "autograd")
    box(other).evaluate("b => b.click()")  # the drawn box is a pseudo-element; ui.click_task_box clicks it by index
    assert box(other).is_checked() and other not in stored(page)  # a tick, not a review
    box(other).evaluate("b => b.click()")
    assert not box(other).is_checked()
    box(good).evaluate("b => b.click()")  # a learned card stays done: unticking cannot undo a review
    assert box(good).is_checked() and good in stored(page)
    no_trouble(page, site)


def test_quiz_rates_marks_known_and_times_out(page, site):
    page.clock.install()
    page.goto(site.url("quiz/"), wait_until="networkidle")
    page.get_by_role("button", name="Clear all topics").click()
    page.locator(f"input[name=topic][value={TOPIC}]").check()
    page.locator("input[name=level][value=advanced]").uncheck()
    page.locator("select[name=count]").select_option("5")
    page.locator("select[name=seconds]").select_option("30")
    page.get_by_role("button", name="Start the quiz").click()
    allowed = {q["id"] for q in site.questions if q["topic"] == TOPIC and q["level"] != "advanced"}
    stage = page.locator(".rv-stage")

    first = stage.get_attribute("data-qid")
    assert first in allowed and "Card 1 of 5" in stage.text_content()
    assert not page.locator(".rv-stage__a").is_visible()
    page.clock.run_for(31_000)  # the per-question timer runs out: the answer is revealed
    assert page.locator(".rv-stage__a").is_visible()
    assert "Time is up" in page.locator(".rv-timer").text_content()
    page.keyboard.press("4")  # Easy
    second = stage.get_attribute("data-qid")
    assert second in allowed and second != first
    known = page.get_by_role("button", name="Mark as known")
    assert not known.is_visible()  # a decision about the answer: only once it is shown
    page.keyboard.press("Space")
    known.click()
    cards = stored(page)
    assert [e["rating"] for e in cards[first]["log"]] == ["easy"]
    assert cards[second]["known"] is True
    page.keyboard.press("Escape")
    assert page.get_by_role("heading", name="Quiz finished").is_visible()

    set_review_settings(page, newPerDay="all")
    page.goto(site.url("review/"), wait_until="networkidle")
    assert second not in due_ids(page)  # retired from review
    no_trouble(page, site)


def test_progress_on_the_topics_index(page, site):
    first, second = topic_ids(site)[:2]
    open_topic_in_self_test(page, site)
    rate_on_topic_page(page, first, "easy")
    rate_on_topic_page(page, second, "again")
    page.goto(site.url("topics/"), wait_until="networkidle")
    cell = page.locator(f"[data-topic-progress='{TOPIC}']")
    assert cell.locator(".rv-topics-progress__n").text_content() == f"1 / {len(topic_ids(site))} learned · 1 due"
    assert page.locator("[data-topic-progress]").count() == len({q["topic"] for q in site.questions})
    # the topics are listed once on the page: the table (no second list of them in the content)
    assert page.locator("article a[href*='topics/cnn'], article a[href$='cnn/']").count() == 1
    no_trouble(page, site)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_review_quiz_and_progress_screenshots(browser, site, shots_dir, width, scheme):
    """For a person to look at; also: the new pages fit a phone without sideways scrolling."""
    ctx = browser.new_context(viewport=VIEWPORTS[width], color_scheme=scheme)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    name = f"{width}-{scheme}"
    ids = topic_ids(site)
    open_topic_in_self_test(page, site)
    for qid, rating in zip(ids[:3], ["good", "again", "easy"], strict=False):
        rate_on_topic_page(page, qid, rating)
    page.locator(f"#{ids[1]}").scroll_into_view_if_needed()
    page.screenshot(path=shots_dir / f"{name}-progress-topic.png")
    page.goto(site.url("topics/"), wait_until="networkidle")
    page.screenshot(path=shots_dir / f"{name}-progress-topics.png")
    page.goto(site.url("review/"), wait_until="networkidle")
    page.keyboard.press("Space")
    page.screenshot(path=shots_dir / f"{name}-review.png", full_page=True)
    wide = {"review": page.evaluate("() => document.documentElement.scrollWidth")}
    page.goto(site.url("quiz/"), wait_until="networkidle")
    page.screenshot(path=shots_dir / f"{name}-quiz-setup.png", full_page=True)
    page.get_by_role("button", name="Start the quiz").click()
    page.keyboard.press("Space")
    page.screenshot(path=shots_dir / f"{name}-quiz.png")
    wide["quiz"] = page.evaluate("() => document.documentElement.scrollWidth")
    page.goto(site.url("study-plan/"), wait_until="networkidle")
    page.screenshot(path=shots_dir / f"{name}-progress-plan.png")
    ctx.close()
    assert not errors
    assert all(w <= VIEWPORTS[width]["width"] for w in wide.values()), wide


# The parts of each page this feature draws (the rest of the page is the theme's and issue-wide axe
# checks cover it).
OURS = {
    "include": [
        ".rv-app",
        ".rv-topics-progress",
        ".qa-topics-index",
        ".rv-topic-progress",
        ".rv-status",
        ".rv-rate-slot",
        ".qa-toc",
    ]
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_review_quiz_and_progress_widgets_pass_axe(browser, site, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    ctx = browser.new_context(viewport=DESKTOP, color_scheme=scheme)
    page = ctx.new_page()
    ids = topic_ids(site)
    open_topic_in_self_test(page, site)
    for qid, rating in zip(ids[:2], ["good", "again"], strict=False):
        rate_on_topic_page(page, qid, rating)
    found = {}

    def check(name):
        page.wait_for_timeout(100)
        violations = [
            v for v in axe.run(page, context=OURS).response["violations"] if v["impact"] in ("serious", "critical")
        ]
        found[name] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]

    check("topic page, rated and revealed")
    page.goto(site.url("topics/"), wait_until="networkidle")
    check("topics index")
    page.goto(site.url("review/"), wait_until="networkidle")
    page.keyboard.press("Space")
    page.locator(".rv-queue > summary").click()
    check("review, answer shown, queue open")
    page.goto(site.url("quiz/"), wait_until="networkidle")
    check("quiz setup")
    page.locator("select[name=seconds]").select_option("60")
    page.get_by_role("button", name="Start the quiz").click()
    page.keyboard.press("Space")
    check("quiz card")
    ctx.close()
    assert not any(found.values()), found
