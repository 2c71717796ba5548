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
import contextlib

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
    folders = sorted({p.parent for p in candidates if p.parent != nb_dir})
    while texts:
        text = texts.pop()
        # A folder named in the code (`glob("data/*.csv")`, `Path("data")`): every file in it counts,
        # since the code may list the folder rather than name its files.
        for folder in folders:
            rel = folder.relative_to(nb_dir).as_posix()
            if re.search(rf"""(?<![\w.-]){re.escape(rel)}(?:/|["'])""", text):
                for p in candidates:
                    if p not in found and p.is_relative_to(folder):
                        found.append(p)
                        if p.suffix == ".py":
                            texts.append(p.read_text(encoding="utf-8", errors="replace"))
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


def declared_inputs(nb: NotebookNode, nb_dir: Path) -> list[Path]:
    """Files named by the notebook's `studysite: inputs:` metadata (globs relative to notebooks/).

    The rule for data a notebook finds at run time in ways the code does not spell out: declare it,
    e.g. `"metadata": {"studysite": {"inputs": ["data/**/*.csv"]}}`; those files are in the cache key.
    """
    patterns = (nb.metadata.get("studysite") or {}).get("inputs") or []
    found = {p for pattern in patterns if isinstance(pattern, str) for p in nb_dir.glob(pattern) if p.is_file()}
    return sorted(found)


