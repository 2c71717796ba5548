"""Training and judging the question detector on the labelled corpus (scripts/train-detector,
bench/bench_detect.py). Not imported by the build: it needs scikit-learn.

Labels: tests/corpus/labels/<file>.tsv (`line<TAB>kind<TAB>text`, a `question` row where each question
starts; `.ipynb` lines as `cell:N:L`), and tests/fixtures/seed-labels/ for the two seeds in sources/.
A candidate is a positive example when a `question` row starts on its line.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from .detect import MODEL_FILE, Linear, Model, Table, first_scores, stacked_features, table
from .readers import decode, notebook, parse_text, read_text
from .segment import slot_context
from .slots import by_slot, candidates, lift_metadata

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus"
SEED_LABELS = REPO / "tests" / "fixtures" / "seed-labels"
C = 0.5  # inverse regularisation strength (chosen on the leave-one-author-out figure)
FOLDS = 3  # GroupKFold by author for the second stage
MIN_COUNT = 3  # features seen in fewer training candidates are dropped from the committed model


@dataclass
class LabelledFile:
    name: str
    path: Path
    labels: Path
    author: str
    text: str = ""
    questions: Counter[str] = field(default_factory=Counter)  # line key -> questions starting there

    @property
    def hand(self) -> int:
        return sum(self.questions.values())


def read_labels(path: Path) -> Counter[str]:
    out: Counter[str] = Counter()
    for n, row in enumerate(path.read_text(encoding="utf-8").split("\n")):
        parts = row.split("\t")
        if n == 0 or len(parts) < 2:
            continue
        if parts[1].strip() == "question":
            out[line_key(parts[0].strip())] += 1
    return out


def line_key(label: str) -> str:
    """A label's line as the readers give it: `L:C` (blocks sharing a line, a minified page) is line L;
    `cell:N:L` (notebooks) stays as it is."""
    if label.startswith("cell:") or ":" not in label:
        return label
    return label.split(":", 1)[0]


def corpus_files(repo: Path = REPO) -> list[LabelledFile]:
    """Every labelled file: the corpus (author = the repository's owner) and the two seeds."""
    corpus = repo / "tests" / "corpus"
    provenance = yaml.safe_load((corpus / "PROVENANCE.yaml").read_text(encoding="utf-8"))["files"]
    files: list[LabelledFile] = []
    for labels in sorted((corpus / "labels").glob("*.tsv")):
        name = labels.name.removesuffix(".tsv")
        if not (corpus / name).is_file():
            continue
        # the repository's owner; a file not yet in PROVENANCE.yaml is named after its author
        owner = str((provenance.get(name) or {}).get("repository", name.split("-")[0])).split("/")[0].lower()
        author = "studysite" if owner.startswith("this project") else owner
        files.append(LabelledFile(name, corpus / name, labels, author))
    for labels in sorted((repo / "tests" / "fixtures" / "seed-labels").glob("*.tsv")):
        name = labels.name.removesuffix(".tsv")
        files.append(LabelledFile(name, repo / "sources" / name, labels, "seed-" + name))
    # layouts the project's own fixtures show (hand-labelled, one "author")
    for labels in sorted((repo / "tests" / "fixtures" / "layouts" / "labels").glob("*.tsv")):
        name = labels.name.removesuffix(".tsv")
        files.append(LabelledFile(name, repo / "tests" / "fixtures" / "layouts" / name, labels, "layout-fixtures"))
    for f in files:
        f.text = decode(f.path.read_bytes(), f.name)
        f.questions = read_labels(f.labels)
    return files


def corpus_hash(files: list[LabelledFile]) -> str:
    """What a model was trained on: every file and its labels, byte for byte."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.name):
        for part in (f.name.encode(), f.path.read_bytes(), f.labels.read_bytes()):
            h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def line_keys(f: LabelledFile, lines: list[int]) -> list[str]:
    """Node lines as the labels write them (`cell:N:L` in a notebook)."""
    if f.name.endswith(".ipynb"):
        _md, where = notebook.as_markdown(notebook.load(f.text, f.name))
        return [f"cell:{c}:{at}" for c, at in (where[min(max(n, 1), len(where)) - 1] for n in lines)]
    return [str(n) for n in lines]


Examples = tuple[Table, list[int]]  # every candidate's features, and 1 where a labelled question starts


def examples(f: LabelledFile) -> Examples:
    """Every candidate of the file: its features, and 1 where a labelled question starts on its line."""
    parsed = parse_text(f.text, f.name)
    nodes = parsed.nodes
    lift_metadata(nodes)
    slots = by_slot(candidates(nodes))
    slot_context(nodes, slots)
    t = table(slots, nodes)
    keys = line_keys(f, [nodes[m.idx].line + m.offset for m in t.members])
    return t, [int(k in f.questions) for k in keys]


def _fit_linear(X: list[dict[str, float]], y: list[int], c: float) -> Linear:
    counts: Counter[str] = Counter(k for x in X for k in x)
    X = [{k: v for k, v in x.items() if counts[k] >= MIN_COUNT} for x in X]
    pipe = Pipeline([("features", DictVectorizer()), ("classify", LogisticRegression(C=c, max_iter=3000))])
    pipe.fit(X, y)
    names = pipe.named_steps["features"].get_feature_names_out()
    clf = pipe.named_steps["classify"]
    weights = {str(n): round(float(w), 5) for n, w in zip(names, clf.coef_[0], strict=True) if abs(w) >= 1e-5}
    return Linear(weights, round(float(clf.intercept_[0]), 5))


def _flat(files: list[Examples]) -> tuple[list[dict[str, float]], list[int]]:
    return [x for t, _ in files for x in t.dicts], [v for _, ys in files for v in ys]


def _second_stage(files: list[Examples], first: list[Linear]) -> tuple[list[dict[str, float]], list[int]]:
    X: list[dict[str, float]] = []
    y: list[int] = []
    for (t, ys), linear in zip(files, first, strict=True):
        X += stacked_features(t, first_scores(t, linear))
        y += ys
    return X, y


def fit(data: list[tuple[str, Examples]], c: float = C) -> Model:
    """Stage one on every file; stage two on stage-one scores each file got from a model that never saw
    its author (GroupKFold by author), so the second stage learns how far to trust unseen authors' scores."""
    authors = sorted({a for a, _ in data})
    folds = min(FOLDS, len(authors))
    fold_of = {a: k % folds for k, a in enumerate(authors)}
    first_by_fold = [_fit_linear(*_flat([s for a, s in data if fold_of[a] != k]), c) for k in range(folds)]
    first = _fit_linear(*_flat([s for _, s in data]), c)
    second = _fit_linear(*_second_stage([s for _, s in data], [first_by_fold[fold_of[a]] for a, _ in data]), c)
    return Model(first, second)


def _dump(linear: Linear) -> dict:
    names = sorted(linear.weights)
    return {"intercept": linear.intercept, "features": names, "coef": [linear.weights[n] for n in names]}


def save(model: Model, files: list[LabelledFile], path: Path = MODEL_FILE) -> None:
    data = {
        "about": "question detector: two logistic regressions on candidate features (hooks/studysite/detect.py); "
        "trained by scripts/train-detector",
        "corpus_hash": corpus_hash(files),
        "files": len(files),
        "authors": len({f.author for f in files}),
        "first": _dump(model.first),
        "second": _dump(model.second),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass
class Result:
    name: str
    author: str
    read: int
    hand: int
    junk: int
    missed: int
    error: str = ""

    @property
    def exact(self) -> bool:
        return not self.error and self.junk == 0 and abs(self.read - self.hand) <= 0.03 * self.hand


def judge_file(f: LabelledFile, model: Model) -> Result:
    """Read the file with `model` and compare the questions' lines with the labels."""
    try:
        report = read_text(f.text, "sources/" + f.name, model=model)
    except Exception as e:  # a file read as nothing is a result too
        return Result(f.name, f.author, 0, f.hand, 0, f.hand, error=str(e)[:120])
    read = Counter(line_keys(f, [q.ref.line for q in report.questions]))
    right = sum(min(n, f.questions[k]) for k, n in read.items())
    total = sum(read.values())
    return Result(f.name, f.author, total, f.hand, total - right, f.hand - right)
