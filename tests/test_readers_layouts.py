"""The one segmenter on the layouts question lists use, in every format, and the reader faults of
issue 11 (unclosed fence, navigation bullets, emoji titles, very long titles)."""

from __future__ import annotations

import time

import pytest

from studysite.dedup import deduplicate, question_id
from studysite.model import SourceError
from studysite.readers import read_file, read_text
from studysite.render import block_html


def titles(report):
    return [q.title for q in report.questions]


def answer(q) -> str:
    return " ".join(b.plain() for b in q.blocks)


# --- dumps ----------------------------------------------------------------------------------------

H2_DUMP = """h1 => [ Deep learning questions ]
p => [ Intro text. ]
h2 => [ What is a tensor? ]
p => [ A tensor is [a generalised matrix]. ]
p => [ [Answer] ]
h2 => [ Batch normalization ]
p => [ Normalises activations per batch
and learns a scale [1] ]
h2 => [ Explain dropout ]
pre => [ drop = torch.nn.Dropout(p=0.5)
y = drop(x)  # shape [B, C] ]
h2 => [ You may also like ]
a => [ Java Interview Questions ]
"""


def test_dump_with_unnumbered_h2_questions_and_values_ending_in_brackets():
    report = read_text(H2_DUMP, "sources/d.txt")
    assert report.kind == "dump"
    assert titles(report) == ["What is a tensor?", "Batch normalization", "Explain dropout"]
    tensor, bn, dropout = report.questions
    assert [b.text for b in tensor.blocks] == ["A tensor is [a generalised matrix].", "[Answer]"]
    assert bn.blocks[0].text == "Normalises activations per batch and learns a scale [1]"
    (code,) = dropout.blocks
    assert code.kind == "code" and code.text == "drop = torch.nn.Dropout(p=0.5)\ny = drop(x)  # shape [B, C]"
    assert "You may also like" not in titles(report)
    assert report.dropped["section headings"] == 2


def test_dump_with_h4_questions():
    text = (
        H2_DUMP.replace("h2 => [ What", "h4 => [ What")
        .replace("h2 => [ Batch", "h4 => [ Batch")
        .replace("h2 => [ Explain", "h4 => [ Explain")
    )
    assert titles(read_text(text, "sources/d4.txt")) == ["What is a tensor?", "Batch normalization", "Explain dropout"]


# --- markdown layouts -----------------------------------------------------------------------------


def test_numbered_headings_with_reference_links_and_answer_bullets():
    md = """# Computer vision

## Data augmentation

#### 1) What is data augmentation? [[src](https://example.org/a)]

Augmentation makes new training images from old ones:

- Resize
- Rotate

#### 2) How do you write a data generator in PyTorch? [[src](https://example.org/b)]

```python
class Generator(Dataset):
    def __getitem__(self, i):
        return self.x[i]  # one sample
```
"""
    report = read_text(md, "sources/cv.md")
    assert titles(report) == ["What is data augmentation?", "How do you write a data generator in PyTorch?"]
    first, second = report.questions
    assert first.ref.section == "Data augmentation"  # the grouping heading is the topic hint
    assert [b.kind for b in first.blocks] == ["para", "list"] and first.blocks[1].items == ["Resize", "Rotate"]
    (code,) = second.blocks
    assert code.lang == "python" and "        return self.x[i]  # one sample" in code.text.split("\n")
    assert "section headings" in report.dropped and report.layout.startswith("level-4 headings")


def test_details_summary_questions():
    md = """# FAQ

<details>
<summary>What is cutout?</summary>

Cutout masks a random square of the image.

</details>

<details>
<summary>Why use mixup?</summary>

It regularises by blending examples.

</details>
"""
    report = read_text(md, "sources/faq.md")
    assert titles(report) == ["What is cutout?", "Why use mixup?"]
    assert answer(report.questions[0]) == "Cutout masks a random square of the image."
    assert "details" in report.layout


def test_q_prefixed_bold_paragraphs():
    md = """# Notes

**Q: What is test-time augmentation?**
A: Averaging predictions over augmented copies.

**Q: Why does it help?**
A: It reduces variance.
"""
    report = read_text(md, "sources/q.md")
    assert titles(report) == ["What is test-time augmentation?", "Why does it help?"]
    assert answer(report.questions[0]) == "Averaging predictions over augmented copies."


