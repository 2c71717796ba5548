"""Search lands on the right question: identifiers by part and whole, and plain phrases.

The site searches with Pagefind behind Material's search box (docs/assets/javascripts/search-rank.js,
hooks/studysite/search.py). Results are read once the list says it shows the typed query
(data-study-query): an event, not a delay, so a slow machine reads the same list a fast one does.
"""

from __future__ import annotations

import pytest

from .ui import SEARCH_RANKS, question_rank

RESULTS = ".md-search-result__list a.md-search-result__link"


def search(page, query: str) -> list[str]:
    """Type a query into Material's search box as a reader does; the result links once shown for it."""
    box = page.locator(".md-search__input")
    if not box.is_visible():  # phone layout: the box sits behind the header's search button
        page.locator("label.md-header__button[for=__search]").click()
    box.fill("")
    box.dispatch_event("keyup")
    box.press_sequentially(query, delay=15)
    page.wait_for_function(
        "q => { const l = document.querySelector('.md-search-result__list'); return l && l.dataset.studyQuery === q; }",
        arg=query,
    )
    return page.eval_on_selector_all(RESULTS, "links => links.map(a => a.href)")


# query → (the question it should find first, other questions that are an equally right first hit)
QUERIES = {
    "from_numpy": ("torch-from-numpy", set()),
    "torch.from_numpy": ("torch-from-numpy", set()),
    "nn.Module": ("nn-module", set()),
    "requires_grad": ("requires-grad", set()),
    "zero_grad": ("zero-grad", set()),
    "DataLoader": ("dataset-dataloader", set()),
    "BCEWithLogitsLoss": ("mseloss-ctcloss-bceloss-function", set()),
    "Adam optimizer": ("adam-optimizer-minute", set()),
    "batch vs stochastic gradient descent": ("difference-between-batch-stochastic-mini-batch-gradient-descent", set()),
    "CTCLoss": ("mseloss-ctcloss-bceloss-function", set()),
    "max pooling": ("max-pooling", set()),
    "vanishing gradient": ("exploding-vanishing-gradient", set()),
    "type II error": ("difference-between-type-i-type-ii-error", set()),
    # typed the way candidates type them: lower case, short, a rare word next to a common one
    # ("padding same": every CNN answer says "padding"; the question that also says "same" comes first)
    "padding same": ("difference-between-valid-same-padding-cnn", {"padding"}),
    "dropout at inference": ("train-eval-mode", {"no-grad"}),
    "leaf tensor grad": ("requires-grad", set()),
    "LSTM vanishing": ("lstm-solve-vanishing-gradient-challenge", set()),
    "gru vs lstm": ("why-gru-faster-compared-lstm", set()),
    "batch norm rnn": ("implement-batch-normalization-rnn", set()),
    "weights zero init": ("train-neural-network-model-initializing-all-weight-0", set()),
    "biases 0": ("train-neural-network-model-initializing-all-bias-0", set()),
    "10gb dataset 4gb ram": ("want-train-deep-learning-model-10gb-dataset-but-c005", set()),
    "multi label vs multi class": ("differentiate-between-multi-class-multi-label-classification-problem", set()),
    "gradient clipping": ("gradient-clipping", set()),
    "3x3 kernels": ("advantage-using-small-kernel-like-3x3-than-using-7d01", set()),
    "imbalanced dataset": ("bring-balance-force-when-handling-imbalanced-dataset", set()),
    "translation invariant cnn": ("convolutional-neural-network-translation-invariant", set()),
    "entropy information gain": ("difference-between-entropy-information-gain", set()),
    "cluster sampling": ("cluster-sampling", set()),
    "save model state_dict": ("save-load-model", set()),
    "model.eval": ("train-eval-mode", set()),
    "no_grad": ("no-grad", set()),
    "softmax": ("softmax-activation-function", set()),
    "perceptron xor": ("perceptron", set()),
    "conv1d conv2d": ("difference-between-conv1d-conv2d-conv3d", set()),
    "7x7 filter 5x5 input": ("cnn-if-input-size-5-x-5-filter-cf04", set()),
    "stride": ("stride", set()),
    "cifar 100": ("difference-between-cifar-10-cifar-100-dataset", set()),
    "mnist": ("mnist-dataset", set()),
    "pytorch vs tensorflow": ("difference-between-pytorch-tensorflow", set()),
    "install pytorch conda": ("command-install-pytorch-window-using-conda-pip", set()),
    "check gpu usage": ("check-gpu-usage", set()),
    "move model to gpu": ("device-handling", set()),
    "training loop steps": ("training-loop", set()),
    "bias variance tradeoff": ("differentiate-between-bias-variance-respect-deep-learning-model-843d", set()),
    "gradient free methods": ("train-neural-network-without-using-backpropagation-if-yes-8bbd", set()),
    "multi-task learning": ("when-multi-task-learning-usually-preferred", set()),
    "anaconda miniconda": ("difference-between-anaconda-miniconda", set()),
    "exploding gradients": ("exploding-vanishing-gradient", set()),
    "autograd.Variable": ("variable-autograd-variable", set()),
    "dnn vs cnn": ("difference-between-dnn-cnn", set()),
    "adam momentum": ("adam-optimizer-minute", set()),
    "sigmoid": ("why-prefer-sigmoid-activation-function-rather-than-other-85c4", {"activation-function"}),
    # identifiers and concepts (issue 20): the question with it in its title beats answers that mention it
    "torch.compile": ("torch-compile", set()),
    "graph break": ("torch-compile", set()),
    "num_workers": ("dataset-dataloader", set()),
    "DistributedDataParallel": ("dataparallel-ddp-fsdp", set()),
    "ddp": ("dataparallel-ddp-fsdp", set()),
    "fsdp": ("dataparallel-ddp-fsdp", {"fsdp2-fully-shard-dtensor"}),
    "autocast": ("mixed-precision-autocast-gradscaler", set()),
    "mixed precision": ("mixed-precision-autocast-gradscaler", set()),
    "GradScaler": ("mixed-precision-autocast-gradscaler", set()),
    "contiguous": ("view-vs-reshape-contiguous", set()),
    "view vs reshape": ("view-vs-reshape-contiguous", set()),
    "einsum": ("einsum", set()),
    "vmap": ("torch-func-vmap", set()),
    "padding_idx": ("nn-embedding-padding-idx", set()),
    "nn.Embedding": ("nn-embedding-padding-idx", set()),
    "forward hook": ("forward-backward-hooks", set()),
    "gradcheck": ("custom-autograd-function-gradcheck", set()),
    "in-place operations": ("in-place-operations-autograd", set()),
    "layernorm": ("batchnorm-layernorm-groupnorm-rmsnorm", set()),
    "rmsnorm": ("batchnorm-layernorm-groupnorm-rmsnorm", set()),
    "activation checkpointing": ("gradient-checkpointing", set()),
    "torch.profiler": ("torch-profiler", set()),
    "onnx export": ("torchscript-export-onnx", set()),
    "attention mask": ("scaled-dot-product-attention", set()),
    "optimizer.zero_grad": ("zero-grad", set()),
    "CUDA out of memory": ("gpu-memory-debugging-oom", set()),
    "oom": ("gpu-memory-debugging-oom", set()),
    "kv cache": ("kv-cache", set()),
    "key value cache": ("kv-cache", set()),  # KV ↔ key-value (sources/search.yaml)
    "lora": ("lora-peft", set()),
    # two questions are about transformers by title: the block's design and its positional encodings
    "transformer": ("transformer-block-pre-norm-swiglu", {"positional-encodings-rope"}),
    # the glossary's synonyms (sources/glossary.yaml) find the question that spells the term out
    "convnet": ("convolutional-neural-network", set()),
    "backprop": ("backpropagation", set()),
}


