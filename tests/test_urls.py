"""Every question URL the site publishes lands on the page that really holds the question.

Built on a lean project copy (no notebooks) with STUDY_PAGE_SIZE=4, so most topics are split over
several pages (`topics/<slug>/`, `topics/<slug>--2/`, …): questions.json, study-data.js, the study
plan, the exports (Anki deck, CSV, the exported docs tree) and the follow-up links under each
interview answer are all checked against the HTML of the page each one lands on.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html as lxml_html

from conftest import lean_project, run_mkdocs

SITE_URL = "https://example.org/study/"
PAGE_SIZE = 4


class Site:
    """A built site read from disk: pages by URL, and where a link lands after permalink redirects."""

    def __init__(self, root: Path, directory_urls: bool):
        self.root = root
        self.directory_urls = directory_urls
        self._trees: dict[str, lxml_html.HtmlElement] = {}
        if directory_urls:
            found = [p.parent for p in (root / "topics").glob("*/index.html")]
            self.topic_pages = sorted(p.relative_to(root).as_posix() + "/" for p in found)
        else:
            found = [p for p in (root / "topics").glob("*.html") if p.name != "index.html"]
            self.topic_pages = sorted(p.relative_to(root).as_posix() for p in found)
        self.index = "" if directory_urls else "index.html"  # what a folder link ends with

    def file(self, url: str) -> Path:
        path = urlsplit(url).path
        return self.root / (path + "index.html" if path.endswith("/") or path == "" else path)

    def tree(self, url: str) -> lxml_html.HtmlElement:
        page = urlsplit(url).path
        if page not in self._trees:
            self._trees[page] = lxml_html.fromstring(self.file(page).read_bytes())
        return self._trees[page]

    def land(self, url: str, hops: int = 3) -> str:
        """The site-relative URL a link ends on, following the permalink pages' refresh redirects."""
        assert self.file(url).is_file(), f"{url}: no such page"
        refresh = self.tree(url).xpath('//meta[@http-equiv="refresh"]/@content')
        if not refresh:
            return url
        assert hops > 0, f"{url}: redirect loop"
        target = refresh[0].split("url=", 1)[1]
        return self.land(resolve(url, target), hops - 1)

    def holds(self, url: str) -> tuple[str, str]:
        """(page, anchor) a question link lands on; fails unless that page has the anchor."""
        final = self.land(url)
        page, _, anchor = final.partition("#")
        assert anchor, f"{url} → {final}: no anchor"
        assert self.tree(page).xpath(f'//*[@id="{anchor}"]'), f"{url} → {final}: the page has no #{anchor}"
        return page, anchor


def resolve(page_url: str, href: str) -> str:
    """A link on page_url (site-relative) as a site-relative URL."""
    joined = urljoin("http://site.invalid/" + page_url, href)
    parts = urlsplit(joined)
    assert parts.netloc == "site.invalid", f"{href} on {page_url} leaves the site"
    return parts.path.lstrip("/") + (f"#{parts.fragment}" if parts.fragment else "")


def page_of(site: Site, qid: str) -> str:
    """The topic page that has the question's heading (found in the HTML, not in any manifest)."""
    found = [url for url in site.topic_pages if site.tree(url).xpath(f'//h2[@id="{qid}"]')]
    assert len(found) == 1, f"{qid} is on {found}"
    return found[0]