def test_question_answer_table_rows():
    md = """| Question | Answer |
|---|---|
| What is a crop? | Cutting a window out of an image |
| Why flip images? | Invariance to mirroring |
"""
    report = read_text(md, "sources/t.md")
    assert titles(report) == ["What is a crop?", "Why flip images?"]
    assert answer(report.questions[1]) == "Invariance to mirroring"


def test_csv_with_question_and_answer_columns():
    csv_text = (
        'question,answer\n"What is a tensor?","An n-dimensional array,\nwith a dtype"\nWhy GPUs?,Parallel maths\n'
    )
    report = read_text(csv_text, "sources/qa.csv")
    assert report.kind == "table"
    assert titles(report) == ["What is a tensor?", "Why GPUs?"]
    assert [q.ref.line for q in report.questions] == [2, 4]
    assert answer(report.questions[0]) == "An n-dimensional array,\nwith a dtype"


def test_saved_html_page_keeps_only_its_questions():
    page = """<!doctype html><html><head><title>Q</title><script>var x = "What is evil?";</script></head>
<body><header><nav><ul><li>Home</li><li>What is new?</li></ul></nav></header>
<main><h1>Interview questions</h1>
<h2>What is a tensor?</h2><p>An <strong>array</strong> with <a href="https://pytorch.org">a dtype</a>.</p>
<p onclick="steal()">Not <a href="javascript:alert(1)">this</a> <script>alert(2)</script>{{ 7*7 }}.</p>
<p><img src="https://cdn.example.org/t.png" alt="tensor diagram"></p>
<h2>How do you move a model to the GPU?</h2><pre><code class="language-python">model.to("cuda")
# done</code></pre>
</main><aside class="sidebar"><h2>What is trending?</h2></aside><footer>© 2024</footer></body></html>"""
    report = read_text(page, "sources/page.html")
    assert report.kind == "html"
    assert titles(report) == ["What is a tensor?", "How do you move a model to the GPU?"]
    tensor, gpu = report.questions
    html = "".join(block_html(b) for b in tensor.blocks)
    assert "<strong>array</strong>" in html and 'href="https://pytorch.org"' in html
    assert "<img" not in html and 'href="https://cdn.example.org/t.png"' in html and "Image: tensor diagram" in html
    assert "javascript:" not in html and "onclick" not in html and "alert(2)" not in html
    assert "{{" not in html and "&#123;&#123; 7&#42;7 &#125;&#125;" in html  # never a template
    (code,) = gpu.blocks
    assert code.kind == "code" and code.lang == "python" and code.text == 'model.to("cuda")\n# done'


def test_a_file_with_no_questions_fails_with_one_error_naming_it(tmp_path):
    odd = tmp_path / "odd.md"
    odd.write_text("# My shopping list\n\nMilk and bread.\n\n- eggs\n- butter\n")
    with pytest.raises(SourceError) as err:
        read_file(odd, "sources/odd.md")
    msg = str(err.value)
    assert msg.startswith("sources/odd.md: ") and "no questions found" in msg
    assert "headings" in msg and "list items" in msg and "summary" in msg  # the layouts tried


# --- issue 11: reader faults --------------------------------------------------------------------------


def test_unclosed_fence_does_not_swallow_later_questions():
    md = "# Notes\n\n- What is a tensor?\n  - An array.\n  ```python\n  x = 1\n\n- What is autograd?\n  - Gradients.\n"
    report = read_text(md, "sources/n.md")
    assert titles(report) == ["What is a tensor?", "What is autograd?"]
    assert report.warnings == [
        "sources/n.md:5: code block opened here is never closed; read as closed at line 7 (add the closing ```)"
    ]


def test_navigation_bullets_are_not_questions():
    md = "- Home\n- About us\n- Contact\n\n# Questions\n\n- What is a tensor?\n  - An array.\n- Why GPUs?\n  - Speed.\n"
    report = read_text(md, "sources/nav.md")
    assert titles(report) == ["What is a tensor?", "Why GPUs?"]
    assert report.dropped["list items that are not questions (navigation, notes)"] == 3


