"""Search and page-weight benchmark: the site as it is and with +10,000 and +50,000 synthetic questions,
built lean (no notebooks) and measured side by side in one run in headless Chromium.

    python bench/bench_search.py [--sizes 0 10000 50000] [--query "max pooling"] [--runs 2]

Per size: build time and the hook's search-indexing step (from the build log), the largest page, and
for each engine — Pagefind (the site's search over http) and Material's own lunr search (the same
build, with search-rank.js told to keep Material's worker) — the time from typing a query right after
landing on topics/ to its results being shown (median of --runs, each in a fresh browser profile), and
the bytes search fetched (sizes of the files on disk: uncompressed, as the test server sends them).
Then the first-visit weight of home, a topic page and review (every file the page loaded, search not
used). Ratios are against the site as it is, in the same run. Never asserted: the machine is shared.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from bench import build  # noqa: E402
from bench_scale import BYTES_PER_QUESTION, largest_page, project_with_dump  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PagesHandler  # noqa: E402

SEARCH_FILES = re.compile(r"/(pagefind/|search/search_index\.js|assets/javascripts/(workers/search|lunr/))")
ENGINES = ("pagefind", "material")


def build_site(base: Path, n: int) -> tuple[Path, float, float]:
    """(site dir, build seconds, search-index seconds) of a lean project with n extra questions."""
    project, _ = project_with_dump(base, n * BYTES_PER_QUESTION / 2**20)
    if not n:  # the site as it is: the seeds only
        (project / "sources" / "900_generated.txt").unlink()
    out = base / f"site-{n}"
    seconds, log = build(project, out, env={"SITE_URL": "http://127.0.0.1:8000/"})
    step = re.search(r"search: \d+ questions indexed \(Pagefind\) in ([\d.]+) s", log)
    return out, seconds, float(step.group(1)) if step else float("nan")


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("Handler", (PagesHandler,), {"prefix": "/", "built_for": "http://127.0.0.1:8000/"})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    handler.served_at = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler.served_at


def file_bytes(site: Path, base: str, urls: list[str]) -> int:
    total = 0
    for url in dict.fromkeys(urls):
        if not url.startswith(base):
            continue
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)[1:]
        f = site / path
        if f.is_dir() or path.endswith("/") or not path:
            f = f / "index.html"
        if f.is_file():
            total += f.stat().st_size
    return total


def time_search(browser, site: Path, base: str, engine: str, query: str) -> tuple[float, int]:
    """Seconds from typing `query` right after landing on topics/ to its results shown; bytes search fetched."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    if engine == "material":
        ctx.add_init_script("window.__studyMaterialSearch = true")
    page = ctx.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(base + "topics/", wait_until="load")
    box = page.locator(".md-search__input")
    start = time.perf_counter()
    box.click()
    box.press_sequentially(query, delay=20)
    shown = (
        "q => { const l = document.querySelector('.md-search-result__list');"
        " return !!(l && l.dataset.studyQuery === q && l.querySelector('.md-search-result__item')); }"
    )
    ready = "() => document.documentElement.dataset.studySearch === 'ready'"
    page.wait_for_function(f"q => ({shown})(q) || ({ready})()", arg=query, timeout=600_000)
    if not page.evaluate(shown, query):
        # Material's worker was still building its index: it drops what was typed before it was ready,
        # so type on (a space and back) as a reader would
        box.press(" ")
        box.press("Backspace")
        page.wait_for_function(shown, arg=query, timeout=600_000)
    seconds = time.perf_counter() - start
    fetched = file_bytes(site, base, [u for u in urls if SEARCH_FILES.search(u)])
    ctx.close()
    return seconds, fetched


def page_weight(browser, site: Path, base: str, path: str) -> int:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(base + path, wait_until="networkidle")
    ctx.close()
    return file_bytes(site, base, urls)


def kib(n: float) -> str:
    return f"{n / 1024:,.0f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10000, 50000], help="extra synthetic questions")
    parser.add_argument("--query", default="max pooling")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows, weights = [], []
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in args.sizes:
            site, build_s, index_s = build_site(Path(tmp) / f"p{n}", n)
            size, largest = largest_page(site)
            server, base = serve(site)
            topic = sorted(p.name for p in (site / "topics").iterdir() if p.is_dir())[0]
            for engine in ENGINES:
                runs = [time_search(browser, site, base, engine, args.query) for _ in range(args.runs)]
                rows.append(
                    (
                        n,
                        engine,
                        statistics.median(r[0] for r in runs),
                        max(r[1] for r in runs),
                        build_s,
                        index_s,
                        size,
                        largest,
                    )
                )
            weights.append(
                (n, {path: page_weight(browser, site, base, path) for path in ("", f"topics/{topic}/", "review/")})
            )
            server.shutdown()
            server.server_close()
            # each size's rows as soon as they are measured (a +50,000 build can outlast the session)
            print(f"size +{n}: done {rows[-len(ENGINES) :]} first visit {weights[-1][1]}", file=sys.stderr, flush=True)
        browser.close()
        report(rows, weights, args)  # before the temporary builds are removed (slow at 50,000)


def report(rows, weights, args) -> None:
    first = {engine: next(r[2] for r in rows if r[1] == engine) for engine in ENGINES}
    print(f"\nquery {args.query!r}, typed right after landing on topics/ (median of {args.runs})\n")
    print(
        "| extra questions | engine | first result | × as it is | × Material as it is | search fetched | "
        "build | index step | largest page |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n, engine, secs, fetched, build_s, index_s, size, largest in rows:
        print(
            f"| +{n:,} | {engine} | {secs:.2f} s | {secs / first[engine]:.2f} | {secs / first['material']:.2f} | "
            f"{kib(fetched)} | {build_s:.1f} s | {index_s:.2f} s | {kib(size)} ({largest}) |"
        )
    print("\nfirst visit, search not used (every file loaded, uncompressed)\n")
    print("| extra questions | home | topic page | review |")
    print("| --- | --- | --- | --- |")
    for n, w in weights:
        print(f"| +{n:,} | " + " | ".join(kib(v) for v in w.values()) + " |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
