"""A question merged into another keeps landing: its old ID is an anchor on the merged question's section
and its q/<id>/ permalink redirects there. Built from the project plus one file that paraphrases a site
question (no notebooks, so the build is quick)."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading

import pytest

from conftest import copy_project, run_mkdocs

from .conftest import PagesHandler
from .ui import settles

ALIAS, SURVIVOR = "vanishing-exploding-gradient", "exploding-vanishing-gradient"
PARAPHRASE = (
    "h3 => [ 1) What Are Vanishing and Exploding Gradients? ]\n"
    "p => [ Gradients shrink or blow up as they flow back through many layers. ]\n"
)


@pytest.fixture(scope="module")
def merged_site(tmp_path_factory):
    # demos are not what this checks: no notebooks (and a study plan that names none), so no kernel runs
    plan = "title: Plan\ndays:\n  - title: Day 1\n    questions: [exploding-vanishing-gradient]\n"
    project = copy_project(
        tmp_path_factory.mktemp("merged") / "p", sources={"zzz_paraphrase.txt": PARAPHRASE, "study-plan.yaml": plan}
    )
    shutil.rmtree(project / "notebooks")
    (project / "notebooks").mkdir()
    out = project.parent / "site"
    result = run_mkdocs(project, "build", "-d", str(out), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    handler = type("Handler", (PagesHandler,), {"prefix": "/"})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_merged_id_lands_through_permalink_and_anchor(page, merged_site):
    out, base = merged_site
    q = next(q for q in json.loads((out / "questions.json").read_text())["questions"] if q["id"] == SURVIVOR)
    assert ALIAS in q["aliases"] and len(q["sources"]) == 2
    topic_url = base + q["url"].split("#")[0]

    page.goto(base + f"q/{ALIAS}/", wait_until="commit")  # the old permalink
    page.wait_for_url(re.compile(re.escape("#" + SURVIVOR) + "$"), wait_until="load")
    assert page.url == topic_url + "#" + SURVIVOR

    page.goto(topic_url + "#" + ALIAS, wait_until="load")  # an old #anchor link
    # the anchor sits right before the merged question's heading, and the browser scrolled there
    assert page.locator(f"#{ALIAS}").evaluate("e => e.nextElementSibling.id") == SURVIVOR
    assert settles(
        page,
        """id => { const r = document.getElementById(id).getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= innerHeight; }""",
        SURVIVOR,
    )
    assert page.evaluate("() => scrollY") > 0
    assert not page.watch.page_errors
