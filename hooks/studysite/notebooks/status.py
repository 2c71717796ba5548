"""The notebook status page: what ran in this build, what came from the cache, what failed."""
from __future__ import annotations

import html

from .outputs import strip_ansi
from .records import NotebookRun


def status_page_markdown(run: NotebookRun, page_links: dict[str, str], *, show_times: bool = True) -> str:
    """A table of notebooks; page_links maps a notebook's repo-relative path (or file name) to its page URL.

    Run times are the only part that varies between builds of the same sources: a reproducible build
    (SOURCE_DATE_EPOCH set) passes show_times=False and the times stay in the build log.
    """
    lines = [
        f"*{run.summary_line()}*" if show_times else "*Run times are left out of reproducible builds "
        "(SOURCE_DATE_EPOCH is set); the build log has them.*",
        "",
        "| Notebook | Status | Run time | Code cells | Questions demonstrated |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in run.results:
        url = page_links.get(r.path) or page_links.get(r.name)
        name = _cell(r.name)
        notebook = f"[{name}]({url})" if url else name
        if r.status == "cached":
            status, seconds = "cached", f"cached (ran in {r.seconds:.1f} s)"
        elif r.status == "succeeded":
            status, seconds = "executed", f"{r.seconds:.1f} s"
        else:
            status, seconds = "**failed**", f"failed after {r.seconds:.1f} s"
        if not show_times:
            seconds = "–"
        questions = ", ".join(f"`{_cell(q)}`" for q in sorted(r.cells_by_question)) or "–"
        lines.append(f"| {notebook} | {status} | {seconds} | {r.code_cells} | {questions} |")

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
