"""Markdown snippets that put executed notebook cells under a question on a generated page.

The snippet is a collapsible `<details>` (md_in_html) carrying `data-search-exclude`, with "Code" and
"Output" tabs (pymdownx.tabbed, alternate style) and fenced blocks (pymdownx.superfences/highlight).
Material's search parser matches excluded elements by tag name, so the wrapper must be an element
that does not occur inside it: nothing here nests a <details>, so do not put the snippet inside a
`???` block either. The snippet is meant for the top level of a page (not indented).
"""
from __future__ import annotations

import functools
import html
import re
from pathlib import Path
from urllib.parse import quote

import nbformat
from nbformat import NotebookNode

from .outputs import strip_ansi
from .records import NotebookError, NotebookResult

MAX_LINES = 40  # longer text outputs are cut; the full notebook page has everything
MAX_LINE_CHARS = 400
_TAB = "    "
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def demo_markdown(
    result: NotebookResult,
    cell_indexes: list[int],
    *,
    image_url_prefix: str,
    notebook_page_url: str,
    download_url: str,
) -> str:
    """The demo block for these cells (0-based indexes), or an error admonition if the notebook failed."""
    if result.status == "failed" or result.executed_path is None:
        return demo_markdown_error(result.path, result.error or NotebookError(f"{result.path}: not executed"))
    nb = _load(result.executed_path)
    cells = [(i, nb.cells[i]) for i in sorted(set(cell_indexes)) if 0 <= i < len(nb.cells)]
    cells = [(i, c) for i, c in cells if c.cell_type == "code"]  # prose stays in the full notebook
    if not cells:
        return ""

    code, output = [], []
    for i, cell in cells:
        label = f"In [{cell.execution_count}]" if cell.execution_count else f"cell {i + 1}"
        code.append(_fence(cell.source, "python", label))
        output.extend(_outputs(result, i, cell, image_url_prefix))
    if not output:
        output.append("*No output.*")

    summary = html.escape(f"Demo: {result.title} (runs at build time)")
    links = f"[Open the full notebook]({_url(notebook_page_url)}) · [Download .ipynb]({_url(download_url)})"
    parts = [
        '<details class="example qa-demo" data-search-exclude markdown>',
        f"<summary>{summary}</summary>",
        "",
        '=== "Code"',
        "",
        *(_indent(block) + "\n" for block in code),
        '=== "Output"',
        "",
        *(_indent(block) + "\n" for block in output),
        links,
        "",
        "</details>",
        "",
    ]
    return "\n".join(parts)


def demo_markdown_error(notebook_path: str, error: BaseException | str) -> str:
    """A failure admonition (serve mode shows this instead of the demo)."""
    message = strip_ansi(getattr(error, "message", None) or str(error))
    title = html.escape(f"Demo notebook failed: {notebook_path}").replace('"', "&quot;")
    return f'!!! failure "{title}"\n\n{_indent(_fence(message, "text"))}\n'


def _outputs(result: NotebookResult, index: int, cell: NotebookNode, image_url_prefix: str) -> list[str]:
    label = f"Out [{cell.execution_count}]" if cell.execution_count else f"cell {index + 1}"
    blocks = []
    for k, out in enumerate(cell.get("outputs", [])):
        kind = out.get("output_type")
        if kind == "stream":
            blocks += _text_block(out.get("text", ""), label if out.get("name") != "stderr" else f"{label} stderr")
        elif kind == "error":
            blocks += _text_block(f"{out.get('ename', '')}: {out.get('evalue', '')}", f"{label} raised")
        elif kind in ("execute_result", "display_data"):
            name = result.image_names.get((index, k))
            if name is not None:
                alt = _escape_md(f"Figure from {result.name}, cell {index + 1}")
                blocks.append(f"![{alt}]({_url(image_url_prefix + name)})")
            elif "text/plain" in out.get("data", {}):
                blocks += _text_block(_joined(out["data"]["text/plain"]), label)
            # Other types (html, widgets) only on the full notebook page: never raw HTML in ours.
    return blocks


def _text_block(text: str, label: str) -> list[str]:
    lines = _CONTROL.sub("", strip_ansi(text)).rstrip("\n").split("\n")
    lines = [ln if len(ln) <= MAX_LINE_CHARS else ln[: MAX_LINE_CHARS - 1] + "…" for ln in lines]
    blocks = [_fence("\n".join(lines[:MAX_LINES]), "text", label)]
    if len(lines) > MAX_LINES:
        blocks.append(f"*Output truncated: {len(lines) - MAX_LINES} more lines in the full notebook.*")
    return blocks


def _fence(body: str, lang: str, title: str = "") -> str:
    """A fenced block no content can close: the fence is longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    title_attr = f' title="{_attr(title)}"' if title else ""
    return f"{fence}{lang}{title_attr}\n{body.rstrip(chr(10))}\n{fence}"


def _indent(block: str) -> str:
    return "\n".join(_TAB + ln if ln.strip() else "" for ln in block.split("\n"))


def _attr(text: str) -> str:
    return re.sub(r'["\\\n]', "", text)


def _escape_md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>!])", r"\\\1", text)


def _url(url: str) -> str:
    # Keep URLs as given except characters that would end a markdown link target.
    return quote(url, safe="/:#?&=%.-_~+@!$',;")


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def _load(path: Path) -> NotebookNode:
    stat = path.stat()
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int, size: int) -> NotebookNode:
    # Many questions point into the same notebook; the key changes whenever the file does.
    return nbformat.read(path, as_version=4)
