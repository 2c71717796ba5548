"""Clean titles and answer text: whitespace, numbering, title grammar, consistent term spelling."""

from __future__ import annotations

import re

from .model import Block

# Product and acronym spellings. Only whole words that are not part of an identifier
# (torch.from_numpy, numpy.ndarray keep their spelling).
TERMS = {
    "pytorch": "PyTorch",
    "numpy": "NumPy",
    "tensorflow": "TensorFlow",
    "keras": "Keras",
    "gpu": "GPU",
    "cpu": "CPU",
    "cuda": "CUDA",
    "cnn": "CNN",
    "cnns": "CNNs",
    "rnn": "RNN",
    "rnns": "RNNs",
    "lstm": "LSTM",
    "lstms": "LSTMs",
    "gru": "GRU",
    "grus": "GRUs",
    "dnn": "DNN",
    "mnist": "MNIST",
    "sgd": "SGD",
    "relu": "ReLU",
    "conda": "Conda",
    "adam": "Adam",
    "python": "Python",
    "miniconda": "Miniconda",
    "anaconda": "Anaconda",
}
# Common nouns that sources capitalise mid-sentence ("What is Loss Function?"): lower-cased in titles.
COMMON_NOUNS = set(
    [
        "tensor",
        "tensors",
        "loss",
        "function",
        "functions",
        "activation",
        "neural",
        "network",
        "networks",
        "deep",
        "learning",
        "pooling",
        "max",
        "average",
        "sum",
        "stride",
        "padding",
        "linear",
        "regression",
        "perceptron",
        "backpropagation",
        "feed-forward",
        "layer",
        "layers",
        "gradient",
        "gradients",
        "descent",
        "clipping",
        "batch",
        "normalization",
        "softmax",
        "variable",
        "module",
        "error",
        "entropy",
        "information",
        "gain",
        "ensemble",
        "cluster",
        "sampling",
        "mean",
        "squared",
        "optimizer",
        "convolutional",
        "convolution",
        "machine",
        "image",
        "classification",
        "stochastic",
        "mini-batch",
        "dataset",
        "sigmoid",
    ]
)
IDENT = r"(?<![\w./])({})(?![\w/]|\.\w)"
_TERM_RE = re.compile(IDENT.format("|".join(sorted(TERMS, key=len, reverse=True))), re.I)
# "What is Tensors?" / "What is the levels of …": a plural subject takes "are".
_WHAT_IS_PLURAL = re.compile(r"^What is (the )?([A-Za-z-]+s)\b(?=\s*(?:\?|$| of\b))")
_SINGULAR_S = ("ss", "us", "is", "ics")
# Titles that open with one of these are questions and end with "?"; imperatives ("Explain …") keep ".".
INTERROGATIVES = ("what", "why", "how", "when", "which", "who", "where", "is", "are", "can", "do", "does", "give")
_TYPE_N = [
    (re.compile(r"\bType\s?(?:1|I)\b(?!I)", re.I), "Type I"),
    (re.compile(r"\bType\s?(?:2|II)\b", re.I), "Type II"),
]


def fold_ws(text: str) -> str:
    return " ".join(text.split())


# Shell commands are copied by readers: their spelling is exact ("conda install pytorch …"), never fixed.
COMMAND = re.compile(
    r"\b(?:conda|pip3?|python3?|apt(?:-get)?|nvidia-smi|git|wget|curl)\s+"
    r"(?:install|uninstall|create|activate|run|list|clone|update|-m|-c|--\w+)\b[^\n]*"
)


def fix_terms(text: str) -> str:
    out, pos = [], 0
    for m in COMMAND.finditer(text):
        out.append(_TERM_RE.sub(lambda t: TERMS[t.group(1).lower()], text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_TERM_RE.sub(lambda t: TERMS[t.group(1).lower()], text[pos:]))
    return "".join(out)


# Title Case ("What Is the Difference Between a Feedforward Neural Network and …"): a heading style, not
# the question's wording. Small words are always lower case inside a sentence.
SMALL_WORDS = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "into",
        "over",
        "than",
        "then",
        "vs",
        "via",
        "per",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "may",
        "might",
        "must",
        "shall",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "you",
        "your",
        "we",
        "our",
        "they",
        "their",
        "there",
        "between",
        "among",
        "about",
        "after",
        "before",
        "during",
        "under",
        "without",
        "within",
    ]
)
_TRAILING_REF = re.compile(r"\s*\[?\[(?:src|source|ref|\d{1,3})\](?:\([^()\s]{0,2000}\))?\]?\s*$", re.I)