@pytest.fixture(scope="module", params=["directory-urls", "offline"])
def split_site(request, tmp_path_factory) -> tuple[Site, Path]:
    """The lean site built as hosted (directory URLs) and as the offline copy (`x.html` URLs)."""
    base = tmp_path_factory.mktemp(request.param)
    project = lean_project(base / "p")
    out, export = base / "site", base / "export"
    env = {"STUDY_PAGE_SIZE": str(PAGE_SIZE), "SITE_URL": SITE_URL, "STUDY_EXPORT_DIR": str(export)}
    config = ["-f", "mkdocs-offline.yml"] if request.param == "offline" else []
    result = run_mkdocs(project, "build", *config, "--strict", "-d", str(out), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return Site(out, directory_urls=request.param == "directory-urls"), export


def manifest(site: Site) -> list[dict]:
    return json.loads(site.file("questions.json").read_text(encoding="utf-8"))["questions"]


def study_data(site: Site) -> dict:
    """study-data.js with its parts (the questions per topic, the aliases) put back in."""
    text = site.file("assets/javascripts/study-data.js").read_text(encoding="utf-8")
    data = json.loads(text.split("window.STUDY_DATA = ", 1)[1].rstrip().removesuffix(";"))
    for part in sorted(site.file("assets/javascripts/study-data").glob("*.js")):
        body = json.loads(part.read_text(encoding="utf-8").split(".push(", 1)[1].rstrip().removesuffix(");"))
        data["questions"] += body.get("questions", [])
        data["aliases"].update(body.get("aliases", {}))
    return data


def test_topics_really_are_split(split_site):
    site, _ = split_site
    split = [u for u in site.topic_pages if "--" in u]
    assert len(split) >= 10
    for url in site.topic_pages:
        assert len(site.tree(url).xpath("//h2[contains(@class, 'qa-q')]")) <= PAGE_SIZE


def test_manifest_urls_land_on_the_question(split_site):
    site, _ = split_site
    wrong = []
    for q in manifest(site):
        for url in (q["url"], q["permalink"], *(f"q/{a}/" for a in q["aliases"])):
            page, anchor = site.holds(url)
            if page != page_of(site, q["id"]) or anchor not in (q["id"], *q["aliases"]):
                wrong.append(url)
    assert wrong == []


def test_study_data_urls_land_on_the_question(split_site):
    site, _ = split_site
    data = study_data(site)
    wrong = []
    for q in data["questions"]:
        for url in (q["url"], q["permalink"]):
            page, anchor = site.holds(url)
            if (page, anchor) != (page_of(site, q["id"]), q["id"]):
                wrong.append(url)
    assert wrong == []
    for name in ("review", "quiz", "topics", "study_plan"):  # the study pages' URLs the scripts read
        assert site.file(data["pages"][name]).is_file(), (name, data["pages"][name])
    for t in data["topics"]:  # a topic's URL is its first page
        assert site.file(t["url"]).is_file(), t["url"]
        assert t["url"] == (f"topics/{t['slug']}/" if site.directory_urls else f"topics/{t['slug']}.html")


def links_to_questions(site: Site, page: str, xpath: str) -> list[tuple[str, str]]:
    """(href as resolved, question ID it names) for every question link the xpath selects on a page."""
    out = []
    for a in site.tree(page).xpath(xpath):
        url = resolve(page, a.get("href"))
        m = re.match(r"q/([^/]+)/", url)
        qid = m.group(1) if m else url.partition("#")[2]
        out.append((url, qid))
    return out


def test_study_plan_links_land_on_the_question(split_site):
    site, _ = split_site
    plan = "study-plan/" if site.directory_urls else "study-plan.html"
    links = links_to_questions(site, plan, "//div[contains(@class, 'study-plan')]//a[contains(@href, 'q/')]")
    # the plan covers every question: its curated days link theirs, and each topic's note counts the rest
    # (study-plan.js lists them from the study data's permalinks, checked in the test above)
    rest = sum(int(n) for n in site.tree(plan).xpath("//p[@data-plan-topic]/@data-plan-count"))
    assert links and len(links) + rest == len(manifest(site))
    for url, qid in links:
        assert site.holds(url) == (page_of(site, qid), qid), url


def test_follow_up_and_pager_links_land_on_their_target(split_site):
    site, _ = split_site
    follow_ups = 0
    for page in site.topic_pages:
        for url, qid in links_to_questions(site, page, "//div[contains(@class, 'qa-follow-ups')]//a"):
            assert site.holds(url) == (page_of(site, qid), qid), f"{url} on {page}"
            follow_ups += 1
        for a in site.tree(page).xpath("//a[contains(@href, '--') or contains(@href, '../')]"):
            target = resolve(page, a.get("href"))
            if target.startswith("topics/"):
                assert site.file(target).is_file(), f"{a.get('href')} on {page}"
    assert follow_ups >= 20


def test_topics_index_links_land_on_pages_that_exist(split_site):
    site, _ = split_site
    index = "topics/" + site.index
    for a in site.tree(index).xpath("//article//a[@href]"):
        url = resolve(index, a.get("href"))
        if "#" in url:
            site.holds(url)
        else:
            assert site.file(url).is_file(), url


def test_exported_permalinks_land_on_the_question(split_site, tmp_path):
    site, export = split_site
    rows = list(csv.DictReader(io.StringIO(site.file("downloads/pytorch-interview-questions.csv").read_text("utf-8"))))
    assert len(rows) == len(manifest(site))
    for row in rows:
        assert row["permalink"].startswith(SITE_URL)
        assert site.holds(row["permalink"].removeprefix(SITE_URL)) == (page_of(site, row["id"]), row["id"])
    with zipfile.ZipFile(site.file("downloads/pytorch-interview.apkg")) as z:
        db = tmp_path / "collection.anki2"
        db.write_bytes(z.read("collection.anki2"))
    fields = [f.split("\x1f") for (f,) in sqlite3.connect(db).execute("select flds from notes")]
    assert len(fields) == len(rows)
    for _title, _answer, _topic, link, qid in fields:
        assert site.holds(link.removeprefix(SITE_URL)) == (page_of(site, qid), qid)
    # the exported docs tree publishes the same URLs as the site
    for name in ("questions.json", "assets/javascripts/study-data.js", f"q/{rows[0]['id']}/index.html"):
        assert (export / "docs" / name).read_bytes() == site.file(name).read_bytes(), name
    # and the card chunks as review/ filled them (it renders after the export is copied), not placeholders:
    # the quiz of a site built from the export shows every answer
    cards = "assets/javascripts/study-cards/cards-0.js"
    assert "StudyCards" in (export / "docs" / cards).read_text(encoding="utf-8")
    assert (export / "docs" / cards).read_bytes() == site.file(cards).read_bytes()


def test_link_and_url_rules_for_both_styles():
    from studysite import urls
    from studysite.model import Question

    assert urls.link("topics/cnn.md", urls.notebook_image_src("")) == "../notebooks/img/"  # a prefix stays a folder
    assert urls.link("topics/cnn--2.md", urls.TOPICS_INDEX) == "index.md"
    assert urls.permalink_link("study-plan.md", "x") == "q/x/index.html"
    q = Question(id="x", title="X?", key=("x",), topic="cnn", page="cnn--2")
    hosted, offline = urls.Urls(directory_urls=True), urls.Urls(directory_urls=False)
    assert (hosted.question_url(q), offline.question_url(q)) == ("topics/cnn--2/#x", "topics/cnn--2.html#x")
    assert (hosted.permalink_url("x"), offline.permalink_url("x")) == ("q/x/", "q/x/index.html")
    assert hosted.permalink_target(q) == "../../topics/cnn--2/#x"
    assert offline.permalink_target(q) == "../../topics/cnn--2.html#x"
    nb = hosted.notebook_url("cnn.ipynb")
    assert (nb, hosted.relative(nb, "downloads/cnn.ipynb"), hosted.relative(nb, "notebooks/")) == (
        "notebooks/cnn/",
        "../../downloads/cnn.ipynb",
        "../",
    )
    assert offline.relative(offline.notebook_url("cnn.ipynb"), "notebooks/index.html") == "index.html"


def test_no_module_but_urls_formats_a_page_path():
    """One owner: a page path or URL built in an f-string anywhere else is how the split-topic bug began."""
    hand_built = re.compile(r"""f["'][^"'\n]*(?:topics/\{|q/\{|notebooks/\{|downloads/\{|\.\./)""")
    hooks = Path(__file__).resolve().parents[1] / "hooks"
    found = [
        f"{path.relative_to(hooks)}:{n}"
        for path in sorted(hooks.rglob("*.py"))
        if path.name != "urls.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if hand_built.search(line)
    ]
    assert found == []
