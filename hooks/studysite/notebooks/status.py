"""The notebooks index: what each notebook demonstrates, and which failed (run times stay in the build log)."""

from __future__ import annotations

import html

from .outputs import strip_ansi
from .records import NotebookRun


def status_page_markdown(run: NotebookRun, page_links: dict[str, str]) -> str:
    """A table of notebooks for readers; page_links maps a notebook's repo-relative path (or file name) to its
    page URL.

    Readers see what each notebook demonstrates. How the build got the outputs (executed or cached, run
    times) is build internals: it stays in the build log (`notebooks: N executed, M cached`). A notebook
    that failed (only `mkdocs serve` publishes a site with one) is marked and its error shown.
    """
    lines = [
        "| Notebook | Code cells | Questions it demonstrates |",
        "| --- | --- | --- |",
    ]
    for r in run.results:
        url = page_links.get(r.path) or page_links.get(r.name)
        name = _cell(r.name)
        notebook = f"[{name}]({url})" if url else name
        if r.status not in ("cached", "succeeded"):
            notebook += " **failed**"
        questions = ", ".join(f"`{_cell(q)}`" for q in sorted(r.cells_by_question)) or "–"
        lines.append(f"| {notebook} | {r.code_cells} | {questions} |")

    for r in run.failed:
        message = strip_ansi(r.error.message if r.error else "failed")
        fence = "`" * max(3, _longest_backticks(message) + 1)
        lines += ["", f"**{_cell(r.name)}** failed:", "", f"{fence}text", message, fence]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    # Table cells: no pipes, no raw HTML, no line breaks.
    return html.escape(text).replace("|", "\\|").replace("\n", " ")


def _longest_backticks(text: str) -> int:
    longest = current = 0
    for ch in text:
        current = current + 1 if ch == "`" else 0
        longest = max(longest, current)
    return longest
