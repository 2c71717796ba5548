"""The execution cache: what a cache key covers, and atomic storage of executed notebooks.

Layout: <cache_dir>/<stem>-<key16>/{executed.ipynb, result.json, images/<name>}.
The key covers what can change outputs: code cells (source + tags, in order), the kernel, the engine
version, Python and library versions, and local files the code mentions. Markdown is *not* in the key:
on a hit the published copy is re-merged from the current source (its markdown and metadata) plus the
cached outputs, which costs a JSON write, not a kernel.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .outputs import normalise

ENGINE_VERSION = "studysite-notebooks/1"  # bump when execution settings or normalisation change
KERNEL_NAME = "python3"
_VERSIONED_LIBRARIES = ("torch", "numpy", "matplotlib")
_SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints"}


def read_notebook(path: Path) -> NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def _library_version(name: str) -> str:
    # Package metadata, not `import torch`: the build process never pays for importing torch.
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def local_dependencies(nb_dir: Path, code: str) -> list[Path]:
    """Files in nb_dir the code appears to import or read (generous: a false hit only costs a rerun).

    A file counts when its name or nb_dir-relative path appears in the code, or, for a .py file, its
    module stem appears as a word (`import demo_utils`). Python helpers are followed transitively.
    """
    candidates = [
        p
        for p in sorted(nb_dir.rglob("*"))
        if p.is_file()
        and p.suffix != ".ipynb"
        and not any(part.startswith(".") or part in _SKIP_PARTS for part in p.relative_to(nb_dir).parts)
    ]
    found: list[Path] = []
    texts = [code]
    while texts:
        text = texts.pop()
        for p in candidates:
            if p in found:
                continue
            rel = p.relative_to(nb_dir).as_posix()
            hit = p.name in text or rel in text
            if not hit and p.suffix == ".py":
                module = rel[:-3].replace("/", ".")
                hit = any(re.search(rf"(?<![\w.]){re.escape(m)}(?!\w)", text) for m in {p.stem, module})
            if hit:
                found.append(p)
                if p.suffix == ".py":
                    texts.append(p.read_text(encoding="utf-8", errors="replace"))
    return sorted(found)


def cache_key(nb: NotebookNode, nb_dir: Path) -> str:
    cells = code_cells(nb)
    deps = local_dependencies(nb_dir, "\n".join(c.source for c in cells))
    payload = {
        "engine": ENGINE_VERSION,
        "kernel": KERNEL_NAME,
        "python": "%d.%d.%d" % sys.version_info[:3],
        "libraries": {name: _library_version(name) for name in _VERSIONED_LIBRARIES},
        "cells": [[c.source, sorted(c.metadata.get("tags", []))] for c in cells],
        "files": [[p.relative_to(nb_dir).as_posix(), _file_digest(p)] for p in deps],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def entry_dir(cache_dir: Path, stem: str, key: str) -> Path:
    return cache_dir / f"{stem}-{key[:16]}"


def lookup(cache_dir: Path, stem: str, key: str) -> dict | None:
    """The stored record for this exact key, or None. An entry exists only once complete."""
    record_path = entry_dir(cache_dir, stem, key) / "result.json"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if record.get("key") == key and record.get("engine") == ENGINE_VERSION else None


def store(
    cache_dir: Path, stem: str, key: str, executed: NotebookNode, record: dict, images: dict[str, bytes]
) -> Path:
    """Write a complete entry under a temporary name, then rename it into place."""
    final = entry_dir(cache_dir, stem, key)
    tmp = cache_dir / f".tmp-{final.name}-{os.getpid()}-{time.monotonic_ns()}"
    (tmp / "images").mkdir(parents=True)
    try:
        for name, data in images.items():
            (tmp / "images" / name).write_bytes(data)
        (tmp / "executed.ipynb").write_text(nbformat.writes(executed) + "\n", encoding="utf-8")
        record = {**record, "key": key, "engine": ENGINE_VERSION}
        (tmp / "result.json").write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        try:
            os.replace(tmp, final)
        except OSError:
            # A concurrent build stored the same key first (its entry is just as good), or a broken
            # directory sits there (replace it).
            if lookup(cache_dir, stem, key) is None:
                shutil.rmtree(final, ignore_errors=True)
                os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    remove_stale(cache_dir, stem, keep=final)
    return final


def published_copy(source: NotebookNode, executed: NotebookNode) -> NotebookNode:
    """The current source notebook carrying the (normalised) outputs of a run of the same code cells.

    Fresh runs and cache hits both go through here, so an unchanged source gives identical bytes.
    """
    merged = nbformat.from_dict(json.loads(json.dumps(source)))
    for cell, done in zip(code_cells(merged), code_cells(executed), strict=True):
        cell.outputs = done.outputs
        cell.execution_count = done.execution_count
    if "language_info" in executed.metadata:
        merged.metadata["language_info"] = executed.metadata["language_info"]
    normalise(merged)
    return merged


def refresh_published(entry: Path, source: NotebookNode) -> Path:
    """Rewrite entry/executed.ipynb if the source's markdown or metadata changed since it was stored."""
    path = entry / "executed.ipynb"
    current = path.read_text(encoding="utf-8")
    wanted = nbformat.writes(published_copy(source, nbformat.reads(current, as_version=4))) + "\n"
    if wanted != current:
        write_atomic(path, wanted.encode("utf-8"))
    return path


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{time.monotonic_ns()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remove_stale(cache_dir: Path, stem: str, keep: Path) -> None:
    pattern = re.compile(rf"{re.escape(stem)}-[0-9a-f]{{16}}")
    for entry in cache_dir.iterdir():
        if entry != keep and entry.is_dir() and pattern.fullmatch(entry.name):
            shutil.rmtree(entry, ignore_errors=True)
    # Temporary entries left by a build that was killed mid-write (an hour is far beyond any write).
    for tmp in cache_dir.glob(".tmp-*"):
        try:
            if time.time() - tmp.stat().st_mtime > 3600:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass
