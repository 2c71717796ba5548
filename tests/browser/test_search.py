"""Search lands on the right question: identifiers by part and whole, and plain phrases."""
from __future__ import annotations

import pytest

from .ui import SEARCH_RANKS, question_rank, search

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
    "batch vs stochastic gradient descent": ("difference-between-batch-stochastic-mini-batch-gradient-descent",
                                             {"difference-between-gradient-descent-stochastic-gradient-descent"}),
    "CTCLoss": ("mseloss-ctcloss-bceloss-function", set()),
    "max pooling": ("max-pooling", set()),
    "vanishing gradient": ("exploding-vanishing-gradient", set()),
    "type II error": ("difference-between-type-i-type-ii-error", set()),
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
