"""Markdown snippets that put executed notebook cells under a question on a generated page.

A demo is the cells tagged `q:<question-id>` (a cell carries at most one such tag). Its first tagged
cell is a markdown cell whose first line is the demo's title ("A 7×7 filter on a 5×5 input needs
padding 1"); the code cells follow and are shown as in d2l.ai: each cell's code, then its output,
cell by cell. Further tagged markdown cells are prose between the code.

Cells tagged `remove-cell` (Jupyter Book's tag; `hide-cell` too) are test scaffolding (asserts, warning
filters): they run with the notebook but stay out of the reading path. Each code cell is labelled
"In [n]" and its output "Out [n]", n being the cell's execution count.

The snippet is a `<details>` shown open (md_in_html) carrying `data-search-exclude`, with fenced
blocks (pymdownx.superfences/highlight). Material's search parser matches excluded elements by tag
name, so the wrapper must be an element that does not occur inside it: nothing here nests a
<details>, so do not put the snippet inside a `???` block either. The snippet is meant for the top
level of a page (not indented).
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
_HEADING_MARK = re.compile(r"^\s*(?:#{1,6}\s+|[*_]{1,2})|[*_]{1,2}\s*$")
_CODE_SPAN = re.compile(r"`([^`]+)`")
HIDDEN_TAGS = {"remove-cell", "hide-cell"}  # scaffolding: executed, never shown in a demo


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
    cells = [(i, c) for i, c in cells if not HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    if not any(c.cell_type == "code" for _, c in cells):
        return ""
    title, cells = _title(cells, fallback=result.title)

    body: list[str] = []
    for i, cell in cells:
        if cell.cell_type == "markdown":
            body.append(_no_headings(cell.source.strip()) + "\n")
        elif cell.cell_type == "code":
            n = cell.get("execution_count") or i + 1
            body.append(_fence(cell.source, "python", f"In [{n}]", css_class="qa-input") + "\n")
            body.extend(block + "\n" for block in _outputs(result, i, cell, image_url_prefix, title, f"Out [{n}]"))
    links = f"[Open the full notebook]({_url(notebook_page_url)}) · [Download .ipynb]({_url(download_url)})"
    parts = [
        '<details class="example qa-demo" open data-search-exclude markdown>',
        f"<summary>Demo: {title}</summary>",
        "",
        *body,
        f"{links}\n{{: .qa-demo__links }}",
        "",
        "</details>",
        "",
    ]
    return "\n".join(parts)


def _title(cells: list[tuple[int, NotebookNode]], *, fallback: str) -> tuple[str, list[tuple[int, NotebookNode]]]:
    """The demo's title as HTML (from the first line of its first cell, when that is markdown) and the
    cells left to show; the rest of that markdown cell stays as prose."""
    if cells and cells[0][1].cell_type == "markdown":
        index, cell = cells[0]
        first, _, rest = cell.source.strip().partition("\n")
        text = _HEADING_MARK.sub("", first).strip()
        if text:
            remaining = cells[1:]
            if rest.strip():
                remaining = [(index, nbformat.v4.new_markdown_cell(rest.strip()))] + remaining
            return demo_title_html(text), remaining
    return demo_title_html(fallback or "the notebook"), cells


def _no_headings(markdown_text: str) -> str:
    """Prose inside a demo never opens a section of the topic page: headings become bold lines."""
    return re.sub(r"(?m)^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", r"**\1**", markdown_text)


def demo_title_html(text: str) -> str:
    """A one-line title: escaped, with `code spans` kept as code."""
    parts = _CODE_SPAN.split(text)
    return "".join(f"<code>{_escape_html(p)}</code>" if k % 2 else _escape_html(p) for k, p in enumerate(parts))


def _escape_html(text: str) -> str:
    return html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")


def demo_markdown_error(notebook_path: str, error: BaseException | str) -> str:
    """A failure admonition (serve mode shows this instead of the demo)."""
    message = strip_ansi(getattr(error, "message", None) or str(error))
    title = html.escape(f"Demo notebook failed: {notebook_path}").replace('"', "&quot;")
    return f'!!! failure "{title}"\n\n{_indent(_fence(message, "text"))}\n'


def _outputs(
    result: NotebookResult, index: int, cell: NotebookNode, image_url_prefix: str, title: str, label: str = ""
) -> list[str]:
    blocks = []
    for k, out in enumerate(cell.get("outputs", [])):
        kind = out.get("output_type")
        if kind == "stream":
            stream = f"{label} stderr".strip() if out.get("name") == "stderr" else label
            blocks += _text_block(out.get("text", ""), stream)
        elif kind == "error":
            blocks += _text_block(f"{out.get('ename', '')}: {out.get('evalue', '')}", f"{label} raised".strip())
        elif kind in ("execute_result", "display_data"):
            name = result.image_names.get((index, k))
            if name is not None:
                alt = _escape_md(figure_alt(title, cell))
                blocks.append(f"![{alt}]({_url(image_url_prefix + name)})")
            elif "text/plain" in out.get("data", {}):
                blocks += _text_block(_joined(out["data"]["text/plain"]), label)
            # Other types (html, widgets) only on the full notebook page: never raw HTML in ours.
    return blocks


def figure_alt(title_html: str, cell: NotebookNode) -> str:
    """Alt text for a plot: the demo's title, and the plot's own title when the code sets one."""
    title = re.sub(r"<[^>]+>", "", html.unescape(title_html)).strip()
    named = [m.group(2) for m in re.finditer(r"(?:set_title|suptitle|plt\.title)\(\s*[rf]?([\"'])(.+?)\1", cell.source)]
    text = f"Plot: {title}"
    if named:
        text += " (" + "; ".join(named[:3]) + ")"
    return text


def _text_block(text: str, label: str) -> list[str]:
    lines = _CONTROL.sub("", strip_ansi(text)).rstrip("\n").split("\n")
    lines = [ln if len(ln) <= MAX_LINE_CHARS else ln[: MAX_LINE_CHARS - 1] + "…" for ln in lines]
    blocks = [_fence("\n".join(lines[:MAX_LINES]), "text", label, css_class="qa-output")]
    if len(lines) > MAX_LINES:
        blocks.append(f"*Output truncated: {len(lines) - MAX_LINES} more lines in the full notebook.*")
    return blocks


def _fence(body: str, lang: str, title: str = "", *, css_class: str = "") -> str:
    """A fenced block no content can close: the fence is longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    title_attr = f' title="{_attr(title)}"' if title else ""
    if css_class:  # {.lang .class title="…"}: the class lands on the block's <div>
        return f"{fence}{{.{lang} .{css_class}{title_attr}}}\n{body.rstrip(chr(10))}\n{fence}"
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
