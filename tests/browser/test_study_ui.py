"""Self-test mode on topic pages and saved progress on the study plan, driven like a reader would."""

from __future__ import annotations

import re

from .ui import click_task_box, settles


def answers_visible(page) -> list[bool]:
    return page.eval_on_selector_all(".qa-answer", "els => els.map(e => e.offsetParent !== null)")


def test_self_test_hides_reveals_and_persists(page, site):
    first_topic, second_topic = site.topic_pages()[:2]
    page.goto(site.url(first_topic), wait_until="networkidle")
    toggle = page.locator(".study-toolbar__toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert all(answers_visible(page))

    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    n = len(answers_visible(page))
    assert n > 1 and not any(answers_visible(page))

    reveal = page.locator("button.qa-reveal")
    assert reveal.count() == n
    assert reveal.nth(1).get_attribute("aria-expanded") == "false"
    reveal.nth(1).click()
    assert answers_visible(page) == [i == 1 for i in range(n)]
    assert reveal.nth(1).get_attribute("aria-expanded") == "true"
    assert reveal.nth(1).get_attribute("aria-controls") == page.locator(".qa-answer").nth(1).get_attribute("id")
    reveal.nth(1).click()
    assert not any(answers_visible(page))

    page.get_by_role("button", name="Reveal all").click()
    assert all(answers_visible(page))
    page.get_by_role("button", name="Hide all").click()
    assert not any(answers_visible(page))

    # another topic page through Material's instant navigation (a sidebar link, no reload)
    page.evaluate("() => { window.__sameDocument = true }")
    page.locator(f".md-sidebar--primary a[href$='{second_topic.split('/')[-2]}/']").first.click()
    page.wait_for_url(re.compile(re.escape(second_topic) + "$"))
    page.wait_for_selector(".study-toolbar")
    assert page.evaluate("() => window.__sameDocument === true"), "expected instant navigation"
    assert page.locator(".study-toolbar__toggle").get_attribute("aria-pressed") == "true"
    assert not any(answers_visible(page))

    # and after a full reload; the keyboard shortcut switches it off again
    page.reload(wait_until="networkidle")
    assert not any(answers_visible(page))
    page.keyboard.press("t")
    assert all(answers_visible(page))
    assert page.locator(".study-toolbar__toggle").get_attribute("aria-pressed") == "false"
    page.reload(wait_until="networkidle")
    assert all(answers_visible(page))
    assert not page.watch.page_errors


def test_search_result_reveals_its_answer_in_self_test_mode(page, site):
    from .ui import search

    q = site.question("max-pooling")
    page.goto(site.url(q["url"].split("#")[0]), wait_until="networkidle")
    page.locator(".study-toolbar__toggle").click()
    hrefs = search(page, "max pooling")
    page.locator(".md-search-result__list a.md-search-result__link[href*='#max-pooling']").first.click()
    page.wait_for_url(re.compile("#max-pooling$"))
    settles(page, "() => [...document.querySelectorAll('.qa-answer')].some(e => e.offsetParent)")
    shown = page.eval_on_selector_all(".qa-answer", "els => els.filter(e => e.offsetParent).map(e => e.dataset.qid)")
    assert shown == ["max-pooling"], (shown, hrefs[:3])


def test_print_shows_every_answer(page, site):
    page.goto(site.url(site.topic_pages()[0]), wait_until="networkidle")
    page.locator(".study-toolbar__toggle").click()
    assert not any(answers_visible(page))
    page.emulate_media(media="print")
    assert all(answers_visible(page))
    assert not page.locator(".study-toolbar").is_visible()


def plan_state(page) -> list[bool]:
    return page.eval_on_selector_all(
        ".study-plan .task-list-item input[type=checkbox]", "boxes => boxes.map(b => b.checked)"
    )


def test_study_plan_progress_survives_reload_and_reset_clears_it(page, site):
    page.goto(site.url("study-plan/"), wait_until="networkidle")
    boxes = page.locator(".study-plan .task-list-item input[type=checkbox]")
    total = boxes.count()
    assert total > 3
    assert all(not b.is_disabled() for b in boxes.all())
    questions = page.locator(".study-plan .task-list-item:has(a[href*='/q/'])").count()
    notebooks = total - questions
    initial = plan_state(page)
    assert not any(initial)
    overall = page.locator(".plan-overall__label")
    # questions and notebooks are counted apart
    assert overall.text_content().startswith(f"0 / {questions} questions learned · 0 / {notebooks} notebooks done")

    click_task_box(page, 0)
    click_task_box(page, 2)
    expected = [i in (0, 2) for i in range(total)]
    assert plan_state(page) == expected
    assert overall.text_content().startswith(f"2 / {questions} questions learned")
    first_badge = page.locator(".study-plan h2 .plan-progress").first
    assert re.fullmatch(r"2 / \d+ questions learned · 0 / \d+ notebooks? done", first_badge.text_content())
    assert page.locator(".plan-overall__bar").get_attribute("aria-valuenow") == "2"

    page.reload(wait_until="networkidle")
    assert plan_state(page) == expected

    # declining the confirmation keeps everything; the question says what is cleared and what is kept
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.get_by_role("button", name="Reset plan ticks").click()
    assert plan_state(page) == expected
    assert "2 ticks" in asked[0] and "review history" in asked[0] and "is kept" in asked[0]

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Reset plan ticks").click()
    assert plan_state(page) == initial
    assert "Cleared 2 plan ticks" in page.locator(".plan-overall__status").text_content()
    page.reload(wait_until="networkidle")
    assert plan_state(page) == initial
    assert not page.watch.page_errors


def test_plan_keys_do_not_depend_on_link_depth(page, site):
    """A question ticked on the plan is stored under its site-relative path, e.g. q/<id>/."""
    page.goto(site.url("study-plan/"), wait_until="networkidle")
    click_task_box(page, 0)
    href = page.locator(".study-plan .task-list-item").first.locator("a[href]").first.get_attribute("href")
    stored = page.evaluate("() => __md_get('study.plan')")
    (key,) = stored.keys()
    assert not key.startswith(("../", "./", "/", "http")), key
    assert href.endswith(key), (href, key)
