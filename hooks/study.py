"""MkDocs hook: wires MkDocs events to the studysite library (hooks/studysite), which does the work.

Order matters: MkDocs runs on_config and on_pre_build, then empties site_dir, then on_files. All the
work that can fail (reading sources, notebooks, generating pages) runs in on_pre_build, so a failed
`mkdocs build` leaves the previous site/ as it was.

No traceback reaches the user: every event is `serve_safe`. In a build, an unexpected exception becomes
one error line naming the stage and the file being processed (the traceback goes to the debug log,
`mkdocs build -v`). While serving, a hook must never raise (MkDocs' dev server then holds every request
until a rebuild succeeds), so every failure is logged and the last good pages are served.
"""

from __future__ import annotations

import functools
import importlib
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.exceptions import MkDocsException, PluginError
from mkdocs.plugins import event_priority

HOOKS = Path(__file__).resolve().parent
ROOT = HOOKS.parent
if str(HOOKS) not in sys.path:
    sys.path.insert(0, str(HOOKS))  # for importing this file outside MkDocs too
import studysite.site  # noqa: E402, F401  (the library; reloaded while serving when its code changes)
from studysite import names, rewatch, stage  # noqa: E402, F401  (rewatch: read from sys.modules)

log = logging.getLogger("mkdocs.plugins.studysite")
LIBRARY = "studysite"


class StudyHook:
    """The hook's state across events (and, while serving, across rebuilds)."""

    def __init__(self) -> None:
        self.command = "build"
        self.dirty = False
        self.site: Any = None  # the current build's StudySite
        self.good: Any = None  # serve: the last StudySite whose pages were all built
        self.swap: Any = None  # build: the fresh output folder swapped in for site_dir once the build succeeded
        self.site_failed: Any = None  # serve: the StudySite whose on_files failed
        self.rewatch: Any = None  # serve: watches sources/ and notebooks/ again when they are made again
        self.code_stamp: dict[str, int] = {}

    @property
    def serving(self) -> bool:
        return self.command == "serve"

    @property
    def lib(self) -> Any:
        return sys.modules[f"{LIBRARY}.site"]

    def failed(self, where: str, error: Exception) -> None:
        """Serve: log one line, keep serving the last good pages."""
        log.error(f"{describe(where, error)}; serving the last good pages")
        log.debug("".join(traceback.format_exception(error)))
        if self.good is not None:
            self.site = self.good
        elif self.site is not None:
            self.site.pages = self.site.pages or {}

    def reload_library(self) -> None:
        """Serve: if hooks/studysite/*.py changed since the last build, import the library afresh."""
        stamp = {str(p): p.stat().st_mtime_ns for p in sorted((HOOKS / LIBRARY).rglob("*.py"))}
        if not self.code_stamp or stamp == self.code_stamp:
            self.code_stamp = self.code_stamp or stamp
            return
        changed = sorted(
            Path(p).relative_to(ROOT).as_posix()
            for p in set(stamp) | set(self.code_stamp)
            if stamp.get(p) != self.code_stamp.get(p)
        )
        error = reimport_library()
        if error is not None:  # a syntax error in the edit: keep running the old code
            log.error(
                f"{changed[0]}: the edited library does not import ({type(error).__name__}: {error}); "
                "still running the previous code — fix it, or restart `mkdocs serve`"
            )
            return
        self.code_stamp = stamp
        log.info(f"reloaded the study-site library ({', '.join(changed)} changed)")


