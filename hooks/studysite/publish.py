"""What a build publishes from the notebook cache: executed notebooks and images, staged in a folder
of their own; and mkdocs-jupyter's cache, cleaned of files it would crash on."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from . import urls
from .notebooks import NotebookRun
from .notebooks.cache import write_atomic
from .notebooks.page import NotebookPages


def stage(run: NotebookRun, publish_dir: Path, notebook_pages: NotebookPages) -> dict[str, Path]:
    """Copy executed notebooks and images out of the cache into publish_dir, and point the results
    at the copies: what this build publishes no longer depends on the cache entry staying put.
    Returns src_uri → staged file.

    Executed copies are staged under their own names in a folder that mirrors the site, because
    mkdocs-jupyter derives a notebook's path from its File's src_dir (the cache calls them
    executed.ipynb, and a File.generated has no src_dir)."""
    disk_files: dict[str, Path] = {}
    for r in run.results:
        if r.executed_path is not None:
            data = r.executed_path.read_bytes()
            # notebooks/ is rendered as a page; downloads/ (ignored by mkdocs-jupyter) is the file.
            for src_uri in (urls.notebook_src(r.name), urls.download_src(r.name)):
                disk_files[src_uri] = copy_if_changed(data, publish_dir / src_uri)
            r.executed_path = publish_dir / urls.notebook_src(r.name)
        for name, path in list(r.images.items()):
            r.images[name] = copy_if_changed(path.read_bytes(), publish_dir / "img" / name)
            disk_files[urls.notebook_image_src(name)] = r.images[name]
            if name not in notebook_pages.image_names:
                notebook_pages.image_names.append(name)
    return disk_files


def copy_if_changed(data: bytes, staged: Path) -> Path:
    """Write data to staged (atomically) unless it already holds exactly that."""
    if not staged.exists() or staged.read_bytes() != data:
        staged.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(staged, data)
    return staged


def clean_jupyter_cache(config: Any, logger: logging.Logger) -> None:
    """mkdocs-jupyter trusts its cache files: a truncated or foreign JSON file crashes every build. Drop
    every file that is not what it writes (a mapping with `content` text and `toc_tokens` list)."""
    plugin = config["plugins"].get("mkdocs-jupyter") if config is not None else None
    if plugin is None or not plugin.config.get("cache"):
        return
    cache_dir = Path(plugin.config["cache_dir"])
    if not cache_dir.is_dir():
        return
    for path in sorted(cache_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            ok = (
                isinstance(data, dict)
                and isinstance(data.get("content"), str)
                and isinstance(data.get("toc_tokens"), list)
            )
        except (OSError, ValueError):
            ok = False
        if not ok:
            path.unlink(missing_ok=True)
            logger.info(f"{path}: damaged mkdocs-jupyter cache file removed (it is rebuilt)")
