"""MkDocs hook: wires MkDocs events to the studysite library (hooks/studysite), which does the work.

Order matters: MkDocs runs on_config and on_pre_build, then empties site_dir, then on_files. All the
work that can fail (reading sources, notebooks, generating pages) runs in on_pre_build, so a failed
`mkdocs build` leaves the previous site/ as it was.

While serving, a hook must never raise: MkDocs' dev server then holds every request until a rebuild
succeeds. So in serve every failure is logged and the last good pages are served.
"""
from __future__ import annotations

import importlib
import logging
import sys
import traceback
from pathlib import Path

from mkdocs.plugins import event_priority

HOOKS = Path(__file__).resolve().parent
ROOT = HOOKS.parent
if str(HOOKS) not in sys.path:
    sys.path.insert(0, str(HOOKS))  # for importing this file outside MkDocs too
import studysite.site  # noqa: E402  (the library; reloaded while serving when its code changes)

log = logging.getLogger("mkdocs.plugins.studysite")
_command = "build"
_site = None  # the current build's StudySite
_good = None  # serve: the last StudySite whose pages were all built
_code_stamp: dict[str, int] = {}
_dirty = False
_swap = None  # build: the fresh output folder swapped in for site_dir once the build succeeded


def _library_files() -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in sorted((HOOKS / "studysite").rglob("*.py"))}


def _reload_library() -> None:
    """Serve: if hooks/studysite/*.py changed since the last build, import the library afresh."""
    global _code_stamp
    stamp = _library_files()
    if not _code_stamp:
        _code_stamp = stamp
        return
    if stamp == _code_stamp:
        return
    changed = sorted(Path(p).relative_to(ROOT).as_posix() for p in set(stamp) | set(_code_stamp)
                     if stamp.get(p) != _code_stamp.get(p))
    saved = {name: mod for name, mod in sys.modules.items() if name == "studysite" or name.startswith("studysite.")}
    for name in saved:
        del sys.modules[name]
    old_path = sys.path[:]
    sys.path.insert(0, str(HOOKS))  # MkDocs puts hooks/ on sys.path only while it loads the hook
    try:
        importlib.invalidate_caches()
        importlib.import_module("studysite.site")
    except Exception as e:  # a syntax error in the edit: keep running the old code
        for name in [n for n in sys.modules if n == "studysite" or n.startswith("studysite.")]:
            del sys.modules[name]
        sys.modules.update(saved)
        log.error(f"{changed[0]}: the edited library does not import ({type(e).__name__}: {e}); "
                  "still running the previous code — fix it, or restart `mkdocs serve`")
        return
    finally:
        sys.path[:] = old_path
    _code_stamp = stamp
    log.info(f"reloaded the study-site library ({', '.join(changed)} changed)")


def on_startup(command, dirty):
    global _command, _dirty
    _command, _dirty = command, dirty


def on_config(config):
    global _site, _swap
    if _command == "serve":
        _reload_library()
    lib = sys.modules["studysite.site"]
    try:
        settings = lib.StudyConfig.load(ROOT, config)  # every setting, read and checked once
    except Exception as e:
        if _command != "serve":
            raise
        log.error(f"{e}; serving with the default settings until it is fixed")
        settings = lib.StudyConfig.defaults(ROOT, config)
    if _command != "serve" and not _dirty:
        _swap = lib.SiteSwap(config)
    _site = lib.StudySite(ROOT, _command, config=settings, previous=_good)
    return config


def on_pre_build(config):
    """Everything that can fail, before MkDocs empties site_dir."""
    global _site, _good
    if _command != "serve":
        _site.prepare(config)
        return
    try:
        _site.prepare(config)
        _good = _site
    except Exception as e:
        _serve_failed(e)


def _serve_failed(e: BaseException) -> None:
    global _site
    where = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
    at = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
    log.error(f"the study-site hook failed: {type(e).__name__}: {e}{at}; serving the last good pages")
    if _good is not None:
        _site = _good
    elif _site is not None:
        _site.pages = _site.pages or {}


@event_priority(50)  # before mkdocs-jupyter's on_files, so it renders the executed notebooks we add
def on_files(files, config):
    if _command != "serve":
        return _site.add_files(files, config)
    try:
        return _site.add_files(files, config)
    except Exception as e:
        failed = _site
        _serve_failed(e)
        if _good is not None and _good is not failed:
            try:
                return _good.add_files(files, config)
            except Exception as again:
                log.error(f"the last good pages could not be added either: {type(again).__name__}: {again}")
        return files


@event_priority(-100)  # after every plugin's on_post_build (the search index is written there)
def on_post_build(config):
    global _swap
    if _site is not None:  # the stylesheet cut out of every notebook page, into the site being built
        _site.notebook_pages.write(config["site_dir"])
        _search_index(config)
    if _swap is not None:
        _swap.finish(config)
        _swap = None


def _search_index(config) -> None:
    """The questions' search index (hooks/studysite/search.py), into the site being built."""
    search = sys.modules.get("studysite.search") or importlib.import_module("studysite.search")
    if _command != "serve":
        search.publish(config, _site, log)
        return
    try:
        search.publish(config, _site, log)
    except Exception as e:
        _serve_failed(e)


def on_build_error(error):
    global _swap
    if _swap is not None:
        _swap.abandon()
        _swap = None


def on_page_content(html, page, config, files):
    if _command != "serve":
        return _site.notebook_page(page, html)
    try:
        return _site.notebook_page(page, html)
    except Exception as e:
        _serve_failed(e)
        return html
