"""What a first visit downloads, made smaller after MkDocs has written the site (issue 21).

- The site's own scripts and stylesheets (the files under docs/assets/javascripts, docs/assets/stylesheets
  and the vendored ts-fsrs, which are served as written) are minified in the site: comments and
  whitespace out (rjsmin, rcssmin; names are kept, so the code runs as written). docs/ keeps the readable
  sources; generated data (study-data.js and its parts) is written compact by review.py.
- Material's stylesheets (main.*.min.css, palette.*.min.css: one file for every feature and colour
  Material has) keep only what this site can match: rules whose every selector needs a class no page,
  no card chunk and no script names are dropped (the notebook stylesheet's trim, notebooks/page.py),
  the palette's colours other than the ones mkdocs.yml chooses, right-to-left rules on a left-to-right
  site, and then every custom property that no
  kept rule, script or stylesheet reads (Material's icons for admonitions the site never shows).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .notebooks.page import used_rules

OWN_DIRS = ("assets/javascripts", "assets/stylesheets", "assets/vendor/ts-fsrs")
MATERIAL_CSS = ("assets/stylesheets/main.*.min.css", "assets/stylesheets/palette.*.min.css")
_CLASS_ATTR = re.compile(r'class=\\?"([^"\\]*)')
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_MD_WORD = re.compile(r"md-[\w-]+")
_STRING = re.compile(r""""([^"\\\n]*)"|'([^'\\\n]*)'|`([^`\\]*)`""")
_TEMPLATE_PREFIX = re.compile(r"([A-Za-z_][\w-]*--)\$\{")  # `md-source__fact--${kind}`: a family of classes
# attributes whose values select a variant: text direction, Material's colour scheme, primary, accent
_VARIANT_ATTR = re.compile(r'(?:\sdir|data-md-color-[a-z]+)="([^"]*)"')
_VARIANT_SELECTOR = re.compile(r"\[(?:dir|data-md-color-[a-z]+)=([\w-]+)\]")
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_NOT = re.compile(r":not\([^()]*\)")
_VAR = re.compile(r"var\(\s*(--[\w-]+)")
_CUSTOM = re.compile(r"--[\w-]+")
# Material components its bundle draws only when a feature turns them on: (class prefix, the feature in
# theme.features, or the extra: key, that does). Off, their classes count only if a page itself has them.
FEATURE_CLASSES = (
    ("md-tooltip2", "content.tooltips"),
    ("md-annotation", "content.code.annotate"),
    ("md-version", "extra.version"),
)


@dataclass(frozen=True)
class AssetStats:
    minified: int  # files
    saved: int  # bytes, minifying and trimming together


@dataclass(frozen=True)
class Used:
    """What the built site can match: class names, variant-attribute values (dir, Material's colours)."""

    classes: frozenset[str]
    variants: frozenset[str]
    prefixes: tuple[str, ...] = ()  # classes the bundle names by a prefix and a value it fills in

    def selector(self, selector: str) -> bool:
        plain = _NOT.sub("", selector)
        return all(c in self.classes or c.startswith(self.prefixes) for c in _CLASS.findall(plain)) and all(
            v in self.variants for v in _VARIANT_SELECTOR.findall(plain)
        )


def off_prefixes(features: Iterable[str], extra: Iterable[str]) -> tuple[str, ...]:
    """The class prefixes of Material components (FEATURE_CLASSES) this site's mkdocs.yml leaves off."""
    on = set(features) | {f"extra.{key}" for key in extra}
    return tuple(prefix for prefix, feature in FEATURE_CLASSES if feature not in on)


