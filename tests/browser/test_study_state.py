"""Browser state is never lost silently: progress saved by an earlier release keeps its meaning, a damaged
card is repaired, and a value that cannot be read is kept aside and reported on screen, not dropped.

Each test writes localStorage the way an earlier release (or a damaged disk, or a hand edit) left it,
before any page script runs, then opens the page a reader would."""

from __future__ import annotations

import json

import pytest

from .conftest import STUDY_VIEWPORTS


@pytest.fixture
def fresh(browser, site):
    """A page in a fresh profile; seed(key, raw text) writes a raw localStorage value before the site's
    scripts run (keys scoped like Material's __md_set: '<site path>.<key>')."""
    ctx = browser.new_context(**STUDY_VIEWPORTS["desktop"])
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    scope = "/" + site.base.split("/", 3)[3] if site.base.count("/") > 3 else "/"

    def seed(values: dict[str, str]) -> None:
        page.goto(site.url("404-seed-only/"))  # same origin, before any study page has run
        page.evaluate(
            "([scope, values]) => { localStorage.clear(); for (const [k, v] of Object.entries(values)) "
            "localStorage.setItem(scope + '.' + k, v); }",
            [scope.rstrip("/") + "/", values],
        )

    page.seed = seed
    page.raw = lambda key: page.evaluate("k => localStorage.getItem(k)", scope.rstrip("/") + "/." + key)
    page.aside = lambda: page.evaluate(
        "k => { const l = JSON.parse(localStorage.getItem(k) || '[]'); return l.map(r => [r.key, r.reason, "
        "localStorage.getItem(k.replace(/study\\.quarantine$/, '') + r.slot)]); }",
        scope.rstrip("/") + "/.study.quarantine",
    )
    yield page
    ctx.close()
    assert not errors, errors


def cards(page) -> dict:
    return page.evaluate("() => studyReview.store().cards")


def a_card(site) -> tuple[str, dict]:
    """One real card as the scheduler writes it: rated Good once, at a fixed time."""
    qid = site.questions[0]["id"]
    return qid, {
        "card": {
            "due": "2026-01-03T10:00:00.000Z",
            "stability": 2.3,
            "difficulty": 2.1,
            "elapsed_days": 0,
            "scheduled_days": 2,
            "learning_steps": 0,
            "reps": 1,
            "lapses": 0,
            "state": 2,
            "last_review": "2026-01-01T10:00:00.000Z",
        },
        "log": [{"rating": "good", "at": "2026-01-01T10:00:00.000Z"}],
        "known": False,
        "updated": "2026-01-01T10:00:00.000Z",
    }


def test_ticks_saved_by_the_previous_release_keep_their_meaning(fresh, site):
    """The previous release ticked a question as "q/<id>/": true (and flipped it to false on the first
    visit when the question had no review card). The tick stays, and stays ticked."""
    qid = site.questions[5]["id"]
    nb = "notebooks/tensors/"
    fresh.seed({"study.plan": json.dumps({f"q/{qid}/": True, nb: True})})
    fresh.goto(site.url("study-plan/"), wait_until="networkidle")
    box = fresh.locator(f".study-plan li:has(a[href*='/q/{qid}/']) input[type=checkbox]")
    assert box.is_checked()
    assert fresh.locator(".study-plan li:has(a[href$='notebooks/tensors/']) input").is_checked()
    fresh.reload(wait_until="networkidle")
    assert box.is_checked()
    assert json.loads(fresh.raw("study.plan")) == {f"q/{qid}/": True, nb: True}