def cache_key(nb: NotebookNode, nb_dir: Path) -> str:
    cells = code_cells(nb)
    deps = local_dependencies(nb_dir, "\n".join(c.source for c in cells))
    deps = sorted(set(deps) | set(declared_inputs(nb, nb_dir)))
    payload = {
        "engine": ENGINE_VERSION,
        "kernel": KERNEL_NAME,
        "python": "{}.{}.{}".format(*sys.version_info[:3]),
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


# The exact fields of result.json. Anything else is not an entry this code wrote: it is dropped.
_SUCCESS_FIELDS = {"notebook", "seconds", "cell_seconds", "images", "key", "engine"}
_OPTIONAL_FIELDS = {"truncated", "output_cap"}
_FAILURE_FIELDS = {"notebook", "seconds", "status", "error", "key", "engine", "cell_timeout"}
_ERROR_FIELDS = {"message", "cell", "code_cell", "ename", "evalue", "timeout"}
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def lookup(cache_dir: Path, stem: str, key: str, *, n_code_cells: int | None = None) -> dict | None:
    """The stored record for this exact key, or None. Every file of the entry is checked (record
    fields, executed notebook, each image against the content hash in its name); an entry that fails
    is removed, so the notebook runs again and the entry is rewritten whole."""
    entry = entry_dir(cache_dir, stem, key)
    if not entry.exists():
        return None
    problem = _check_entry(entry, key, n_code_cells)
    if problem is None:
        return json.loads((entry / "result.json").read_text(encoding="utf-8"))
    drop(entry)
    return None


def _check_entry(entry: Path, key: str, n_code_cells: int | None) -> str | None:
    """None when the entry is complete and intact, else what is wrong with it."""
    try:
        record = json.loads((entry / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return f"result.json unreadable ({e})"
    if not isinstance(record, dict) or record.get("key") != key or record.get("engine") != ENGINE_VERSION:
        return "result.json is for another key or engine"
    if record.get("status") == "failed":
        if set(record) - _FAILURE_FIELDS or not isinstance(record.get("error"), dict):
            return "failure record has unexpected fields"
        if set(record["error"]) - _ERROR_FIELDS or not isinstance(record["error"].get("message"), str):
            return "failure record has an unexpected error"
        return None
    if set(record) - _SUCCESS_FIELDS - _OPTIONAL_FIELDS or not set(record) >= _SUCCESS_FIELDS:
        return "result.json has unexpected or missing fields"
    try:
        float(record["seconds"])
        {int(k): float(v) for k, v in record["cell_seconds"].items()}
        images = [(int(i["code_cell"]), int(i["output"]), str(i["name"])) for i in record["images"]]
        executed = nbformat.reads((entry / "executed.ipynb").read_text(encoding="utf-8"), as_version=4)
    except Exception as e:  # noqa: BLE001 - any damage means: run again
        return f"damaged entry ({type(e).__name__}: {e})"
    n = len(code_cells(executed))
    if n_code_cells is not None and n != n_code_cells:
        return "executed.ipynb has a different number of code cells"
    for ordinal, _output, name in images:
        path = entry / "images" / name
        if not 0 <= ordinal < n or not path.is_file() or not _image_ok(path):
            return f"image {name} missing or damaged"
    return None


def _image_ok(path: Path) -> bool:
    """The file's content hash matches the 8 hex digits in its name (written by extract_images)."""
    data = path.read_bytes()
    m = re.search(r"-([0-9a-f]{8})\.(png|jpg|svg)$", path.name)
    if m is None or hashlib.sha256(data).hexdigest()[:8] != m.group(1):
        return False
    return not (m.group(2) == "png" and not data.endswith(_PNG_END))


def drop(entry: Path) -> None:
    """Remove an entry: rename it away first (readers never see half of it), then delete."""
    trash = entry.with_name(f".tmp-drop-{entry.name}-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.replace(entry, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def store(
    cache_dir: Path, stem: str, key: str, executed: NotebookNode | None, record: dict, images: dict[str, bytes]
) -> Path:
    """Write a complete entry under a temporary name, then rename it into place (replacing any entry
    already there: a failure record, or one that did not validate). executed=None stores a failure."""
    final = entry_dir(cache_dir, stem, key)
    tmp = cache_dir / f".tmp-{final.name}-{os.getpid()}-{time.monotonic_ns()}"
    (tmp / "images").mkdir(parents=True)
    try:
        for name, data in images.items():
            (tmp / "images" / name).write_bytes(data)
        if executed is not None:
            (tmp / "executed.ipynb").write_text(nbformat.writes(executed) + "\n", encoding="utf-8")
        record = {**record, "key": key, "engine": ENGINE_VERSION}
        (tmp / "result.json").write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        _fsync_tree(tmp)
        try:
            os.replace(tmp, final)
        except OSError:
            # An entry sits there (a concurrent build's, a failure record, a damaged one): swap it out.
            drop(final)
            os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    remove_stale(cache_dir, stem, keep=final)
    return final


def _fsync_tree(folder: Path) -> None:
    """Data on disk before the rename that publishes it (a crash never leaves a renamed, empty file)."""
    for path in [*folder.rglob("*"), folder]:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


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
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


KEEP_PER_NOTEBOOK = 3  # entries kept per notebook: the current one and the two most recently used others


def touch(entry: Path) -> None:
    """Mark an entry as used now (entries are evicted least recently used first)."""
    with contextlib.suppress(OSError):
        os.utime(entry / "result.json")


def remove_stale(cache_dir: Path, stem: str, keep: Path) -> None:
    """Evict older versions of a notebook beyond KEEP_PER_NOTEBOOK, least recently used first: builds of
    two branches sharing one cache (or switching back and forth) do not evict each other's entries
    while they are being read."""
    pattern = re.compile(rf"{re.escape(stem)}-[0-9a-f]{{16}}")
    others = []
    for entry in cache_dir.iterdir():
        if entry != keep and entry.is_dir() and pattern.fullmatch(entry.name):
            try:
                others.append(((entry / "result.json").stat().st_mtime, entry))
            except OSError:
                others.append((0.0, entry))
    for _, entry in sorted(others, reverse=True)[KEEP_PER_NOTEBOOK - 1 :]:
        drop(entry)
    # Temporary entries left by a build that was killed mid-write (an hour is far beyond any write).
    for tmp in cache_dir.glob(".tmp-*"):
        try:
            if time.time() - tmp.stat().st_mtime > 3600:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass


def anchor_jupyter_cache(config) -> None:
    """mkdocs-jupyter's cache_dir (`.cache/mkdocs-jupyter`) is relative to the working directory: with
    `mkdocs build -f other/mkdocs.yml` it was written into whatever folder the command ran in. Anchor a
    relative one to the folder of mkdocs.yml, like MkDocs' own docs_dir and site_dir."""
    plugin = config["plugins"].get("mkdocs-jupyter")
    if plugin is None or not config.config_file_path:
        return
    cache_dir = Path(plugin.config.get("cache_dir") or ".cache/mkdocs-jupyter")
    if not cache_dir.is_absolute():
        plugin.config["cache_dir"] = str(Path(config.config_file_path).resolve().parent / cache_dir)
