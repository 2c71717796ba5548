"""Browser-test fixtures: the built site served like GitHub Pages serves it, and a headless Chromium.

The site comes from the `built_site` fixture in tests/conftest.py (one `mkdocs build --strict` per test
session, or the already-built site that SITE_DIR names), so running the whole suite builds only once.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}  # screenshot tests run at both
# The study flow is checked where candidates read: a 1366×900 laptop (mouse) and a 390×844 phone (touch).
STUDY_VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "has_touch": True,
        "is_mobile": True,
        "device_scale_factor": 1,
    },
}


def site_url(site: Path) -> str:
    """The site_url the site was built for, read back from the home page's canonical link."""
    html = (site / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    return match.group(1) if match else "/"


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Static files under `prefix`; anything missing gets 404.html with status 404, like GitHub Pages.

    sitemap.xml is served as if the site had been built for this server's address: Material's instant
    navigation only takes over links the sitemap lists, and a deployed site's sitemap names its own host.
    """

    prefix = "/"
    built_for = ""  # site_url of the build
    served_at = ""  # this server's base URL

    def log_message(self, *args):  # keep test output clean
        pass

    def translate_path(self, path):
        url_path = urllib.parse.urlsplit(path).path
        if not url_path.startswith(self.prefix):
            return os.path.join(self.directory, "\0outside-site")  # can't exist → 404
        return super().translate_path("/" + url_path[len(self.prefix) :])

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path == self.prefix + "sitemap.xml" and self.built_for:
            body = Path(self.directory, "sitemap.xml").read_text(encoding="utf-8")
            body = body.replace(f"<loc>{self.built_for}", f"<loc>{self.served_at}").encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def send_error(self, code, message=None, explain=None):
        not_found = Path(self.directory, "404.html")
        if code != 404 or not not_found.exists():
            return super().send_error(code, message, explain)
        body = not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@dataclass
class Site:
    dir: Path
    base: str  # http://127.0.0.1:<port>/<prefix>, ends with "/"

    @property
    def origin(self) -> str:
        parts = urllib.parse.urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")

    @functools.cached_property
    def questions(self) -> list[dict]:
        return json.loads((self.dir / "questions.json").read_text(encoding="utf-8"))["questions"]

    def question(self, qid: str) -> dict:
        for q in self.questions:
            if q["id"] == qid:
                return q
        raise AssertionError(f"question id {qid!r} is not in questions.json")

    def topic_pages(self) -> list[str]:
        return sorted({q["url"].split("#")[0] for q in self.questions})


@pytest.fixture(scope="session")
def site(built_site) -> Site:
    site_dir = Path(built_site[0])
    assert (site_dir / "questions.json").exists(), f"{site_dir} is not a built study site (no questions.json)"
    built_for = site_url(site_dir)
    prefix = urllib.parse.urlsplit(built_for).path or "/"
    handler_class = type("Handler", (PagesHandler,), {"prefix": prefix, "built_for": built_for})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler_class, directory=str(site_dir))
    )
    handler_class.served_at = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Site(site_dir, handler_class.served_at)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium, or run "
        "./scripts/test), or point the CHROMIUM environment variable at a Chrome/Chromium binary"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watch:
    """What a page did: console errors, uncaught exceptions, and every URL it requested."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def context(browser):
    """A fresh browser profile (empty localStorage) per test, desktop-sized."""
    ctx = browser.new_context(viewport=DESKTOP)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    watch = Watch()
    page.on(
        "console", lambda m: m.type == "error" and watch.console_errors.append(f"{m.text} @ {m.location.get('url')}")
    )
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    page.on("request", lambda r: watch.requests.append(r.url))
    page.watch = watch
    return page


@pytest.fixture(scope="session")
def shots_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {path}")
    return path