def reimport_library() -> Exception | None:
    """Import the library afresh; on failure put the old modules back and return the error."""
    saved = {n: m for n, m in sys.modules.items() if n == LIBRARY or n.startswith(LIBRARY + ".")}
    for name in saved:
        del sys.modules[name]
    old_path = sys.path[:]
    sys.path.insert(0, str(HOOKS))  # MkDocs puts hooks/ on sys.path only while it loads the hook
    try:
        importlib.invalidate_caches()
        importlib.import_module(f"{LIBRARY}.site")
        return None
    except Exception as e:
        for name in [n for n in sys.modules if n == LIBRARY or n.startswith(LIBRARY + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)
        return e
    finally:
        sys.path[:] = old_path


def describe(where: str, error: BaseException) -> str:
    """One line: the stage, the file being processed, what went wrong (names escaped)."""
    name, file = stage.of(error)
    text = str(error).strip() or "(no message)"
    if len(text) > 500:
        text = text[:500] + " …"
    at = f" ({file})" if file else ""
    return names.printable(f"the study-site hook failed while {name or where}{at}: {type(error).__name__}: {text}")


hook = StudyHook()


def serve_safe(where: str, fallback: Callable[..., Any] = lambda *args, **kwargs: None) -> Callable:
    """An event that never leaks a traceback. A build fails with one line (PluginError); a user-facing
    error the library raised on purpose (a PluginError naming file and line) passes through unchanged.
    While serving, the failure is logged and `fallback(*event args)` is the event's result."""

    def wrap(event: Callable) -> Callable:
        @functools.wraps(event)
        def safe(*args: Any, **kwargs: Any) -> Any:
            try:
                return event(*args, **kwargs)
            except Exception as e:
                if not hook.serving:
                    if isinstance(e, MkDocsException):
                        raise
                    log.debug("".join(traceback.format_exception(e)))
                    raise PluginError(describe(where, e)) from None
                hook.failed(where, e)
                return fallback(*args, **kwargs)

        return safe

    return wrap


def on_startup(command, dirty):
    hook.command, hook.dirty = command, dirty
    for name in ("mkdocs.plugins.studysite", "mkdocs.plugins.studysite.topics"):
        names.escape_log(logging.getLogger(name))


@serve_safe("reading the configuration", fallback=lambda config: config)
def on_config(config):
    if hook.serving:
        hook.reload_library()
    lib = hook.lib
    lib.anchor_jupyter_cache(config)  # `-f` from another folder writes no .cache/ there
    try:
        settings = lib.StudyConfig.load(ROOT, config)  # every setting, read and checked once
    except Exception as e:
        if not hook.serving:
            raise
        log.error(f"{e}; serving with the default settings until it is fixed")
        settings = lib.StudyConfig.defaults(ROOT, config)
    if not hook.serving and not hook.dirty:  # after the settings: a bad one leaves site_dir untouched
        hook.swap = lib.SiteSwap(config)
    hook.site = lib.StudySite(ROOT, hook.command, config=settings, previous=hook.good)
    return config


def on_serve(server, config, builder):
    hook.rewatch = sys.modules[f"{LIBRARY}.rewatch"].Rewatch(server, [ROOT / "sources", ROOT / "notebooks"])
    return server


@serve_safe("preparing the pages")
def on_pre_build(config):
    """Everything that can fail, before MkDocs empties site_dir."""
    if hook.rewatch is not None:
        for folder in hook.rewatch.missing():  # watched again as soon as it is back
            log.error(
                names.printable(
                    f"{folder.relative_to(ROOT).as_posix()}/ is missing: restore it; the site "
                    "keeps serving the last good pages and rebuilds when it is back"
                )
            )
    hook.site.prepare(config)
    if hook.serving:
        hook.good = hook.site


def _last_good_files(files, config):
    """Serve: on_files failed; add the last good pages instead (or leave the files as they are)."""
    if hook.good is not None and hook.good is not hook.site_failed:
        try:
            return hook.good.add_files(files, config)
        except Exception as again:
            log.error(
                names.printable(f"the last good pages could not be added either: {type(again).__name__}: {again}")
            )
    return files


@event_priority(50)  # before mkdocs-jupyter's on_files, so it renders the executed notebooks we add
@serve_safe("adding the pages", fallback=_last_good_files)
def on_files(files, config):
    hook.site_failed = hook.site
    return hook.site.add_files(files, config)


@serve_safe("rendering a page", fallback=lambda html, page, config, files: html)
def on_page_content(html, page, config, files):
    with stage.at("rendering a page", page.file.src_uri):
        return hook.site.notebook_page(page, html, files)


@event_priority(-100)  # after every plugin's on_post_build (the search index is written there)
@serve_safe("writing the site")
def on_post_build(config):
    if hook.site is not None:  # the stylesheet cut out of every notebook page, into the site being built
        hook.site.notebook_pages.write(config["site_dir"])
        _shrink_assets(config)
        _search_index(config)
    if hook.swap is not None:  # (if anything above fails, on_build_error abandons the swap)
        hook.swap.finish(config)
        hook.swap = None


def _shrink_assets(config) -> None:
    """The site's own scripts and stylesheets minified, Material's trimmed (hooks/studysite/assets.py)."""
    assets = sys.modules.get("studysite.assets") or importlib.import_module("studysite.assets")
    stats = assets.shrink(config)
    log.debug(f"assets: {stats.minified} files minified, {stats.saved / 1024:.0f} KiB saved")


def _search_index(config) -> None:
    """The questions' search index (hooks/studysite/search.py), into the site being built (serve_safe above
    keeps a failure from stopping the server)."""
    search = sys.modules.get("studysite.search") or importlib.import_module("studysite.search")
    search.publish(config, hook.site, log)


def on_build_error(error):
    swap, hook.swap = hook.swap, None
    if swap is not None:
        swap.abandon()
