"""What a first visit loads of the study data (issue 21): only the parts a page needs, added as scripts.

study-data.js (every page) holds no question; the questions are in per-topic parts, the answers of the
review and quiz cards in chunk scripts, and review.js, study-plan.js and ts-fsrs are added only where
they are used (docs/assets/javascripts/study-store.js, PAGE_SCRIPTS).
"""

from __future__ import annotations

import re


def loaded(page, site, path: str) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(site.url(path), wait_until="networkidle")
    return [re.sub(r"^https?://[^/]+/", "", u) for u in urls]


def parts(urls: list[str]) -> set[str]:
    return {u.rsplit("/", 1)[1] for u in urls if "/study-data/" in u}


def test_home_before_any_progress_loads_no_question_data_nor_the_scheduler(page, site):
    urls = loaded(page, site, "")
    assert parts(urls) == set()
    assert not any("ts-fsrs" in u or u.endswith("/review.js") or "study-cards" in u for u in urls), urls
    assert any(u.endswith("study-plan.js") for u in urls)  # the call to action's script
    assert page.evaluate("() => window.STUDY_DATA.questions.length") == 0


def test_a_topic_page_loads_its_own_topic_only_and_works_with_it(page, site):
    slug = site.questions[0]["url"].split("/")[1].removesuffix(".html")
    urls = loaded(page, site, f"topics/{slug}/")
    assert parts(urls) and all(p.startswith(f"{slug}-") for p in parts(urls)), parts(urls)
    assert any("ts-fsrs" in u for u in urls) and not any(u.endswith("/review.js") for u in urls)
    own = [q["id"] for q in site.questions if q["url"].split("/")[1].removesuffix(".html") == slug]
    assert sorted(page.evaluate("() => Study.store.DATA.questions.map(q => q.id)")) == sorted(own)
    # its widgets are drawn from that part: a status chip on each question of the page
    chips = page.locator(".rv-status .rv-chip[data-progress-qid]")
    assert chips.count() == page.locator(".rv-status[data-qid]").count() > 0
    assert set(chips.evaluate_all("cs => cs.map(c => c.dataset.status)")) == {"new"}


def test_review_loads_every_part_and_the_shown_cards_answer_from_its_chunk(page, site):
    urls = loaded(page, site, "review/")
    topics = {q["url"].split("/")[1].removesuffix(".html") for q in site.questions}
    assert {p.rsplit("-", 1)[0] for p in parts(urls)} >= topics
    assert page.locator(".rv-deck, [data-card-qid]").count() == 0  # no card is in the page
    chunks = [u for u in urls if "/study-cards/cards-" in u]
    assert len(chunks) == 1, chunks  # the shown card's chunk only
    page.get_by_role("button", name="Show answer").click()
    answer = page.locator("#rv-current-a")
    answer.locator(".rv-card__more").wait_for()  # the build's rendering, with its link to the topic page
    assert "Loading the answer" not in answer.text_content()