def test_emoji_and_punctuation_titles_are_rejected_not_merged():
    md = "- ???\n  - one\n- 🙂🙂\n  - two\n- !!!\n  - three\n- What is a tensor?\n  - An array.\n"
    report = read_text(md, "sources/e.md")
    assert titles(report) == ["What is a tensor?"]
    assert report.dropped["titles with no words (emoji or punctuation only)"] == 3


def test_100k_character_title_reads_and_gets_a_capped_id():
    def cpu_seconds(n: int):
        md = "- What is " + "x" * n + "?\n  - An answer.\n"
        started = time.process_time()  # CPU time: a busy neighbour does not count
        report = read_text(md, "sources/long.md")
        return time.process_time() - started, report

    small, _ = cpu_seconds(10_000)
    large, report = cpu_seconds(100_000)
    (q,) = deduplicate(report.questions)
    assert len(q.id) <= 85 and q.id.startswith("x")
    # 10x the title, linear work: ~10x the time; quadratic would be ~100x (bench/bench_read.py measures it)
    assert large < 40 * max(small, 0.005), (small, large)


def test_id_cap_keeps_existing_ids():
    assert question_id(("difference", "between", "torch", "nn", "torch", "nn", "functional")) == (
        "difference-between-torch-nn-torch-nn-functional"
    )
    long = question_id(("a" * 200,))
    assert len(long) == 85 and long.startswith("a" * 80)


def test_readme_opening_with_an_html_banner_is_still_markdown():
    md = (
        '<p align="center"><a href="https://x.org"><img src="https://x.org/b.png"></a></p>\n<div>\n<p>Intro</p>\n'
        "</div>\n<br>\n\n## 1. What is a tensor?\n\nAn array.\n\n## 2. What is autograd?\n\nGradients.\n"
    )
    report = read_text(md, "sources/readme.md")
    assert report.kind == "notes" and titles(report) == ["What is a tensor?", "What is autograd?"]


def test_much_text_outside_questions_is_a_warning_naming_its_first_lines():
    md = (
        "# Notes\n\n"
        + "".join(f"Stray paragraph number {i} with some words.\n\n" for i in range(8))
        + ("## What is a tensor?\n\nAn array.\n\n## What is autograd?\n\nGradients.\n")
    )
    report = read_text(md, "sources/stray.md")
    assert len(report.questions) == 2
    (warning,) = report.warnings
    assert (
        warning.startswith("sources/stray.md:3: text outside any question (")
        and "lines 3, 5, 7, 9, 11 and 3 more" in warning
    )
    assert report.dropped["paragraphs outside questions"] == 8


def test_markdown_images_in_answers_become_links():
    md = "## What is a CNN?\n\nA stack of filters. ![diagram](https://x.org/d.png)\n\n![local](../img/a.png)\n"
    (q,) = read_text(md, "sources/img.md").questions
    html = "".join(block_html(b) for b in q.blocks)
    assert "<img" not in html
    assert 'href="https://x.org/d.png"' in html and "Image: diagram" in html
    assert "Image (not included): local" in html and "../img/a.png" not in html


def test_new_questions_are_placed_by_content_and_counted():
    from studysite.model import Block, Question, SourceRef
    from studysite.topics import assign_topics, load_topic_map

    from conftest import REPO

    topic_map = load_topic_map(REPO / "sources" / "topics.yaml", "sources/topics.yaml")

    def q(qid, title, answer, section=""):
        return Question(
            id=qid,
            title=title,
            key=(qid,),
            blocks=[Block("para", answer)],
            sources=[SourceRef("sources/x.md", 1, title, "notes", section)],
        )

    questions = [
        # no topic keyword in either title: the answer (and the section) decide
        q(
            "what-does-this-layer-do",
            "What does this layer do?",
            "It slides small kernels over the image; stride and padding set the output size, and pooling follows.",
        ),
        q(
            "why-do-gates-help",
            "Why do gates help?",
            "The forget gate of an LSTM keeps the cell state over many time steps of the sequence.",
        ),
        q("favourite-api", "Which APIs do you like?", "Several."),
    ]
    topics, notes = assign_topics(questions, topic_map)
    placed = {qq.id: t.slug for t in topics for qq in t.questions}
    assert placed["what-does-this-layer-do"] == "cnn"
    assert placed["why-do-gates-help"] == "rnn"
    assert placed["favourite-api"] == topic_map["fallback"]
    assert any(n.startswith("2 questions placed by content") and "cnn 1" in n and "rnn 1" in n for n in notes)
    assert any(n.startswith("1 questions like no topic") for n in notes)


