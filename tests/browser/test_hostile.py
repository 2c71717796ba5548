"""Hostile input in a real browser: a dump and notes full of HTML/JS/template payloads render as text."""

from __future__ import annotations

import functools
import http.server
import json
import socketserver
import threading

import pytest

from conftest import copy_project, run_mkdocs  # tests/ is on sys.path (tests/browser is a package)
from test_build import HOSTILE_DUMP, HOSTILE_NOTES

MORE_PAYLOADS = """h3 => [ 3) What about <svg onload=alert(6)> and <iframe src="javascript:alert(7)"></iframe>? ]
p => [ <a href="javascript:alert(8)">click</a> <body onload=alert(9)> &lt;img src=x onerror=alert(10)&gt; ]
p => [ <style>body{display:none}</style> ${alert(11)} {{ config.site_name }} ]
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    project = copy_project(
        tmp / "p",
        sources={
            "900_hostile.txt": HOSTILE_DUMP + MORE_PAYLOADS,
            "901_hostile.md": HOSTILE_NOTES,
        },
    )
    out = tmp / "site"
    result = run_mkdocs(project, "build", "--strict", "-d", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *a: None
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_payloads_are_literal_text_and_nothing_runs(hostile_site, browser):
    out, base = hostile_site
    manifest = json.loads((out / "questions.json").read_text(encoding="utf-8"))["questions"]
    pages = sorted(
        {q["url"].split("#")[0] for q in manifest if any(s["file"].startswith("sources/90") for s in q["sources"])}
    )
    assert pages
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script("window.__pwned = 0; window.alert = (m) => { window.__pwned += 1; };")
    text = ""
    for url in pages:
        page.goto(base + url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") == 0, url
        counts = page.evaluate("""() => {
            const a = document.querySelector('article');
            return {
              scripts: a.querySelectorAll('script').length,
              handlers: [...a.querySelectorAll('*')].filter(e => [...e.attributes].some(x => x.name.startsWith('on'))).length,
              iframes: a.querySelectorAll('iframe, svg[onload], style').length,
              jsLinks: [...a.querySelectorAll('a')].filter(e => (e.getAttribute('href') || '').startsWith('javascript')).length,
            };
        }""")
        assert counts == {"scripts": 0, "handlers": 0, "iframes": 0, "jsLinks": 0}, (url, counts)
        text += page.inner_text("article")
    page.close()
    assert dialogs == []
    # the payloads are visible to the reader as the characters they are
    for literal in [
        "<script>alert('dump')</script>",
        "{{ 7*7 }}",
        "{% include 'x' %}",
        "[a link](javascript:alert(3))",
        "<svg onload=alert(6)>",
        "{{ config.site_name }}",
        "<style>body{display:none}</style>",
    ]:
        assert literal in text, literal