_CAPITALISED = re.compile(r"^([\"'(“‘]*)([A-Z][a-z]+)(.*)$")


def title_case_to_sentence(t: str, names: frozenset[str] = frozenset()) -> str:
    """Lower-case the capitalised words of a Title Case title ("What Is the Difference Between …").
    Words in `names` (capitalised mid-sentence in the same file: "Boltzmann"), TERMS, acronyms and
    CamelCase stay as they are."""
    words = t.split(" ")
    alpha = [w for w in words[1:] if re.search(r"[A-Za-z]", w) and not w[:1].isdigit()]
    capital = [w for w in alpha if _CAPITALISED.match(w)]
    if not (len(capital) >= 3 and len(capital) >= 0.5 * len(alpha) or len(capital) >= 2 and len(capital) == len(alpha)):
        return t
    out = [words[0]]
    for w in words[1:]:
        m = _CAPITALISED.match(w)
        if (
            m
            and not m.group(3)[:1].isupper()
            and m.group(2).lower() not in TERMS
            and m.group(2) not in names
            and not out[-1].endswith((":", ".", "?"))
        ):
            w = m.group(1) + m.group(2).lower() + m.group(3)
        out.append(w)
    return " ".join(out)


def clean_title(raw: str) -> str:
    """Readable, consistently spelled question title. The raw text stays in the record's provenance."""
    t = fold_ws(raw)
    t = t.replace("**", "").replace("__", "")
    t = re.sub(r"^\d+\s*[).:-]\s*", "", t)  # numbering
    t = _TRAILING_REF.sub("", t)
    t = re.sub(r"\s+-$", "", t).strip()
    t = re.sub(r"\s+([?.,])(?=\s|$)", r"\1", t)  # "layer ?" → "layer?", but ".grad" keeps its space
    words = t.split(" ")
    for i, w in enumerate(words[1:], start=1):
        core = w.strip("?.,:;()\"'")
        if core.lower() in COMMON_NOUNS and core[:1].isupper() and not core.isupper():
            words[i] = w.replace(core, core.lower())
    t = " ".join(words)
    t = fix_terms(t)
    for pattern, spelled in _TYPE_N:
        t = pattern.sub(spelled, t)
    if m := _WHAT_IS_PLURAL.match(t):
        noun = m.group(2)
        if not noun.lower().endswith(_SINGULAR_S) and noun.lower() not in ("loss",):
            t = "What are " + (m.group(1) or "") + t[len("What is ") + len(m.group(1) or "") :]
    t = t[:1].upper() + t[1:]
    first = t.split(" ", 1)[0].lower().split("’")[0].split("'")[0]
    if first in INTERROGATIVES and "?" not in t:  # "What is X? Discuss Y." already asks
        t = t.rstrip(".") + "?"
    return t


def clean_text(text: str) -> str:
    """Answer text: folded whitespace, no space before punctuation, consistent term spelling."""
    t = fold_ws(text)
    t = re.sub(r"\s+([,.;:!?])(?=\s|$)", r"\1", t)
    t = re.sub(r"\(\s+", "(", t)
    t = re.sub(r"\s+\)", ")", t)
    for pattern, spelled in _TYPE_N:
        t = pattern.sub(spelled, t)
    return fix_terms(t)


VERBATIM = {"code", "md", "html", "image"}  # code is exact; md/html fragments keep their lines (structure)


def clean_block(block: Block) -> Block:
    if block.kind in VERBATIM:
        return block
    block.text = clean_text(block.text)
    block.label = clean_text(block.label)
    block.items = [clean_text(i) for i in block.items]
    block.rows = [[clean_text(c) for c in row] for row in block.rows]
    return block
