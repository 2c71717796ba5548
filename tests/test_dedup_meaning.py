"""Deduplication by meaning: paraphrases merge, look-alikes stay apart, decisions win, IDs never break."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from conftest import copy_project
from studysite import similarity
from studysite.dedup import Decisions, find_duplicates, question_id, question_key
from studysite.clean import clean_title
from studysite.model import Block, SourceError, SourceRef
from studysite.pipeline import ContentError, build_content
from studysite.readers import raw_source_files, read_file
from studysite.readers.base import RawQuestion
from studysite.similarity import Glossary, compare
from studysite.topics import load_topic_map

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = Glossary.load(REPO / "sources" / "glossary.yaml", "sources/glossary.yaml")


def raw(title: str, answer: str = "An answer.", file: str = "sources/a.txt", line: int = 1) -> RawQuestion:
    return RawQuestion(SourceRef(file, line, title, "dump"), title, [Block("para", answer)])


def own_id(title: str) -> str:
    return question_id(question_key(clean_title(title)))


def seed_raws() -> list[RawQuestion]:
    sources = REPO / "sources"
    return [q for p in raw_source_files(sources) for q in read_file(p, p.relative_to(REPO).as_posix()).questions]


# The wordings the issue names: real files by other authors against the site's questions.
PARAPHRASES = [
    ("What Are Vanishing and Exploding Gradients?", "What do you mean by exploding and vanishing gradients?"),
    ("What is gradient clipping and when is it used?", "What do you understand by Gradient Clipping?"),
    ("Describe Adam's optimization algorithm", "Explain the Adam Optimizer in one minute."),
    ("What is a Perceptron? How does it work?", "What is perceptron?"),
    ("How do you save and load a trained model in PyTorch?", "How do you save and load a model in PyTorch?"),
    ("What are convolutional neural networks (CNNs)?", "What is Convolutional Neural Network?"),
]


@pytest.mark.parametrize("a, b", PARAPHRASES)
def test_paraphrases_merge(a, b):
    result = find_duplicates([raw(a, line=1), raw(b, file="sources/b.txt", line=1)], glossary=GLOSSARY)
    (q,) = result.questions
    assert q.id == own_id(a) and q.aliases == [own_id(b)]  # first in source order survives; nothing pinned


# The seeds' look-alikes, and their like from other files: never merged by the scorer (no decisions).
LOOK_ALIKES = [
    (
        "Can you train a neural network model by initializing all biases as 0?",
        "Can you train a neural network model by initializing all the weights to 0?",
    ),
    ("What is Max Pooling?", "What is Average Pooling?"),
    ("What is Max Pooling?", "What is Sum Pooling?"),
    ("What is Average Pooling?", "What is Sum Pooling?"),
    ("What is the CIFAR-10 dataset?", "What is the difference between CIFAR-10 and CIFAR-100 dataset?"),
    ("What do you mean by Stride?", "What do you mean by Padding?"),
    ("What is L1 regularization?", "What is L2 regularization?"),
    ("What is dropout?", "What is batch normalization?"),
    ("What is a Type I error?", "What is a Type II error?"),
    ("How does a GRU work?", "How does an LSTM work?"),
    ("Which loss is used for classification?", "Which loss is used for regression?"),
    ("What is batch normalization?", "How do you implement batch normalization in PyTorch?"),
    ("What is activation function?", "Why we used activation function in neural network?"),
    # the same words around other values ask other things (the embedding barely sees a number)
    ("Explain the architecture of ResNet-18.", "Explain the architecture of ResNet-50."),
    ("What is synthetic concept 17 in the layer family 20?", "What is synthetic concept 18 in the layer family 21?"),
]


@pytest.mark.parametrize("a, b", LOOK_ALIKES)
def test_look_alikes_never_merge_automatically(a, b):
    result = find_duplicates([raw(a), raw(b, file="sources/b.txt")], glossary=GLOSSARY)
    assert len(result.questions) == 2


def test_many_numbered_look_alikes_stay_apart():
    """1,000 titles that differ only in their numbers (the shape of bench.synthetic_dump) stay 1,000
    questions. The +3,000 page-weight build relies on it: such titles once all fused into one cluster.
    (1,000 shows that as well as 3,000 and encodes a third of the texts.)"""
    raws = [
        raw(
            f"What is synthetic concept {i} in the layer family {i % 97}?",
            f"Concept {i} relates to layer {i % 13}.",
            line=i,
        )
        for i in range(1, 1001)
    ]
    result = find_duplicates(raws, glossary=GLOSSARY)
    assert len(result.questions) == 1000


def test_seeds_keep_their_merges_and_their_look_alikes_apart_without_decisions():
    pinned = load_topic_map(REPO / "sources" / "topics.yaml", "sources/topics.yaml")["questions"]
    result = find_duplicates(seed_raws(), glossary=GLOSSARY, decisions=Decisions(), pinned=pinned)
    by_person = Decisions.load(REPO / "sources" / "duplicates.yaml", "sources/duplicates.yaml")
    agreed = {frozenset((a, b)) for a, b, _ in by_person.same}
    # the 14 merges of equal wordings; what the model adds on its own is only what a person also decided
    assert len(result.questions) == 82 - len(result.merged_by_meaning)
    assert {frozenset(p) for p in result.merged_by_meaning} <= agreed
    ids = {q.id for q in result.questions}
    assert {
        "train-neural-network-model-initializing-all-bias-0",
        "train-neural-network-model-initializing-all-weight-0",
        "max-pooling",
        "average-pooling",
        "sum-pooling",
        "cifar-10-dataset",
        "difference-between-cifar-10-cifar-100-dataset",
        "stride",
        "padding",
    } <= ids
    # with nothing pinned, the model decides alone: the look-alikes still stay apart
    free = find_duplicates(seed_raws(), glossary=GLOSSARY, decisions=Decisions())
    fused = {frozenset((a, b)) for a, b in free.merged_by_meaning}
    for a, b in [
        ("max-pooling", "average-pooling"),
        ("max-pooling", "sum-pooling"),
        ("average-pooling", "sum-pooling"),
        ("cifar-10-dataset", "difference-between-cifar-10-cifar-100-dataset"),
        ("stride", "padding"),
        ("train-neural-network-model-initializing-all-bias-0", "train-neural-network-model-initializing-all-weight-0"),
    ]:
        assert frozenset((a, b)) not in fused and {a, b} <= {q.id for q in free.questions}


@pytest.fixture(scope="module")
def with_new_file(tmp_path_factory):
    """The project with a real file by another author dropped in: new questions, so candidates to review."""
    corpus = REPO / "tests" / "corpus" / "serahsoltani-deep-learning.md"
    project = copy_project(tmp_path_factory.mktemp("p") / "p", sources={"zz-serah.md": corpus.read_text()})
    return build_content(project)


def test_the_build_lists_the_undecided_candidates(with_new_file):
    content = with_new_file
    decided = Decisions.load(REPO / "sources" / "duplicates.yaml", "sources/duplicates.yaml")
    apart = {frozenset((a, b)) for a, b, _ in decided.different}
    assert content.candidates and all(frozenset(c.ids) not in apart for c in content.candidates)
    assert any("may be duplicates" in n for n in content.notes)


def test_merged_answer_reads_as_one_and_lists_every_copy():
    a = raw(
        "What Are Vanishing and Exploding Gradients?",
        "Gradients shrink or grow exponentially through layers. Clipping helps with exploding ones.",
        "sources/x.md",
        4,
    )
    b = raw(
        "What do you mean by exploding and vanishing gradients?",
        "Gradients shrink or grow exponentially through layers. ReLU and residual connections help with vanishing ones.",
        "sources/y.txt",
        9,
    )
    (q,) = find_duplicates([a, b], glossary=GLOSSARY).questions
    text = " ".join(blk.plain() for blk in q.blocks)
    assert text.count("Gradients shrink or grow exponentially") == 1
    assert "Clipping helps" in text and "residual connections" in text  # richer parts of both kept
    assert [(s.file, s.line) for s in q.sources] == [("sources/x.md", 4), ("sources/y.txt", 9)]


def test_pinned_id_stays_primary_whatever_the_new_file_is_called():
    old = raw("What do you mean by exploding and vanishing gradients?", file="sources/500_old.txt")
    new = raw("What Are Vanishing and Exploding Gradients?", file="sources/000_new.txt")  # sorts first
    pinned = [own_id(old.title)]
    (q,) = find_duplicates([new, old], glossary=GLOSSARY, pinned=pinned).questions
    assert q.id == own_id(old.title) and q.aliases == [own_id(new.title)]
    assert q.title == "What do you mean by exploding and vanishing gradients?"
    (q,) = find_duplicates([new, old], glossary=GLOSSARY).questions  # unpinned: first in source order
    assert q.id == own_id(new.title)


def test_decisions_win_over_the_scorer():
    a, b = raw("What is Max Pooling?"), raw("What is Average Pooling?", file="sources/b.txt")
    c, d = (
        raw("What is gradient clipping?"),
        raw("What is gradient clipping and when is it used?", file="sources/b.txt", line=2),
    )
    same = Decisions(same=[("max-pooling", "average-pooling", 3)])
    merged = find_duplicates([a, b], glossary=GLOSSARY, decisions=same).questions
    assert [(q.id, q.aliases) for q in merged] == [("max-pooling", ["average-pooling"])]
    assert len(find_duplicates([c, d], glossary=GLOSSARY).questions) == 1  # the scorer alone merges them
    different = Decisions(different=[("gradient-clipping", own_id(d.title), 5)])
    result = find_duplicates([c, d], glossary=GLOSSARY, decisions=different)
    assert len(result.questions) == 2 and not result.candidates


def test_unknown_id_in_decisions_names_file_and_line(tmp_path):
    text = "# decisions\nsame:\n  - [max-pooling, average-pooling]\ndifferent:\n  - [stride, no-such-question]\n"
    project = copy_project(tmp_path / "p", sources={"duplicates.yaml": text})
    with pytest.raises(ContentError) as e:
        build_content(project)
    assert str(e.value.errors[0]).startswith(
        "sources/duplicates.yaml:5: 'no-such-question' is not the ID of any source question"
    )


def test_unknown_id_fails_the_build(tmp_path):
    from mkdocs.exceptions import PluginError

    from studysite.site import StudySite

    project = copy_project(tmp_path / "p", sources={"duplicates.yaml": "same:\n  - [max-pooling, max-poolin]\n"})
    with pytest.raises(PluginError, match=r"sources/duplicates\.yaml:2: 'max-poolin' is not the ID"):
        StudySite(project, "build").load()


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("same:\n  - [max-pooling]\n", 2, "pair of two different question IDs"),
        ("same:\n  - [stride, stride]\n", 2, "pair of two different question IDs"),
        ("merge:\n  - [stride, padding]\n", 1, "unknown key 'merge'"),
        ("same: [stride, padding\n", 2, "invalid YAML"),
    ],
)
def test_malformed_decisions_name_the_line(tmp_path, text, line, message):
    path = tmp_path / "duplicates.yaml"
    path.write_text(text)
    with pytest.raises(SourceError) as e:
        Decisions.load(path, "sources/duplicates.yaml")
    assert e.value.line == line and message in str(e.value)


def test_contradicting_decisions_are_an_error():
    a, b, c = raw("What is X?"), raw("What is X two?", line=2), raw("What is X three?", line=3)
    decisions = Decisions(same=[("x", "x-two", 2)], different=[("x-two", "x", 4)])
    with pytest.raises(SourceError, match=r"duplicates\.yaml:4: 'x-two' and 'x' are listed as different"):
        find_duplicates([a, b, c], glossary=GLOSSARY, decisions=decisions)


def test_glossary_is_data_and_its_errors_name_the_file(tmp_path):
    g = Glossary.from_data(
        {
            "synonyms": {"frobnicator": ["frob net"]},
            "contrasts": [["red", "blue"]],
            "filler": ["what", "is", "a", "the"],
        }
    )
    assert g.terms("What is a frob net?") == ["frobnicator"]
    assert g.contrast(g.terms("the red frob net"), g.terms("the blue frob net")) == ("blue", "red")
    bad = tmp_path / "glossary.yaml"
    bad.write_text("synonyms:\n  cnn: [convnet\n")
    with pytest.raises(SourceError, match=r"^sources/glossary\.yaml:\d+: invalid YAML"):
        Glossary.load(bad, "sources/glossary.yaml")
    bad.write_text("synonym:\n  cnn: [convnet]\n")
    with pytest.raises(SourceError, match="unknown section"):
        Glossary.load(bad, "sources/glossary.yaml")


def synthetic_titles(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """n questions over a vocabulary that grows with n, as real collections do."""
    rng = random.Random(seed)
    vocab = [f"concept{i}" for i in range(max(50, n // 2))]
    titles, answers = [], []
    for i in range(n):
        words = rng.sample(vocab, 3)
        titles.append(f"What is the {words[0]} of {words[1]} in {words[2]} number {i}?")
        answers.append(" ".join(rng.sample(vocab, 12)))
    return titles, answers


def test_candidate_generation_is_near_linear():
    """Nearest neighbours in embedding space plus rare-term partners: a bounded number of comparisons per
    question (counted by compare itself), never n²/2."""
    per_question = similarity.TOP_K + similarity.TOP_K // 2 + 1
    for n in (300, 800):
        titles, answers = synthetic_titles(n)
        result = compare(titles, answers, GLOSSARY)
        assert result.comparisons <= per_question * n
        assert result.comparisons < n * (n - 1) / 2 / 10


def test_blocking_still_finds_a_paraphrase_among_many():
    titles, answers = synthetic_titles(800)  # the texts of the test above: their vectors are cached
    titles += ["What Are Vanishing and Exploding Gradients?", "What do you mean by exploding and vanishing gradients?"]
    answers += ["Gradients shrink or grow through layers.", "Gradients shrink or grow as they flow back."]
    result = compare(titles, answers, GLOSSARY)
    n = len(titles)
    assert any({p.a, p.b} == {n - 2, n - 1} and p.outcome == "merge" for p in result.pairs)


def test_same_terms_are_compared_however_common():
    titles = [f"What is gradient descent step {i}?" for i in range(200)] + ["What is GD?", "What is gradient descent?"]
    result = compare(titles, ["A."] * len(titles), GLOSSARY)
    # compared (and not dismissed): the embedding does not know "GD", the glossary does
    assert any({p.a, p.b} == {200, 201} and p.outcome in ("merge", "candidate") for p in result.pairs)


def test_manifest_lists_candidates_at_top_level(with_new_file):
    from studysite.render import manifest

    content = with_new_file
    data = json.loads(json.dumps(manifest(content.questions, content.candidates)))
    assert isinstance(data["questions"], list)
    assert data["duplicate_candidates"] == [{"ids": list(c.ids), "score": c.score} for c in content.candidates]
    ids = {q["id"] for q in data["questions"]}
    assert all(set(c["ids"]) <= ids and 0 <= c["score"] <= 1 for c in data["duplicate_candidates"])


def test_editors_page_shows_both_sides_and_the_line_to_paste(with_new_file):
    from studysite import duplicates_page

    content = with_new_file
    md = duplicates_page.markdown(content)
    assert "search:\n  exclude: true" in md
    c = content.candidates[0]
    a, b = (content.index()[i] for i in c.ids)
    group = [x for x in content.candidates if x.group == c.group]
    line = f"  - [{', '.join(dict.fromkeys(i for x in group for i in x.ids))}]"
    assert line in md  # one line decides the whole group
    assert f"Score {c.score:.2f}" in md
    for q in (a, b):
        assert f"(../q/{q.id}/index.html)" in md
        assert f"<td>{duplicates_page._answer(q)}</td>" in md  # both answers side by side


def test_editors_page_lists_a_bounded_number_of_the_models_own_decisions_merges_first():
    from types import SimpleNamespace

    from studysite import duplicates_page
    from studysite.dedup import Candidate

    qs = {f"q{i}": SimpleNamespace(id=f"q{i}", title=f"Question {i}") for i in range(2_000)}
    decided = []
    for i in range(0, 2_000, 2):
        c = Candidate((f"q{i}", f"q{i + 1}"), round(0.3 + (i % 50) / 100, 2), "model")
        c.decided = "same" if i % 500 == 0 else "different"
        decided.append(c)
    content = SimpleNamespace(index=lambda: qs, candidates=[], auto_decided=decided)
    md = duplicates_page.markdown(content)
    rows = [ln for ln in md.splitlines() if ln.startswith(("| same", "| different"))]
    assert len(rows) == duplicates_page.DECIDED_SHOWN < len(decided)
    assert [r.startswith("| same") for r in rows[:4]] == [True] * 4  # all four merges are listed, first
    assert f"{len(decided) - duplicates_page.DECIDED_SHOWN} pairs more decided automatically are not listed" in md
    assert "1000 pairs more were decided automatically (4 merged, 996 kept apart)" in md


def test_editors_page_stays_bounded_however_many_pairs_a_person_is_shown():
    from types import SimpleNamespace

    from studysite import duplicates_page
    from studysite.dedup import Candidate

    long_answer = "A long answer. " * 200
    qs = {
        f"q{i}": SimpleNamespace(
            id=f"q{i}", title=f"Question {i}", blocks=[], summary=long_answer, answer_md="", sources=[]
        )
        for i in range(4_000)
    }
    candidates = []
    for i in range(0, 4_000, 2):  # 2,000 pairs: one group of 50, then 1,950 groups of one
        c = Candidate((f"q{i}", f"q{i + 1}"), 0.5, "model: not certain")
        c.group = 1 if i < 100 else i
        candidates.append(c)
    content = SimpleNamespace(index=lambda: qs, candidates=candidates, auto_decided=[])
    md = duplicates_page.markdown(content)
    assert md.count('<table class="dup-pair">') <= duplicates_page.SIDE_BY_SIDE
    assert md.count("Score 0.50") <= duplicates_page.SHOWN * duplicates_page.GROUP_ROWS
    assert "30 weaker pairs of this group are not listed" in md
    assert f"{1 + 1_950 - duplicates_page.SHOWN} more groups are not listed" in md
    assert len(md) <= duplicates_page.BUDGET + 1_000  # the budget, and the lines that count the rest


def test_editors_page_stays_bounded_whatever_the_answers_lengths():
    """Answers of 40,000 characters: groups that would not fit side by side are a line a pair, and what
    is past the page's budget is counted (the page at +10,000 real-looking questions was 324 KB)."""
    from types import SimpleNamespace

    from studysite import duplicates_page
    from studysite.dedup import Candidate

    huge = "word " * 8_000
    qs = {
        f"q{i}": SimpleNamespace(
            id=f"q{i}",
            title=f"Question {i} " + "long " * (400 if i >= 300 else 0),
            blocks=[],
            summary=huge,
            answer_md="",
            sources=[],
        )
        for i in range(600)
    }
    candidates, decided = [], []
    for i in range(0, 600, 2):
        c = Candidate((f"q{i}", f"q{i + 1}"), 0.5, "model: not certain")
        c.group = i
        (candidates if i < 300 else decided).append(c)
        c.decided = "same" if i >= 300 else None
    content = SimpleNamespace(index=lambda: qs, candidates=candidates, auto_decided=decided)
    md = duplicates_page.markdown(content)
    assert len(md) <= duplicates_page.BUDGET + 1_000
    tables = md.count('<table class="dup-pair">')
    assert 1 <= tables < duplicates_page.SIDE_BY_SIDE  # the first ones side by side, then a line a pair
    listed = md.count("Score 0.50")
    assert listed == duplicates_page.SHOWN and "50 more groups are not listed" in md
    rows = [ln for ln in md.splitlines() if ln.startswith("| same")]
    assert rows and f"{150 - len(rows)} pairs more decided automatically are not listed" in md


def test_two_pinned_questions_are_never_fused_by_the_scorer():
    answer = "Gradients shrink or grow exponentially as they are multiplied through many layers."
    a = raw("What are vanishing and exploding gradients?", answer)
    b = raw("What do you mean by exploding and vanishing gradients?", answer, file="sources/b.md")
    free = find_duplicates([a, b], glossary=GLOSSARY)
    assert len(free.questions) == 1  # paraphrases merge when no person has placed them apart
    ids = [own_id(a.title), own_id(b.title)]
    kept = find_duplicates([a, b], glossary=GLOSSARY, pinned=ids)
    assert sorted(q.id for q in kept.questions) == sorted(ids)  # both curated: a person decides
    assert [sorted(c.ids) for c in kept.candidates] == [sorted(ids)]  # shown whatever the review budget
    decided = find_duplicates([a, b], glossary=GLOSSARY, pinned=ids, decisions=Decisions(same=[(*ids, 1)]))
    assert len(decided.questions) == 1