def used_names(site_dir: Path, off: tuple[str, ...] = ()) -> Used:
    """Every class a page, a card chunk or a script of the site names. Scripts count by every word in
    them (ours build class names from literals), Material's bundle by its md-* words and the words of
    its strings, except the classes of components that are off (`off`: class prefixes)."""
    bundle: set[str] = set()
    prefixes: set[str] = set()
    classes: set[str] = set()
    variants: set[str] = {"default", "slate"}  # the schemes the palette toggle switches between
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        for match in _CLASS_ATTR.finditer(text):
            classes.update(match.group(1).split())
        variants.update(_VARIANT_ATTR.findall(text))
    for script in site_dir.glob("assets/**/*.js"):
        text = script.read_text(encoding="utf-8", errors="replace")
        if script.name.startswith("bundle.") or "/workers/" in script.as_posix():
            bundle.update(_MD_WORD.findall(text))
            for literal in _STRING.finditer(text):
                bundle.update(_WORD.findall("".join(part or "" for part in literal.groups())))
            prefixes.update(_TEMPLATE_PREFIX.findall(text))
        else:
            classes.update(_WORD.findall(text))
    classes.update(name for name in bundle if not name.startswith(off))
    return Used(frozenset(classes), frozenset(variants), tuple(sorted(p for p in prefixes if not p.startswith(off))))


def drop_unread_properties(css: str, readers: Iterable[str]) -> str:
    """css without the custom properties (--name: …) that nothing reads: not a var() in css itself nor
    any name in `readers` (other stylesheets, scripts). A property read only by a dropped one goes too."""
    import tinycss2

    read_elsewhere = {name for text in readers for name in _CUSTOM.findall(text)}
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    while True:
        read = read_elsewhere | set(_VAR.findall(css))
        out = "".join(_without_properties(rules, read))
        if out == css:
            return out
        css = out
        rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)


def _without_properties(rules, read: set[str]) -> list[str]:
    import tinycss2

    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            decls = tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True)
            kept = [
                d.serialize()
                for d in decls
                if d.type == "declaration" and (not d.name.startswith("--") or d.name in read)
            ]
            if kept:
                out.append(f"{tinycss2.serialize(rule.prelude).strip()}{{{';'.join(kept)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            kept_rules = _without_properties(inner, read)
            if kept_rules:
                out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(kept_rules)}}}")
        elif rule.type == "at-rule":
            out.append(tinycss2.serialize([rule]))
    return out


def own_files(site_dir: Path, docs_dir: Path) -> list[Path]:
    """The site's copies of the scripts and stylesheets under docs/ (not generated ones, not *.min.*)."""
    found = []
    for folder in OWN_DIRS:
        for src in sorted((docs_dir / folder).glob("*")):
            built = site_dir / folder / src.name
            if src.suffix in (".js", ".css") and ".min." not in src.name and built.is_file():
                found.append(built)
    return found


def minify(path: Path) -> int:
    """Minify one script or stylesheet in place; the bytes saved."""
    import rcssmin
    import rjsmin

    text = path.read_text(encoding="utf-8")
    small = rcssmin.cssmin(text) if path.suffix == ".css" else rjsmin.jsmin(text)
    path.write_text(small, encoding="utf-8")
    return len(text.encode()) - len(small.encode())


def trim_material(site_dir: Path, used: Used) -> int:
    """Material's stylesheets in site_dir trimmed to what the site uses; the bytes saved."""
    sheets = [p for pattern in MATERIAL_CSS for p in site_dir.glob(pattern)]
    texts = {p: p.read_text(encoding="utf-8") for p in sheets}
    trimmed = {p: used_rules(css, set(used.classes), selector_used=used.selector) for p, css in texts.items()}
    readers = [
        p.read_text(encoding="utf-8", errors="replace")
        for p in [*site_dir.glob("assets/**/*.js"), *site_dir.glob("assets/stylesheets/*.css")]
        if p not in texts
    ]
    saved = 0
    for path, css in trimmed.items():
        others = [t for p, t in trimmed.items() if p != path]
        small = drop_unread_properties(css, [*readers, *others])
        path.write_text(small, encoding="utf-8")
        saved += len(texts[path].encode()) - len(small.encode())
    return saved


def shrink(config) -> AssetStats:
    """on_post_build: the site's own assets minified, Material's stylesheets trimmed."""
    site, docs = Path(config["site_dir"]), Path(config["docs_dir"])
    files = own_files(site, docs)
    saved = sum(minify(p) for p in files)
    off = off_prefixes(config["theme"]["features"], config.get("extra") or {})
    saved += trim_material(site, used_names(site, off))
    return AssetStats(len(files), saved)