def test_links_relative_to_the_source_page_are_not_links_here():
    md = "## What is a CNN?\n\nSee [the table of contents](#toc), [a figure](../img/a.png) and [PyTorch](https://pytorch.org).\n"
    (q,) = read_text(md, "sources/rel.md").questions
    html = "".join(block_html(b) for b in q.blocks)
    assert 'href="https://pytorch.org"' in html
    assert 'href="#toc"' not in html and "../img/a.png" not in html
    assert "the table of contents" in html and "a figure" in html  # the words stay


def test_accordion_page_and_plain_question_paragraphs():
    page = """<!doctype html><html><body><nav><button>Menu</button></nav><main><h1>FAQ</h1>
<div class="accordion">
 <div class="card"><div class="card-header"><button class="btn">What is a tensor?</button></div>
  <div class="collapse"><div class="card-body"><p>An n-dimensional array.</p></div></div></div>
 <div class="card"><div class="card-header"><button class="btn">Why use GPUs?</button></div>
  <div class="collapse"><div class="card-body"><p>Parallel arithmetic.</p></div></div></div>
</div></main></body></html>"""
    report = read_text(page, "sources/acc.html")
    assert titles(report) == ["What is a tensor?", "Why use GPUs?"]
    assert answer(report.questions[1]) == "Parallel arithmetic."
    text = "# Notes\n\nWhat is a tensor?\n\nAn array. Why care? Because.\n\nWhy use GPUs?\n\nParallel arithmetic.\n"
    report = read_text(text, "sources/p.md")
    assert titles(report) == ["What is a tensor?", "Why use GPUs?"]
    assert answer(report.questions[0]) == "An array. Why care? Because."


def test_title_case_headings_become_sentence_case_but_names_and_terms_stay():
    from studysite.clean import title_case_to_sentence

    assert (
        title_case_to_sentence("What Is the Difference Between a Feedforward Neural Network and RNN?")
        == "What is the difference between a feedforward neural network and RNN?"
    )
    assert (
        title_case_to_sentence("What Is a Boltzmann Machine?", frozenset({"Boltzmann"}))
        == "What is a Boltzmann machine?"
    )
    assert title_case_to_sentence("How does PyTorch handle CUDA tensors?") == "How does PyTorch handle CUDA tensors?"
    assert title_case_to_sentence("How does XY work with data?") == "How does XY work with data?"


GROUPED_LIST = """# Training neural networks

- [E] When building a neural network, should you overfit or underfit it first?
- [E] Write the vanilla gradient update.
- Activation functions.
    - [E] Draw the graphs for sigmoid, tanh, ReLU, and leaky ReLU.
    - [E] Pros and cons of each activation function.
    - [E] Is ReLU differentiable? What to do when it's not differentiable?
- [E] What's the motivation for skip connection in neural works?
- Batch size.
    - [E] What happens to your model training when you decrease the batch size to 1?
    - [M] How should we adjust the learning rate as we increase or decrease the batch size?
- [M] Why is Adagrad sometimes favored in problems with sparse gradients?
- [E] Why don't we just initialize all weights in a neural network to zero?
"""


def test_questions_under_a_group_label_are_read():
    """A list of questions with group-label items ("Batch size.") whose nested items are questions: the
    labels are not questions, and what is under them is no question's answer, so the nested questions
    are read as the second layout (they were left inside the labels)."""
    report = read_text(GROUPED_LIST, "sources/grouped.md")
    got = titles(report)
    assert "Activation functions." not in got and "Batch size." not in got
    assert len(got) == 10
    assert "Draw the graphs for sigmoid, tanh, ReLU, and leaky ReLU." in got
    assert "How should we adjust the learning rate as we increase or decrease the batch size?" in got
