"""Rendered notebook pages (mkdocs-jupyter's HTML), made lighter and accessible after rendering.

- mkdocs-jupyter inlines ≈ 590 KB of JupyterLab and Pygments CSS into every notebook page. The
  stylesheets are cut out of the page and served once, as one shared file (SHARED_CSS), linked from
  each page; the dark JupyterLab theme is added for Material's dark scheme. The file keeps only the
  rules whose class names occur on the notebook pages (JupyterLab's widgets, menus and dialogs
  never do), parsed with tinycss2.
- Plots are inlined as base64 data: URIs; they point at the image files the build publishes anyway
  (notebooks/img/, the files the demos use), so a page carries no image bytes.
- Cell tags (q:<id>, the demo convention) are build metadata: their chips are dropped.
- nbconvert gives every plot the alt text "No description has been provided for this image"; each
  plot gets one from its demo title (the markdown cell before its code cell) instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from ..urls import Urls, notebook_image_src

SHARED_CSS = "assets/stylesheets/jupyter.css"
_NO_ALT = "No description has been provided for this image"
_WORDS = re.compile(r"\s+")


class NotebookPages:
    """Collects the stylesheets cut from notebook pages; writes them once, after the build."""

    def __init__(self) -> None:
        self.styles: list[str] = []  # in first-seen order, each once
        self.classes: set[str] = set()  # every class name used on a notebook page
        self.image_names: list[str] = []  # published under notebooks/img/, named …-<sha256[:8]>.<ext>

    def rewrite(self, html: str, *, page_url: str) -> str:
        tree = LexborHTMLParser(html, is_fragment=True)
        for style in tree.css("style"):
            css = style.text(deep=True)
            if css.strip() and css not in self.styles:
                self.styles.append(css)
            style.decompose()
        for node in tree.css("[class]"):
            self.classes.update((node.attributes.get("class") or "").split())
        for toolbar in tree.css(".celltoolbar"):
            toolbar.decompose()  # cell tags ("q:padding") as chips: build metadata, not for readers
        for code in tree.css(".highlight-ipynb"):
            code.attrs["tabindex"] = "0"  # it scrolls sideways: keyboard users must reach it
        for img in tree.css(".jp-OutputArea-output img"):
            if img.attributes.get("alt") in (None, "", _NO_ALT):
                img.attrs["alt"] = plot_alt(img)
            name = self.published_image(img.attributes.get("src") or "")
            if name:
                img.attrs["src"] = Urls.relative(page_url, notebook_image_src(name))
                img.attrs["loading"] = "lazy"
        body = tree.html or ""  # lexbor types .html as optional; a parsed fragment always has it
        return f'<link rel="stylesheet" href="{Urls.relative(page_url, SHARED_CSS)}">\n' + body

    def published_image(self, src: str) -> str | None:
        """The published file with the same bytes as this data: URI, if there is one."""
        if not src.startswith("data:image/") or ";base64," not in src:
            return None
        try:
            raw = base64.b64decode(src.split(";base64,", 1)[1], validate=False)
        except (binascii.Error, ValueError):
            return None
        digest = hashlib.sha256(raw).hexdigest()[:8]
        return next((n for n in self.image_names if n.rsplit(".", 1)[0].endswith(f"-{digest}")), None)

    def write(self, site_dir: str | Path) -> Path | None:
        if not self.styles:
            return None
        out = Path(site_dir) / SHARED_CSS
        out.parent.mkdir(parents=True, exist_ok=True)
        css = used_rules_cached("\n".join(self.styles), frozenset(self.classes))
        out.write_text(css + "\n" + dark_theme_css(), encoding="utf-8")
        return out


_CLASS = re.compile(r"\.(-?[_a-zA-Z][-_a-zA-Z0-9]*)")
_NOT = re.compile(r":not\([^()]*\)")


def _selector_used(selector: str, classes: set[str]) -> bool:
    """A selector can match only if every class it requires is used (classes under :not() aside; Material's
    own md-* classes are on the page around the notebook)."""
    return all(name in classes or name.startswith("md-") for name in _CLASS.findall(_NOT.sub("", selector)))


_trimmed: dict[str, str] = {}  # serve: the same pages rebuild to the same stylesheet, trimmed once


def used_rules_cached(css: str, classes: frozenset[str]) -> str:
    key = hashlib.sha256((css + "\0" + " ".join(sorted(classes))).encode()).hexdigest()
    if key not in _trimmed:
        _trimmed.clear()
        _trimmed[key] = used_rules(css, set(classes))
    return _trimmed[key]


def used_rules(css: str, classes: set[str], selector_used: Callable[[str], bool] | None = None) -> str:
    """The stylesheet without the rules no page can match: style rules whose every selector needs a
    class name the pages never use (or that `selector_used` says cannot match); @media/@supports blocks
    are trimmed the same way, and dropped when empty. Everything else (@font-face, @keyframes,
    variables on :root) is kept as it is."""
    import tinycss2

    used = selector_used or (lambda sel: _selector_used(sel, classes))

    def trim(rules) -> list[str]:
        out = []
        for rule in rules:
            if rule.type == "qualified-rule":
                selectors = tinycss2.serialize(rule.prelude).split(",")
                if any(used(sel) for sel in selectors):
                    out.append(tinycss2.serialize([rule]))
            elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
                inner = trim(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
                if inner:
                    out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
            elif rule.type == "at-rule":
                out.append(tinycss2.serialize([rule]))
        return out

    return "\n".join(trim(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)))


def plot_alt(img) -> str:
    """'Plot: <title>' from the closest markdown cell above the plot's cell."""
    cell = img
    while cell is not None and not _is_cell(cell):
        cell = cell.parent
    while cell is not None and cell.parent is not None and _is_cell(cell.parent):
        cell = cell.parent  # nbconvert nests the cell's own div in one more jp-Cell div
    node = cell.prev if cell is not None else None
    while node is not None:
        classes = (node.attributes.get("class") or "").split() if node.tag != "-text" else []
        if "jp-MarkdownCell" in classes:
            block = node.css_first("h1, h2, h3, h4, h5, h6, p") or node
            text = _WORDS.sub(" ", block.text(deep=True, separator=" ")).strip()
            # headings carry a "¶" permalink; the title is the cell's first sentence
            text = text.replace("¶", "").strip()
            first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
            if first:
                return f"Plot: {first[:200]}"
        node = node.prev
    return "Plot from this notebook"


def _is_cell(node) -> bool:
    return "jp-Cell" in (node.attributes.get("class") or "").split()


def dark_theme_css() -> str:
    """JupyterLab's dark theme variables, applied when Material's dark (slate) scheme is on."""
    try:
        import mkdocs_jupyter
    except ImportError:  # pragma: no cover - mkdocs-jupyter is a requirement of the site
        return ""
    path = Path(mkdocs_jupyter.__file__).parent / "templates" / "mkdocs_html" / "assets" / "theme-dark.css"
    if not path.exists():
        return ""
    css = path.read_text(encoding="utf-8")
    return css.replace(".jupyter-wrapper", '[data-md-color-scheme="slate"] .jupyter-wrapper')
