"""run_notebooks: serve each notebook from the cache or execute it, misses in parallel."""
from __future__ import annotations

import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nbformat import NotebookNode

from . import cache
from .execute import MATPLOTLIBRC, execute, kernel_env
from .outputs import extract_images
from .records import NotebookError, NotebookResult, NotebookRun

_QUESTION_TAG = "q:"


def run_notebooks(
    nb_dir: Path,
    cache_dir: Path,
    *,
    repo_root: Path,
    workers: int | None = None,
    cell_timeout: int = 120,
    log: logging.Logger,
) -> NotebookRun:
    """Results for every *.ipynb at the top of nb_dir, sorted by name. Never raises for a notebook."""
    nb_dir, cache_dir = Path(nb_dir).resolve(), Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    env = kernel_env(_matplotlibrc(cache_dir))

    results: dict[str, NotebookResult] = {}
    misses: list[tuple[Path, str, NotebookNode, str]] = []
    for path in sorted(p for p in nb_dir.glob("*.ipynb") if p.is_file()):
        label = _label(path, Path(repo_root))
        try:
            nb = cache.read_notebook(path)
            key = cache.cache_key(nb, nb_dir)
        except Exception as e:  # unreadable JSON, bad nbformat, ...
            error = NotebookError(f"{label}: not a readable notebook ({type(e).__name__}: {e})", notebook=label)
            results[path.name] = NotebookResult(label, path.name, "failed", 0.0, error=error)
            log.info("notebook %s: FAILED: %s", path.name, error)
            continue
        hit = _from_cache(cache_dir, path, label, nb, key)
        if hit is not None:
            results[path.name] = hit
            log.info("notebook %s: cached (ran in %.1fs)", path.name, hit.seconds)
        else:
            misses.append((path, label, nb, key))

    if misses:
        n = max(1, min(len(misses), workers or os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=n, thread_name_prefix="notebook") as pool:
            args = dict(nb_dir=nb_dir, cache_dir=cache_dir, cell_timeout=cell_timeout, env=env, log=log)
            for result in pool.map(lambda miss: _execute_one(*miss, **args), misses):
                results[result.name] = result
    return NotebookRun([results[name] for name in sorted(results)])


def _execute_one(path, label, nb, key, *, nb_dir, cache_dir, cell_timeout, env, log) -> NotebookResult:
    log.info("notebook %s: executing", path.name)
    run = execute(nb, nb_dir=nb_dir, label=label, cell_timeout=cell_timeout, env=env)
    if run.error is not None:
        log.info("notebook %s: FAILED after %.1fs: %s", path.name, run.seconds, run.error)
        result = NotebookResult(label, path.name, "failed", run.seconds, error=run.error)
        _describe(result, nb)
    else:
        published = cache.published_copy(nb, run.nb)
        images = extract_images(published, path.stem)
        ordinals = _code_ordinals(published)
        record = {
            "notebook": label,
            "seconds": run.seconds,
            # Keyed by code-cell ordinal so the record survives markdown cells being added or removed.
            "cell_seconds": {str(ordinals[i]): s for i, s in sorted(run.cell_seconds.items())},
            "images": [{"code_cell": c, "output": k, "name": name} for c, k, name, _ in images],
        }
        try:
            entry = cache.store(cache_dir, path.stem, key, published, record, {n: data for *_, n, data in images})
            result = _result_from_entry(entry, record, path, label, nb, status="succeeded")
            log.info("notebook %s: executed in %.1fs", path.name, run.seconds)
        except OSError as e:  # disk full, permissions: the notebook ran, its outputs could not be kept
            error = NotebookError(f"{label}: ran, but could not be stored in {cache_dir} ({e})", notebook=label)
            log.info("notebook %s: FAILED: %s", path.name, error)
            result = NotebookResult(label, path.name, "failed", run.seconds, error=error)
            _describe(result, nb)
    result.started, result.finished = run.started, run.finished
    return result


def _from_cache(cache_dir: Path, path: Path, label: str, nb: NotebookNode, key: str) -> NotebookResult | None:
    record = cache.lookup(cache_dir, path.stem, key)
    if record is None:
        return None
    entry = cache.entry_dir(cache_dir, path.stem, key)
    try:
        cache.refresh_published(entry, nb)
        return _result_from_entry(entry, record, path, label, nb, status="cached")
    except Exception:  # a damaged entry is a miss, not a failure
        return None


def _result_from_entry(entry: Path, record: dict, path: Path, label: str, nb: NotebookNode, *, status: str) -> NotebookResult:
    code_index = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]  # ordinal → cell index
    result = NotebookResult(label, path.name, status, float(record["seconds"]), executed_path=entry / "executed.ipynb")
    result.cell_seconds = {code_index[int(o)]: s for o, s in record["cell_seconds"].items()}
    for image in record["images"]:
        file = entry / "images" / image["name"]
        if not file.is_file():
            raise FileNotFoundError(file)
        result.images[image["name"]] = file
        result.image_names[(code_index[image["code_cell"]], image["output"])] = image["name"]
    _describe(result, nb)
    return result


def _describe(result: NotebookResult, nb: NotebookNode) -> None:
    """Fields read from the current source: question tags, title, cell count."""
    for i, cell in enumerate(nb.cells):
        for tag in cell.metadata.get("tags", []):
            if tag.startswith(_QUESTION_TAG) and tag[len(_QUESTION_TAG) :].strip():
                cells = result.cells_by_question.setdefault(tag[len(_QUESTION_TAG) :].strip(), [])
                if i not in cells:
                    cells.append(i)
    result.title = _title(nb) or Path(result.name).stem
    result.code_cells = sum(c.cell_type == "code" for c in nb.cells)


def _title(nb: NotebookNode) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+?)\s*#*\s*$", cell.source, re.MULTILINE)
            if m:
                return m.group(1)
    return ""


def _code_ordinals(nb: NotebookNode) -> dict[int, int]:
    indexes = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    return {cell: ordinal for ordinal, cell in enumerate(indexes)}


def _label(path: Path, repo_root: Path) -> str:
    try:
        return path.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _matplotlibrc(cache_dir: Path) -> Path:
    path = cache_dir / ".kernel" / "matplotlibrc"
    if not path.is_file() or path.read_text(encoding="utf-8") != MATPLOTLIBRC:
        path.parent.mkdir(exist_ok=True)
        cache.write_atomic(path, MATPLOTLIBRC.encode("utf-8"))
    return path