@pytest.fixture(scope="module")
def search_page(browser, site):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(site.url(), wait_until="networkidle")
    yield page
    ctx.close()


@pytest.mark.parametrize("query", list(QUERIES))
def test_first_result_is_the_question(search_page, site, query):
    expected, also_right = QUERIES[query]
    site.question(expected)  # the id must exist in the manifest
    for qid in also_right:
        site.question(qid)
    hrefs = search(search_page, query)
    rank, anchors = question_rank(hrefs, expected)
    SEARCH_RANKS[query] = (expected, rank, anchors[0] if anchors else None)
    assert anchors, f"no results for {query!r}"
    assert anchors[0] in {expected} | also_right, (
        f"{query!r}: first question result is #{anchors[0]}, expected #{expected} (found at rank {rank}); "
        f"first five: {anchors[:5]}"
    )
    # the first result links to the question's anchor on its topic page
    first = next(h for h in hrefs if h.split("#", 1)[-1] == anchors[0] and "#" in h)
    topic_page = site.question(anchors[0])["url"].split("#")[0]
    assert first.split("?")[0].split("#")[0] == site.url(topic_page), first


def test_pages_that_only_list_questions_are_not_searched(site):
    """Errata, study plan and the lists of topics and notebooks would outrank the questions they list."""
    import json

    docs = json.loads((site.dir / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    pages = {d["location"].split("#")[0] for d in docs}
    for excluded in ("errata/", "study-plan/", "topics/", "notebooks/", "review/", "quiz/"):
        assert excluded not in pages, excluded
    questions = [d for d in docs if "#" in d["location"]]
    assert len(questions) >= len(site.questions) * 0.9


def test_result_previews_are_the_interview_answer_in_a_few_lines(search_page, site):
    hrefs = search(search_page, "padding same")
    assert hrefs
    preview = search_page.evaluate(
        """() => { const a = document.querySelector('.md-search-result__link[href*="#"] article');
                   const shown = [...a.children].filter(c => c.getClientRects().length && c.tagName !== 'H2'
                                                          && !c.classList.contains('md-search-result__icon')
                                                          && !c.classList.contains('md-search-result__terms'));
                   const lh = parseFloat(getComputedStyle(a).lineHeight) || 16;
                   return { blocks: shown.length, height: shown.reduce((h, c) => h + c.getBoundingClientRect().height, 0),
                            text: shown.map(c => c.textContent).join(' '), lh }; }"""
    )
    assert preview["blocks"] == 1, preview
    assert preview["height"] <= 3.5 * preview["lh"] + 4, preview
    assert "Interview answer" not in preview["text"]
    # the first result is the valid/same padding question; its preview starts like its interview answer
    from selectolax.lexbor import LexborHTMLParser

    card = LexborHTMLParser((site.dir / "topics" / "cnn" / "index.html").read_text(encoding="utf-8"))
    summary = card.css_first(
        '.qa-answer[data-qid="difference-between-valid-same-padding-cnn"] .qa-summary > p:not(.qa-summary__label)'
    )
    words = lambda text: " ".join(text.split())[:40]  # noqa: E731
    assert words(preview["text"]) == words(summary.text()), (preview["text"][:80], summary.text()[:80])


def test_the_best_hit_of_a_page_is_shown_and_its_other_hits_are_folded(search_page, site):
    search(search_page, "pooling")
    groups = search_page.eval_on_selector_all(
        ".md-search-result__item",
        """items => items.map(li => ({
            shown: [...li.querySelectorAll(':scope > a.md-search-result__link')].map(a => new URL(a.href).hash.slice(1)),
            folded: [...li.querySelectorAll('details a.md-search-result__link')].map(a => new URL(a.href).hash.slice(1)),
        }))""",
    )
    assert groups and all(any(g["shown"]) for g in groups), groups  # every page shows its best question
    assert groups[0]["shown"][1] == "pooling-layer" or "max-pooling" in groups[0]["shown"], groups[0]
    assert sum(len(g["folded"]) for g in groups) >= 1  # the weaker hits of a page are under "N more"


def test_previews_are_rendered_text_without_latex_source(search_page):
    search(search_page, "adam optimizer")
    text = search_page.eval_on_selector_all(
        ".md-search-result__list a.md-search-result__link[href*='#'] article p", "ps => ps.map(p => p.textContent)"
    )
    assert text and any("lr" in t for t in text), text
    for t in text:
        assert "\\" not in t and "$" not in t and "**" not in t, t


def test_no_match_suggests_the_nearest_questions(search_page):
    hrefs = search(search_page, "poolnig")  # a typo: no question holds it
    meta = search_page.text_content(".md-search-result__meta")
    assert "nearest" in meta, meta
    assert any(h.endswith("#max-pooling") or "#max-pooling" in h for h in hrefs), hrefs


def test_nothing_is_fetched_for_search_before_the_box_is_focused(browser, site):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(site.url("topics/"), wait_until="networkidle")
    assert not [u for u in urls if "pagefind" in u or "search_index" in u], urls
    search(page, "stride")
    fetched = [u for u in urls if "/pagefind/" in u]
    assert fetched and not [u for u in urls if "search_index" in u], urls
    ctx.close()
