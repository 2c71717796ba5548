"""Every ```python block in the curated answers (sources/overlay/*.md) runs.

The blocks of one file run in order in one fresh namespace (a later block may use what an earlier one
defined), so an edit cannot ship code that fails. A failure names the file and the block's first line.
"""

from __future__ import annotations

import contextlib
import io
import traceback
from pathlib import Path

import pytest
import torch
from markdown_it import MarkdownIt

from conftest import REPO
from studysite import overlay

OVERLAY_DIR = REPO / "sources" / "overlay"
_MD = MarkdownIt("commonmark")


def python_blocks(path: Path) -> list[tuple[int, str]]:
    """(1-based line in the file, code) for each fenced python block of the answer body."""
    text = path.read_text(encoding="utf-8")
    _, body = overlay.parse(path, path.name)
    offset = text[: len(text) - len(body)].count("\n")  # lines before the body (front matter)
    return [
        (offset + tok.map[0] + 2, tok.content)  # map[0] is the fence line; code starts one below
        for tok in _MD.parse(body)
        if tok.type == "fence" and tok.info.split()[:1] == ["python"]
    ]


FILES = [p for p in overlay.overlay_files(OVERLAY_DIR) if python_blocks(p)]


def test_the_collector_finds_the_blocks():
    # Guards against a collector that silently finds nothing (and so tests nothing).
    assert len(FILES) >= 40
    blocks = python_blocks(OVERLAY_DIR / "adam-optimizer-minute.md")
    assert blocks and "torch.optim.Adam" in blocks[0][1]


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_overlay_python_blocks_run(path: Path):
    rel = path.relative_to(REPO).as_posix()
    namespace: dict = {"__name__": f"overlay_{path.stem.replace('-', '_')}"}
    torch.manual_seed(0)
    default_dtype = torch.get_default_dtype()
    try:
        for line, code in python_blocks(path):
            # Padding puts every traceback line at its real line in the .md file.
            compiled = compile("\n" * (line - 1) + code, rel, "exec")
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                    exec(compiled, namespace)
            except BaseException as e:  # SystemExit too: a block must not end the run
                where = "".join(traceback.format_exception(type(e), e, e.__traceback__.tb_next))
                pytest.fail(f"{rel}:{line}: the python block starting here raised\n{where}", pytrace=False)
    finally:
        torch.set_default_dtype(default_dtype)


# --- the questions the site added for current interviews each carry their own executed demo -----------

import json  # noqa: E402

import nbformat  # noqa: E402


# Added for what interviews ask now (issue 14); each has its own demo in a notebook written for it.
CURRENT_TOPICS = [
    "view-vs-reshape-contiguous",
    "broadcasting-rules",
    "einsum",
    "in-place-operations-autograd",
    "custom-autograd-function-gradcheck",
    "forward-backward-hooks",
    "gradient-checkpointing",
    "torch-func-vmap",
    "weight-initialisation-defaults",
    "batchnorm-layernorm-groupnorm-rmsnorm",
    "learning-rate-schedulers",
    "reproducibility-seeds-determinism",
    "scaled-dot-product-attention",
    "nn-embedding-padding-idx",
    "torch-compile",
    "mixed-precision-autocast-gradscaler",
    "torchscript-export-onnx",
    "torch-profiler",
    "dataparallel-ddp-fsdp",
    # the 2026 interview (issue 19): transformers, LLM training and inference, performance, distributed training
    "kv-cache",
    "gqa-mqa-attention-variants",
    "positional-encodings-rope",
    "flashattention-sdpa-backends",
    "transformer-block-pre-norm-swiglu",
    "lora-peft",
    "mixture-of-experts",
    "tokenization-bpe-wordpiece-sentencepiece",
    "rlhf-dpo",
    "perplexity-llm-evaluation",
    "numerical-stability-nan-debugging",
    "tf32-fp8-matmul-precision",
    "quantization-ptq-qat-int8-int4",
    "gpu-memory-debugging-oom",
    "custom-operators-torch-library",
    "fsdp2-fully-shard-dtensor",
    "distributed-checkpoint-dcp",
    "distributed-training-failures-nccl-hang",
]


def test_each_added_question_has_its_own_demo_starting_with_a_title(built_site):
    added = CURRENT_TOPICS
    for qid in added:
        meta, _ = overlay.parse(OVERLAY_DIR / f"{qid}.md", f"{qid}.md")
        assert meta.get("added") and meta.get("level") and meta.get("topic"), qid
    site, _ = built_site
    manifest = {q["id"]: q for q in json.loads((site / "questions.json").read_text(encoding="utf-8"))["questions"]}
    for qid in added:
        demos = manifest[qid]["demos"]
        assert demos, f"{qid}: no executed demo"
        for demo in demos:
            nb = nbformat.read(REPO / demo["notebook"], as_version=4)
            cells = [nb.cells[i] for i in demo["cells"]]
            assert cells[0].cell_type == "markdown" and cells[0].source.strip(), f"{qid}: demo must open with its title"
            assert any(c.cell_type == "code" and "assert" in c.source for c in cells), f"{qid}: demo asserts nothing"
            for c in cells:
                assert [t for t in c.metadata.get("tags", []) if t.startswith("q:")] == [f"q:{qid}"]
        page = (site / manifest[qid]["url"].split("#")[0] / "index.html").read_text(encoding="utf-8")
        card = page.split(f' id="{qid}"', 1)[1].split('class="qa-q"', 1)[0]
        assert "qa-demo" in card and "qa-output" in card, (
            f"{qid}: demo (code, then its output) not shown under the question"
        )
