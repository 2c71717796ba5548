"""Saved HTML pages → the neutral block stream, via lxml's HTML parser (element source lines kept).

Boilerplate goes first: scripts, styles, navigation, headers, footers, sidebars, forms, and elements
whose role, id or class names them as menus, ads, cookie banners, share buttons or comments. If the
page has one <main> or <article>, only that is read. What is left is walked in document order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import lxml.html
from lxml import etree

from ..model import SourceError
from ..stream import Node, Parsed

DROP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "select",
    "input",
    "textarea",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "head",
    "dialog",
    "menu",
}
DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog", "toolbar"}
# Class/id words of page furniture (matched as whole words of the attribute)
BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|sidebar|footer|site-header|page-header|breadcrumbs?|cookie|consent|advert|ads?|adsbygoogle|"
    r"sponsor|social|share|sharing|comments?|related|popup|modal|newsletter|subscribe|banner|toc|skip|pagination|headerlink|anchor-link)(?:$|[\s_-])",
    re.I,
)
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = HEADINGS | {
    "p",
    "ul",
    "ol",
    "li",
    "pre",
    "table",
    "blockquote",
    "details",
    "summary",
    "dl",
    "dt",
    "dd",
    "img",
    "figure",
    "hr",
}
INLINE_KEEP = {"strong", "b", "em", "i", "code", "a", "sub", "sup", "br", "kbd", "span", "mark", "s", "del"}


def sniff(text: str) -> float:
    """A page (doctype or <html>), or a fragment whose lines are mostly tags. A README that opens with
    an HTML banner is still markdown: most of its lines are not tags."""
    head = text.lstrip()[:1000].lower()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head[:300]:
        return 1.0
    lines = [ln.strip() for ln in text.split("\n")[:2000] if ln.strip()]
    tagged = sum(1 for ln in lines if ln.startswith("<"))
    return 1.0 if lines and tagged >= 5 and tagged / len(lines) > 0.6 else 0.0


def _is_boilerplate(el) -> bool:
    if el.tag in DROP_TAGS:
        return True
    if (el.get("role") or "").lower() in DROP_ROLES:
        return True
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    names = " ".join(filter(None, [el.get("class"), el.get("id")]))
    return bool(names and BOILERPLATE.search(names))


def inner_html(el) -> str:
    """The element's content as HTML (sanitised later, when rendered)."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not _is_boilerplate(child):
            parts.append(etree.tostring(child, encoding="unicode", method="html", with_tail=False))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def text_of(el) -> str:
    return " ".join(el.text_content().split())


# Characters libxml2 refuses (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/FFFF): shown as spaces
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# libxml2 stops building the tree at 256 levels and drops everything after (the rest of the page) unless
# told the document is huge; the walk below recurses per level, so what is deeper than MAX_DEPTH is
# unwrapped into its ancestor at that depth (text kept, nesting lost).
PARSER = lxml.html.HTMLParser(huge_tree=True)
MAX_DEPTH = 120


