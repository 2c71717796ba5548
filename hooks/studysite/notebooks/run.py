"""run_notebooks: serve each notebook from the cache or execute it, misses in parallel."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import queue
import threading
from pathlib import Path

from nbformat import NotebookNode

from .. import stage
from . import cache
from .execute import MATPLOTLIBRC, execute, kernel_env, kill_running_kernels
from .outputs import cap_outputs, extract_images
from .records import NotebookError, NotebookResult, NotebookRun

_QUESTION_TAG = "q:"


DEFAULT_OUTPUT_CAP = 100_000  # characters of output kept per cell (STUDY_OUTPUT_CAP, read by config.py)


def run_notebooks(
    nb_dir: Path,
    cache_dir: Path,
    *,
    repo_root: Path,
    workers: int | None = None,
    cell_timeout: int = 120,
    output_cap: int = DEFAULT_OUTPUT_CAP,
    log: logging.Logger,
) -> NotebookRun:
    """Results for every *.ipynb at the top of nb_dir, sorted by name. Never raises for a notebook.

    Failures are cached too (by the same key: the code), so an unrelated edit does not run a broken
    notebook again; a timeout is retried when the limit changes. Ctrl-C kills running kernels at once.
    """
    nb_dir, cache_dir = Path(nb_dir).resolve(), Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    env = kernel_env(_matplotlibrc(cache_dir))
    cap = output_cap

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
        with stage.at("reading the notebook cache", label):
            hit = _from_cache(cache_dir, path, label, nb, key, cell_timeout=cell_timeout, cap=cap)
        if hit is not None:
            results[path.name] = hit
            if hit.from_cache:
                log.info(
                    "notebook %s: failed in an earlier build, code unchanged (not re-run): %s", path.name, hit.error
                )
            else:
                log.info("notebook %s: cached (ran in %.1fs)", path.name, hit.seconds)
        else:
            misses.append((path, label, nb, key))

    if misses:
        args = dict(nb_dir=nb_dir, cache_dir=cache_dir, cell_timeout=cell_timeout, env=env, log=log, cap=cap)
        for result in _run_parallel(misses, args, workers):
            results[result.name] = result
    run = NotebookRun([results[name] for name in sorted(results)])
    for r in run.results:
        for cell, chars in sorted(r.truncated.items()):
            run.warnings.append(
                f"{r.path}: cell {cell + 1} printed {chars:,} characters of output; the site keeps the first "
                f'{cap:,} ("output truncated"): print less, or raise STUDY_OUTPUT_CAP'
            )
    return run


def _run_parallel(misses: list, args: dict, workers: int | None) -> list[NotebookResult]:
    """Execute misses on daemon threads (a kernel each). An interrupt in the waiting thread (Ctrl-C)
    kills every running kernel and returns at once, instead of waiting for cells to finish."""
    n = max(1, min(len(misses), workers or os.cpu_count() or 1))
    todo: queue.SimpleQueue[tuple[int, tuple]] = queue.SimpleQueue()  # (index, _execute_one arguments)
    for i, miss in enumerate(misses):
        todo.put((i, miss))
    done: dict[int, NotebookResult] = {}
    errors: list[BaseException] = []

    def worker() -> None:
        while True:
            try:
                i, miss = todo.get_nowait()
            except queue.Empty:
                return
            try:
                with stage.at("running notebooks", miss[1]):
                    done[i] = _execute_one(*miss, **args)
            except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
                errors.append(e)
                return

    threads = [threading.Thread(target=worker, name=f"notebook-{k}", daemon=True) for k in range(n)]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.2)
    except BaseException:
        kill_running_kernels()
        while not todo.empty():
            todo.get_nowait()
        raise
    if errors:
        raise errors[0]
    return [done[i] for i in sorted(done)]


def _execute_one(path, label, nb, key, *, nb_dir, cache_dir, cell_timeout, env, log, cap) -> NotebookResult:
    log.info("notebook %s: executing", path.name)
    # Twice the cap while running: room for progress bars that `\r` later shortens; the rest is counted.
    run = execute(nb, nb_dir=nb_dir, label=label, cell_timeout=cell_timeout, env=env, stream_budget=2 * cap)
    if run.error is not None:
        log.info("notebook %s: FAILED after %.1fs: %s", path.name, run.seconds, run.error)
        result = NotebookResult(label, path.name, "failed", run.seconds, error=run.error)
        _describe(result, nb)
        record = {
            "notebook": label,
            "seconds": run.seconds,
            "status": "failed",
            "error": run.error.to_record(),
            "cell_timeout": cell_timeout,
        }
        if not getattr(run.error, "retry", False):  # a kernel killed from outside runs again next time
            with contextlib.suppress(OSError):  # not remembered: it runs again next time
                cache.store(cache_dir, path.stem, key, None, record, {})
    else:
        published = cache.published_copy(nb, run.nb)
        cut = cap_outputs(published, cap, run.dropped)  # same cell indexes: published copies the source
        images = extract_images(published, path.stem)
        ordinals = _code_ordinals(published)
        record = {
            "notebook": label,
            "seconds": run.seconds,
            # Keyed by code-cell ordinal so the record survives markdown cells being added or removed.
            "cell_seconds": {str(ordinals[i]): s for i, s in sorted(run.cell_seconds.items())},
            "images": [{"code_cell": c, "output": k, "name": name} for c, k, name, _ in images],
        }
        if cut:
            record["truncated"] = {str(ordinals[i]): n for i, n in sorted(cut.items())}
            record["output_cap"] = cap
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


def _from_cache(
    cache_dir: Path,
    path: Path,
    label: str,
    nb: NotebookNode,
    key: str,
    *,
    cell_timeout: int = 120,
    cap: int = DEFAULT_OUTPUT_CAP,
) -> NotebookResult | None:
    record = cache.lookup(cache_dir, path.stem, key, n_code_cells=len(cache.code_cells(nb)))
    if record is None:
        return None
    entry = cache.entry_dir(cache_dir, path.stem, key)
    if record.get("status") == "failed":
        error = NotebookError.from_record(record["error"], label)
        if error.timeout is not None and error.timeout != cell_timeout:
            return None  # the time limit changed: try again
        result = NotebookResult(label, path.name, "failed", float(record["seconds"]), error=error, from_cache=True)
        _describe(result, nb)
        return result
    if record.get("truncated") and record.get("output_cap") != cap:
        return None  # the output cap changed: run again to keep the right amount
    cache.touch(entry)
    try:
        cache.refresh_published(entry, nb)
        return _result_from_entry(entry, record, path, label, nb, status="cached")
    except Exception:  # a damaged entry is a miss, not a failure
        cache.drop(entry)
        return None


def _result_from_entry(
    entry: Path, record: dict, path: Path, label: str, nb: NotebookNode, *, status: str
) -> NotebookResult:
    code_index = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]  # ordinal → cell index
    result = NotebookResult(label, path.name, status, float(record["seconds"]), executed_path=entry / "executed.ipynb")
    result.cell_seconds = {code_index[int(o)]: s for o, s in record["cell_seconds"].items()}
    for image in record["images"]:
        file = entry / "images" / image["name"]
        if not file.is_file():
            raise FileNotFoundError(file)
        result.images[image["name"]] = file
        result.image_names[(code_index[image["code_cell"]], image["output"])] = image["name"]
    result.truncated = {code_index[int(o)]: int(n) for o, n in (record.get("truncated") or {}).items()}
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
