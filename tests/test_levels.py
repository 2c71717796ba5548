"""Question levels (overlay `level:`), the study data the review script reads, and a plan that covers
everything. The browser side is tests/browser/test_review.py."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from studysite import anki, overlay, review, studyplan
from studysite.model import Question, SourceError, SourceRef, Topic
from studysite.pipeline import build_content


@pytest.fixture(scope="module")
def content():
    return build_content(REPO)


def test_every_published_question_has_a_level(content):
    assert content.questions
    for q in content.questions:
        assert q.level in overlay.LEVELS, (q.id, q.level)
    levels = {q.level for q in content.questions}
    assert levels == set(overlay.LEVELS)  # all three are in use: the filters have something to filter


def test_every_overlay_file_sets_its_level_right_after_the_opening_line():
    for path in overlay.overlay_files(REPO / "sources" / "overlay"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "---" and re.fullmatch(r"level: (basic|intermediate|advanced)", lines[1]), path.name


def _overlay_dir(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "sources" / "overlay"
    d.mkdir(parents=True)
    (d / "max-pooling.md").write_text(text, encoding="utf-8")
    return d


def _questions() -> list[Question]:
    ref = SourceRef(file="sources/x.txt", line=3, text="What is max pooling?", reader="dump")
    return [
        Question(id="max-pooling", title="What is max pooling?", key=("max", "pooling"), sources=[ref]),
        Question(id="stride", title="What is stride?", key=("stride",), sources=[ref]),
    ]


def test_level_is_read_and_missing_levels_get_the_default(tmp_path):
    d = _overlay_dir(tmp_path, "---\nlevel: advanced\nsummary: Keeps the largest value.\n---\nBody.\n")
    qs = _questions()
    assert overlay.apply(qs, d, tmp_path) == []
    by_id = {q.id: q for q in qs}
    assert by_id["max-pooling"].level == "advanced"
    assert by_id["stride"].level == overlay.DEFAULT_LEVEL == "intermediate"  # no overlay: the rule


def test_an_invalid_level_names_the_file_and_line(tmp_path):
    d = _overlay_dir(tmp_path, "---\nsummary: Keeps the largest value.\nlevel: expert\n---\nBody.\n")
    qs = _questions()
    (err,) = overlay.apply(qs, d, tmp_path)
    assert isinstance(err, SourceError)
    assert str(err).startswith(
        "sources/overlay/max-pooling.md:3: level 'expert' must be one of basic, intermediate, advanced"
    )
    assert qs[0].summary == ""  # a bad file changes nothing


def test_manifest_and_anki_deck_carry_the_level(content, tmp_path):
    from studysite.render import manifest

    m = manifest(content.questions)
    assert all(entry["level"] in overlay.LEVELS for entry in m["questions"])
    data = anki.anki_package(content.topics, site_url="https://example.org/study/", timestamp=1_700_000_000)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
        (tmp_path / "c.anki2").write_bytes(z.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "c.anki2")
    tags = {flds.split("\x1f")[4]: t.split() for flds, t in conn.execute("SELECT flds, tags FROM notes")}
    conn.close()
    for q in content.questions:
        assert f"level::{q.level}" in tags[q.id], q.id


def test_study_data_lists_every_question_and_maps_aliases_to_survivors(content):
    topics = content.topics
    survivor = topics[0].questions[0]
    survivor.aliases.append("an-old-id")
    try:
        files = review.study_data_files(topics, directory_urls=True)
    finally:
        survivor.aliases.remove("an-old-id")
    js = files[review.DATA_FILE]
    assert js.count("window.STUDY_DATA = ") == 1
    data = json.loads(js.split("window.STUDY_DATA = ", 1)[1].rstrip().rstrip(";"))
    # study-data.js (every page) holds no question: they are in per-topic parts, the aliases in alias parts
    assert data["questions"] == [] and data["aliases"] == {}
    assert data["parts"]["dir"] == review.DATA_DIR
    parts = {name: part_of(text) for name, text in files.items() if name != review.DATA_FILE}
    # "Next in plan" has a part of its own, loaded only on a page opened from the plan
    assert data["parts"]["plan_next"] == review.PLAN_NEXT_FILE.removeprefix(review.DATA_DIR)
    assert "plan_next" in parts.pop(review.PLAN_NEXT_FILE)
    for t in data["topics"]:
        own = [parts[review.topic_part_file(t["slug"], p)] for p in range(t["parts"])]
        assert all(part["topic"] == t["slug"] and len(part["questions"]) <= review.PART_SIZE for part in own)
        assert [q["topic"] for part in own for q in part["questions"]] == [t["slug"]] * t["questions"]
        data["questions"] += [q for part in own for q in part["questions"]]
    for h in range(data["parts"]["alias_parts"]):
        bucket = parts[review.alias_part_file(h)]["aliases"]
        assert all(review.alias_bucket(old) % data["parts"]["alias_parts"] == h for old in bucket)
        data["aliases"].update(bucket)
    data["questions"].sort(key=lambda q: q["order"])
    assert len(parts) == sum(t["parts"] for t in data["topics"]) + data["parts"]["alias_parts"]
    assert [q["id"] for q in data["questions"]] == [q.id for t in topics for q in t.questions]
    assert data["aliases"]["an-old-id"] == survivor.id
    # every alias (the merged questions' IDs too) maps to the question that holds it
    holders = {a: q.id for t in topics for q in t.questions for a in q.aliases}
    assert data["aliases"] == {**holders, "an-old-id": survivor.id}
    assert data["scheduler"]["fuzz"] is False and data["scheduler"]["learning_steps"] == ["10m"]
    assert {q["level"] for q in data["questions"]} <= set(overlay.LEVELS)
    offline = review.study_data(topics, directory_urls=False)
    assert offline["questions"][0]["url"].startswith(f"topics/{topics[0].slug}.html#")


def part_of(js: str) -> dict:
    return json.loads(js.split(".push(", 1)[1].rstrip().removesuffix(");"))


def test_study_data_cannot_close_its_script(content):
    t = Topic(
        "x",
        "X",
        questions=[
            Question(id="evil", title="</script><script>alert(1)</script> & <!--", key=("e",), topic="x", level="basic")
        ],
    )
    files = review.study_data_files([t], directory_urls=True)
    for js in files.values():
        assert "<" not in js.split("\n", 1)[1] and ">" not in js.split("\n", 1)[1].replace("=>", "")
    part = part_of(files[review.topic_part_file("x", 0)])
    assert part["questions"][0]["title"] == "</script><script>alert(1)</script> & <!--"


def test_review_and_quiz_pages_hold_a_card_per_question_and_stay_out_of_search(content):
    pages = review.pages(content.topics, directory_urls=True)
    for name in (review.REVIEW_PAGE, review.QUIZ_PAGE):
        meta = yaml.safe_load(pages[name].split("---", 2)[1])
        assert meta["search"] == {"exclude": True}
    # the review page's markdown carries the deck MkDocs renders (publish_cards cuts it into the chunk
    # scripts); the quiz page reads the same scripts
    ids = re.findall(r'data-card-qid="([^"]+)"', pages[review.REVIEW_PAGE])
    assert ids == [q.id for t in content.topics for q in t.questions]
    assert "data-card-qid" not in pages[review.QUIZ_PAGE]
    chunks = review.card_chunks(content.topics)
    assert [qid for c in chunks for qid in c] == ids and all(len(c) <= review.CARDS_PER_CHUNK for c in chunks)
    assert {review.chunk_file(k) for k in range(len(chunks))} <= set(pages)


def test_the_plan_covers_every_question_and_notebook_and_lists_the_reading_list_apart(content):
    md = studyplan.render(REPO / "sources" / "study-plan.yaml", "sources/study-plan.yaml", content)
    plan, reading = md.split("</div>", 1)
    linked = re.findall(r"\]\(q/([^/]+)/index\.html\)", plan)
    # the curated days are listed; the rest is one note per topic with its count (study-plan.js lists them)
    rest = {m[0]: int(m[1]) for m in re.findall(r'data-plan-topic="([^"]+)" data-plan-count="(\d+)"', plan)}
    assert len(linked) == len(set(linked))
    for t in content.topics:
        assert rest.get(t.slug, 0) == sum(q.id not in linked for q in t.questions), t.slug
    notebooks = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    assert sorted(re.findall(r"\]\(notebooks/([^)]+\.ipynb)\)", plan)) == notebooks
    # curated days first, then the rest by topic
    headings = re.findall(r"^## (.+?)(?: \{ #day-\d+ \})?$", plan, re.M)
    days = yaml.safe_load((REPO / "sources" / "study-plan.yaml").read_text(encoding="utf-8"))["days"]
    # each day has a stable anchor (#day-1 …): the home page and "back to Day N" link to it
    anchors = re.findall(r"^## .+ \{ #(day-\d+) \}$", plan, re.M)
    assert anchors == [f"day-{n}" for n in range(1, len(days) + 1)]
    from studysite.render import md_escape

    assert headings[: len(days)] == [md_escape(d["title"]) for d in days]
    assert all(h.startswith("Then: ") for h in headings[len(days) :])
    # the notes' third-party links: listed, but as plain links (no checkbox, so no progress)
    assert "## Reading list from the original notes" in reading
    assert "[ ]" not in reading
    for link in content.study_links:
        assert link["url"].split("://", 1)[1].split("?")[0].rstrip("/")[:20] in reading


def test_a_notebook_no_day_names_is_placed_under_the_topic_of_its_demos(content, tmp_path):
    plan_file = tmp_path / "sources" / "study-plan.yaml"
    plan_file.parent.mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "cnn.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "notebooks" / "spare.ipynb").write_text("{}", encoding="utf-8")
    plan_file.write_text("title: Plan\ndays: []\n", encoding="utf-8")
    cnn_q = next(q for q in content.questions if q.topic == "cnn")
    from studysite.model import Demo

    cnn_q.demos.append(Demo(notebook="notebooks/cnn.ipynb", cells=[1, 2]))
    try:
        md = studyplan.render(plan_file, "sources/study-plan.yaml", content)
    finally:
        cnn_q.demos.pop()
    section = md.split("## Then: Convolutional neural networks", 1)[1].split("## ", 1)[0]
    assert "](notebooks/cnn.ipynb)" in section
    assert "## Then: more notebooks" in md and "](notebooks/spare.ipynb)" in md.split("## Then: more notebooks", 1)[1]


def test_the_vendored_scheduler_is_the_pinned_version_with_its_licence():
    vendor = REPO / "docs" / "assets" / "vendor" / "ts-fsrs"
    pin = (vendor / "VERSION").read_text(encoding="utf-8").splitlines()[0]
    assert re.fullmatch(r"ts-fsrs@\d+\.\d+\.\d+", pin)
    umd = (vendor / "index.umd.js").read_text(encoding="utf-8")
    assert f'const version="{pin.split("@")[1]}"' in umd and "using FSRS-6" in umd
    assert "sourceMappingURL" not in umd  # no request for a map file the site does not serve
    assert "MIT License" in (vendor / "LICENSE").read_text(encoding="utf-8")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))
    scripts = config["extra_javascript"]
    assert scripts.index(review.DATA_FILE) < scripts.index("assets/javascripts/study-store.js")
    # study-core.js (the shared helpers) first; every study script after the store it reads
    assert scripts[0] == "assets/javascripts/study-core.js"
    store = scripts.index("assets/javascripts/study-store.js")
    for name in ("study-widgets.js", "study-export.js", "study.js"):
        assert scripts.index(f"assets/javascripts/{name}") > store, name
    # the scripts only some pages use are added by study-store.js on those pages, not loaded everywhere
    js = (REPO / "docs" / "assets" / "javascripts" / "study-store.js").read_text(encoding="utf-8")
    for name in ("study-plan.js", "review.js", "../vendor/ts-fsrs/index.umd.min.js"):
        assert f"assets/javascripts/{name}".replace("javascripts/../", "") not in scripts and f'"{name}"]' in js, name