def _flatten_deep(doc) -> None:
    depth, deep = 0, []
    for event, el in etree.iterwalk(doc, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth > MAX_DEPTH and isinstance(el.tag, str):
                deep.append(el)
        else:
            depth -= 1
    for el in deep:
        el.drop_tag()


def read_nodes(text: str, file: str) -> list[Node]:
    text = NOT_XML.sub(" ", text)
    try:
        doc = lxml.html.document_fromstring(text, parser=PARSER)
    except (etree.ParserError, ValueError) as e:
        raise SourceError(file, None, f"not a readable HTML page: {e}") from None
    for el in list(doc.iter()):
        if (
            isinstance(el.tag, str)
            and el.getparent() is not None
            and _is_boilerplate(el)
            or not isinstance(el.tag, str)
            and el.getparent() is not None
        ):
            el.drop_tree()
    _flatten_deep(doc)
    mains = doc.xpath("//main") or doc.xpath("//article")
    root = mains[0] if len(mains) == 1 else (doc.find("body") if doc.find("body") is not None else doc)
    nodes: list[Node] = []
    state = {"list": 0}
    _walk(root, nodes, parent=-1, depth=0, state=state)
    return nodes


def _line(el) -> int:
    return el.sourceline or 1


def _emit(nodes: list[Node], node: Node, parent: int) -> int:
    node.parent = parent
    if parent >= 0:
        nodes[parent].has_children = True
    nodes.append(node)
    return len(nodes) - 1


def _emit_text(
    nodes: list[Node], parent: int, el, kind: str, tag: str, depth: int, *, text: str, title: str, **fields
) -> None:
    """A heading, paragraph or term: its text, plain title (also its raw text), tag and source line."""
    _emit(nodes, Node(kind, line=_line(el), text=text, title=title, depth=depth, raw=title, tag=tag, **fields), parent)


def _walk(el, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    loose: list[str] = []  # text and inline elements directly in a container: one paragraph

    def flush(line: int) -> None:
        joined = " ".join(" ".join(loose).split())
        loose.clear()
        if joined and re.search(r"\w", joined):
            _emit(nodes, Node("para", line=line, text=joined, title=_plain(joined), fmt="html", depth=depth), parent)

    if el.text and el.text.strip():
        loose.append(_escape(el.text))
    for child in el:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag in BLOCKS or tag in ("div", "section", "article", "main", "body", "span") and _has_blocks(child):
            flush(_line(child))
            _block(child, tag, nodes, parent, depth, state)
        else:
            loose.append(etree.tostring(child, encoding="unicode", method="html", with_tail=False))
        if child.tail and child.tail.strip():
            loose.append(_escape(child.tail))
    flush(_line(el))


def _has_blocks(el) -> bool:
    return any(isinstance(d.tag, str) and d.tag in BLOCKS | {"div", "section"} for d in el.iterdescendants())


def _block(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    """One block element → its nodes, by the handler for its tag (a container holding blocks is walked)."""
    BLOCK_HANDLERS.get(tag, _container)(el, tag, nodes, parent, depth, state)


def _heading(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    title = text_of(el)
    if not title:
        return
    strong = el.find(".//strong") if el.find(".//strong") is not None else el.find(".//b")
    bold = text_of(strong) if strong is not None and text_of(strong) == title else ""
    _emit_text(
        nodes, parent, el, "heading", tag, depth, text=title, title=title, bold=bold, fmt="text", level=int(tag[1])
    )


def _paragraph(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    """<p>, <dd> and <dt> (a term: a label)."""
    content = inner_html(el)
    title = text_of(el)
    if not title:
        _figure(el, tag, nodes, parent, depth, state)
        return
    bold, rest = _bold_lead(el)
    kind = "label" if tag == "dt" else "para"
    _emit_text(nodes, parent, el, kind, tag, depth, text=content, title=title, bold=bold, fmt="html", rest=rest)


def _list(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    state["list"] += 1
    list_id = state["list"]
    for li in el:
        if not isinstance(li.tag, str):
            continue
        if li.tag in ("ul", "ol"):  # a list nested without its <li> (common in hand-written pages)
            owner = len(nodes) - 1 if nodes and nodes[-1].kind == "item" else parent
            _block(li, li.tag, nodes, owner, depth + 1, state)
            continue
        lead, lead_title, bold, rest = _li_lead(li)
        node = Node(
            "item",
            line=_line(li),
            text=lead,
            title=lead_title,
            bold=bold,
            rest=rest,
            fmt="html",
            depth=depth + 1,
            ordered=tag == "ol",
            list_id=list_id,
            raw=lead_title,
            tag="li",
        )
        idx = _emit(nodes, node, parent)
        for child in li:
            if (
                isinstance(child.tag, str)
                and (child.tag in BLOCKS - {"p"} or child.tag in ("div",))
                and child.tag not in INLINE_KEEP
            ):
                _block(child, child.tag, nodes, idx, depth + 1, state)


def _list_item(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    _block_list_item_alone(el, nodes, parent, depth, state)


def _pre(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    code = el.find(".//code")
    lang = ""
    for node in (code, el):
        if node is not None:
            m = re.search(r"(?:language|lang)-([\w+#-]+)", node.get("class") or "")
            lang = lang or (m.group(1) if m else "")
    _emit(
        nodes,
        Node("code", line=_line(el), text=el.text_content().strip("\n"), lang=lang, fmt="text", depth=depth),
        parent,
    )


def _table(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    rows = []
    for tr in el.iter("tr"):
        cells = [inner_html(c) for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        if cells:
            rows.append(cells)
    if rows:
        _emit(nodes, Node("table", line=_line(el), rows=rows, fmt="html", depth=depth), parent)


def _blockquote(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    content = inner_html(el)
    if text_of(el):
        _emit(
            nodes,
            Node("html", line=_line(el), text=f"<blockquote>{content}</blockquote>", fmt="html", depth=depth),
            parent,
        )


def _details(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    line = _line(el)
    summary = el.find("summary")
    title = text_of(summary) if summary is not None else ""
    idx = _emit(nodes, Node("summary", line=line, text=title, title=title, fmt="text", depth=depth, raw=title), parent)
    if summary is not None:
        summary.drop_tree()
    _walk(el, nodes, idx, depth, state)
    nodes.append(Node("end", line=line, parent=parent))


def _img(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    _image(el, nodes, parent, depth)


def _figure(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    """The images inside (a <figure>, or a paragraph with no text)."""
    for img in el.iter("img"):
        _image(img, nodes, parent, depth)


def _container(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    """<dl>, and div, section, article … holding blocks: walked."""
    _walk(el, nodes, parent, depth, state)


def _nothing(el, tag: str, nodes: list[Node], parent: int, depth: int, state: dict) -> None:
    """<hr>, and a <summary> outside its <details>."""


BlockHandler = Callable[[Any, str, list[Node], int, int, dict], None]
# tag → handler (as markdown-it-py's rule tables); a tag not named here is a container and walked
BLOCK_HANDLERS: dict[str, BlockHandler] = {
    **dict.fromkeys(HEADINGS, _heading),
    **dict.fromkeys(("p", "dd", "dt"), _paragraph),
    **dict.fromkeys(("ul", "ol"), _list),
    "li": _list_item,
    "pre": _pre,
    "table": _table,
    "blockquote": _blockquote,
    "details": _details,
    "img": _img,
    "figure": _figure,
    "dl": _container,
    "hr": _nothing,
    "summary": _nothing,
}


def _block_list_item_alone(el, nodes, parent, depth, state) -> None:
    lead, lead_title, bold, rest = _li_lead(el)
    _emit(
        nodes,
        Node(
            "item",
            line=_line(el),
            text=lead,
            title=lead_title,
            bold=bold,
            rest=rest,
            fmt="html",
            depth=depth + 1,
            list_id=-2,
            raw=lead_title,
            tag="li",
        ),
        parent,
    )


def _li_lead(li) -> tuple[str, str, str, str]:
    """The item's own text (not its nested lists/blocks) as HTML and as plain text, and a bold lead."""
    parts = [_escape(li.text or "")]
    for child in li:
        if not isinstance(child.tag, str):
            continue
        if child.tag in BLOCKS - {"p"} or child.tag == "div":
            break
        parts.append(etree.tostring(child, encoding="unicode", method="html", with_tail=False))
        parts.append(_escape(child.tail or ""))
    lead = " ".join("".join(parts).split())
    title = _plain(lead)
    bold, rest = "", ""
    first = next((c for c in li if isinstance(c.tag, str)), None)
    if first is not None and first.tag in ("strong", "b") and not (li.text or "").strip():
        bold = text_of(first)
        rest = " ".join(
            (
                _escape(first.tail or "")
                + "".join(
                    etree.tostring(c, encoding="unicode", method="html", with_tail=True)
                    for c in first.itersiblings()
                    if isinstance(c.tag, str) and c.tag not in BLOCKS and c.tag != "div"
                )
            ).split()
        )
    return lead, title, bold, rest


def _bold_lead(p) -> tuple[str, str]:
    first = next((c for c in p if isinstance(c.tag, str)), None)
    if first is None or first.tag not in ("strong", "b") or (p.text or "").strip():
        return "", ""
    rest = _escape(first.tail or "") + "".join(
        etree.tostring(c, encoding="unicode", method="html", with_tail=True) for c in first.itersiblings()
    )
    return text_of(first), " ".join(rest.split())


def _image(img, nodes, parent, depth) -> None:
    src = img.get("src") or ""
    if src:
        _emit(
            nodes, Node("image", line=_line(img), text=src, label=img.get("alt") or "", fmt="text", depth=depth), parent
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(fragment: str) -> str:
    try:
        return " ".join(lxml.html.fragment_fromstring(fragment, create_parent="div").text_content().split())
    except (etree.ParserError, ValueError):
        return " ".join(re.sub(r"<[^>]{0,2000}>", " ", fragment).split())


def parse(text: str, file: str) -> Parsed:
    return Parsed(read_nodes(text, file), text.split("\n"), kind="html", reader="HTML page")