def test_a_saved_card_missing_a_field_is_repaired_not_dropped(fresh, site):
    qid, entry = a_card(site)
    del entry["card"]["learning_steps"]
    fresh.seed({"study.fsrs": json.dumps({"version": 1, "cards": {qid: entry}})})
    fresh.goto(site.url("review/"), wait_until="networkidle")
    kept = cards(fresh)[qid]
    assert isinstance(kept["card"]["learning_steps"], int) and kept["log"] == entry["log"]
    assert kept["card"]["state"] == 2 and kept["card"]["due"].startswith("2026-01-03")  # replayed from its log
    # and the next rating adds to it instead of replacing it
    fresh.goto(site.url(site.question(qid)["permalink"]), wait_until="networkidle")
    fresh.evaluate("id => Study.store.rate(id, 'good')", qid)
    assert [e["rating"] for e in cards(fresh)[qid]["log"]] == ["good", "good"]
    assert fresh.aside() == []


def test_cards_stored_as_an_array_are_kept_aside_and_new_ratings_are_saved(fresh, site):
    qid, entry = a_card(site)
    old = json.dumps({"version": 1, "cards": [dict(entry, id=qid)]})
    fresh.seed({"study.fsrs": old})
    fresh.goto(site.url("review/"), wait_until="networkidle")
    notice = fresh.locator(".study-notice")
    notice.wait_for()  # drawn once the page's scripts have read the store
    assert "cards saved as a list" in notice.text_content()
    assert [(k, v) for k, _, v in fresh.aside()] == [("study.fsrs", old)]  # byte for byte
    fresh.locator(".rv-reveal").click()
    rated = fresh.locator(".rv-stage").get_attribute("data-qid")
    fresh.locator(".rv-rate [data-rating=good]").click()
    fresh.reload(wait_until="networkidle")
    assert rated in cards(fresh) and json.loads(fresh.raw("study.fsrs"))["cards"][rated]["log"]


@pytest.mark.parametrize(
    "value, reason",
    [
        ('{"version": 1, "cards": {"x": ', "not readable"),
        ('{"version": 7, "cards": {}, "decks": []}', "another version"),
        ('"' + "x" * 2_100_000 + '"', "too large"),
    ],
    ids=["corrupt", "old-schema", "oversized"],
)
def test_unreadable_progress_is_kept_aside_and_reported(fresh, site, value, reason):
    fresh.seed({"study.fsrs": value})
    fresh.goto(site.url("topics/"), wait_until="networkidle")
    notice = fresh.locator(".study-notice")
    notice.wait_for()
    assert "Nothing was deleted" in notice.text_content() and reason in notice.text_content()
    ((key, why, kept),) = fresh.aside()
    assert key == "study.fsrs" and reason in why and kept == value
    # the reader can take it with them, or let it go
    with fresh.expect_download() as download:
        notice.locator("[data-action=aside-download]").click()
    with open(download.value.path(), encoding="utf-8") as f:
        assert f.read() == value
    notice.locator("[data-action=aside-discard]").click()
    assert fresh.locator(".study-notice").count() == 0 and fresh.aside() == []


def test_an_unreadable_card_is_kept_aside_and_the_others_stay(fresh, site):
    qid, entry = a_card(site)
    broken = {"card": "not a card"}
    fresh.seed({"study.fsrs": json.dumps({"version": 1, "cards": {qid: entry, "other": broken}})})
    fresh.goto(site.url("review/"), wait_until="networkidle")
    assert list(cards(fresh)) == [qid]
    ((key, _, kept),) = fresh.aside()
    assert key == "study.fsrs/other" and json.loads(kept) == broken
    fresh.locator(".study-notice").wait_for()
    assert "study.fsrs/other" in fresh.locator(".study-notice").text_content()


def test_plan_ticks_in_an_unknown_shape_are_kept_aside(fresh, site):
    fresh.seed({"study.plan": '["q/pytorch/"]'})
    fresh.goto(site.url("study-plan/"), wait_until="networkidle")
    fresh.locator(".study-notice").wait_for()
    ((key, _, kept),) = fresh.aside()
    assert key == "study.plan" and kept == '["q/pytorch/"]'
    box = fresh.locator(".study-plan .task-list-item input[type=checkbox]").first
    box.evaluate("b => b.click()")
    assert json.loads(fresh.raw("study.plan")) == {"q/pytorch/": True} or len(json.loads(fresh.raw("study.plan"))) == 1
