"""Run one notebook in a fresh, single-threaded, reproducible kernel; say exactly where it failed."""

from __future__ import annotations


import atexit
import copy
import logging
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from .. import aio
from .cache import KERNEL_NAME
from .outputs import coalesce_streams
from .records import NotebookError

# A fixed date for tools that embed one (matplotlib SVG/PDF) unless the caller's environment sets it.
DEFAULT_SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, as in reproducible zip files
MATPLOTLIBRC = "svg.hashsalt: studysite\n"  # SVG element ids from a fixed salt, not a random one


# nbclient logs each start at INFO and each failure at ERROR; we report failures ourselves (with the
# cell), and its records must not reach MkDocs' logger, where --strict would count them.
_CLIENT_LOG = logging.getLogger("studysite.notebooks.nbclient")
_CLIENT_LOG.addHandler(logging.NullHandler())
_CLIENT_LOG.propagate = False


# Clients whose kernels are running, so an interrupt (Ctrl-C) or interpreter exit can kill them at once.
_RUNNING: set = set()
_RUNNING_LOCK = threading.Lock()


def kill_running_kernels() -> int:
    """SIGKILL every kernel (and its process group) started by execute() that is still running."""
    with _RUNNING_LOCK:
        clients = list(_RUNNING)
    killed = 0
    for client in clients:
        provisioner = getattr(getattr(client, "km", None), "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is None or process.poll() is not None:
            continue
        pgid = getattr(provisioner, "pgid", None)
        try:
            if pgid and pgid != os.getpgid(0):
                os.killpg(pgid, signal.SIGKILL)  # the kernel runs in its own session: take its children too
            else:
                process.kill()
            killed += 1
        except OSError:
            pass
    return killed


atexit.register(kill_running_kernels)


class _BoundedClient(NotebookClient):
    """Keeps at most `stream_budget` characters of stream text per cell while the cell runs and counts the
    rest: a cell printing 100 MB neither fills memory nor keeps the build busy long after its time limit."""

    stream_budget = 0  # 0: unbounded
    stream_kept: dict[int, int]  # cell index → characters kept / left out (set per execution)
    stream_dropped: dict[int, int]

    def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
        if self.stream_budget and msg.get("msg_type") == "stream":
            kept, dropped = self.stream_kept, self.stream_dropped
            text = msg["content"].get("text", "")
            room = max(0, self.stream_budget - kept.get(cell_index, 0))
            if len(text) > room:
                dropped[cell_index] = dropped.get(cell_index, 0) + len(text) - room
                if not room:
                    return None
                msg = {**msg, "content": {**msg["content"], "text": text[:room]}}
            kept[cell_index] = kept.get(cell_index, 0) + min(len(text), room)
        return super().output(outs, msg, display_id, cell_index)


@dataclass
class Execution:
    nb: NotebookNode
    seconds: float
    started: float  # time.time()
    finished: float
    cell_seconds: dict[int, float] = field(default_factory=dict)  # 0-based cell index → seconds
    error: NotebookError | None = None
    dropped: dict[int, int] = field(default_factory=dict)  # cell index → stream characters not kept


def kernel_env(matplotlibrc: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        # Each kernel computes on one thread; parallelism comes from running kernels side by side.
        # torch reads OMP_NUM_THREADS at import: torch.get_num_threads() == 1 in the kernel.
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        NUMEXPR_NUM_THREADS="1",
        PYTHONHASHSEED="0",
        # Headless Agg rendering that still shows figures as outputs (plain "Agg" would drop them).
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        MATPLOTLIBRC=str(matplotlibrc),
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    env.setdefault("SOURCE_DATE_EPOCH", DEFAULT_SOURCE_DATE_EPOCH)
    return env


def execute(
    nb: NotebookNode, *, nb_dir: Path, label: str, cell_timeout: int, env: dict[str, str], stream_budget: int = 0
) -> Execution:
    """Execute a copy of nb with cwd = nb_dir. label is the repo-relative path used in messages.
    stream_budget: most characters of stream output kept per cell while running (0: all)."""
    nb = _without_outputs(nb)
    clock = _CellClock()
    client = _client(nb, nb_dir=nb_dir, cell_timeout=cell_timeout, clock=clock, stream_budget=stream_budget)
    error = None
    started, t0 = time.time(), time.perf_counter()
    with _running(client), tempfile.TemporaryFile() as kernel_log:
        try:
            # One event loop per call: safe to run from worker threads, one kernel each.
            aio.run(client.async_execute(env=env, cwd=str(nb_dir), stdout=kernel_log, stderr=kernel_log))
        except Exception as e:  # a cell failed or timed out, the kernel died, failed to start, lost connection, ...
            error = _failure(e, label=label, nb=nb, current=clock.current, cell_timeout=cell_timeout, log=kernel_log)
    finished = time.time()
    coalesce_streams(nb)
    seconds = round(time.perf_counter() - t0, 3)
    return Execution(nb, seconds, started, finished, clock.seconds, error, dict(client.stream_dropped))


def _without_outputs(nb: NotebookNode) -> NotebookNode:
    """A copy of nb whose code cells have no outputs and no execution counts (the caller's nb is kept)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


class _CellClock:
    """nbclient's cell hooks: which cells started (the last one is running) and how long each took."""

    def __init__(self) -> None:
        self.current: list[int] = []  # cell indices in the order they started
        self.began: dict[int, float] = {}
        self.seconds: dict[int, float] = {}  # 0-based cell index → seconds

    def on_cell_execute(self, cell_index: int, **_: object) -> None:
        self.current.append(cell_index)
        self.began[cell_index] = time.perf_counter()

    def on_cell_executed(self, cell_index: int, **_: object) -> None:
        self.seconds[cell_index] = round(time.perf_counter() - self.began[cell_index], 3)


def _client(
    nb: NotebookNode, *, nb_dir: Path, cell_timeout: int, clock: _CellClock, stream_budget: int
) -> _BoundedClient:
    client = _BoundedClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=cell_timeout,
        allow_errors=False,  # only cells tagged raises-exception may raise
        record_timing=False,  # timestamps in cell metadata would differ on every run
        # Stream chunking depends on timing; merged text does not. Merged by coalesce_streams() in execute():
        # nbclient's own merge is quadratic in line length.
        coalesce_streams=False,
        on_cell_execute=clock.on_cell_execute,
        on_cell_executed=clock.on_cell_executed,
        resources={"metadata": {"path": str(nb_dir)}},
        log=_CLIENT_LOG,
    )
    client.stream_budget, client.stream_kept, client.stream_dropped = stream_budget, {}, {}
    return client


@contextmanager
def _running(client: NotebookClient) -> Iterator[None]:
    """While the client runs, kill_running_kernels() can reach its kernel."""
    with _RUNNING_LOCK:
        _RUNNING.add(client)
    try:
        yield
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(client)


def _failure(
    e: Exception, *, label: str, nb: NotebookNode, current: list[int], cell_timeout: int, log: IO[bytes]
) -> NotebookError:
    """The NotebookError for what stopped the run: the cell (when one was running) and the cause."""
    if isinstance(e, CellTimeoutError):
        limit = "raise the limit with STUDY_CELL_TIMEOUT or mkdocs.yml `extra: study: cell_timeout`"
        error = _cell_error(label, nb, current, f"timed out after {cell_timeout} s ({limit})")
        error.timeout = cell_timeout
        return error
    if isinstance(e, CellExecutionError):
        return _cell_error(label, nb, current, f"raised {e.ename}: {e.evalue}", e.ename, e.evalue)
    if isinstance(e, DeadKernelError):
        # Killed from outside (out of memory, a signal): not a property of the code, so never cached.
        killed = (
            "lost its kernel, which was killed (out of memory, or a signal from outside); "
            "not cached: it runs again on the next build"
        )
        error = _cell_error(label, nb, current, killed + _tail(log))
        error.retry = True
        return error
    what = f"{type(e).__name__}: {e}"
    if current:
        return _cell_error(label, nb, current, f"stopped the kernel ({what})" + _tail(log))
    return NotebookError(f"{label}: the kernel could not run ({what}){_tail(log)}", notebook=label)


def _cell_error(
    label: str, nb: NotebookNode, current: list[int], what: str, ename: str = "", evalue: str = ""
) -> NotebookError:
    index = current[-1] if current else 0
    code_index = sum(c.cell_type == "code" for c in nb.cells[: index + 1])
    lines = [ln.strip() for ln in nb.cells[index].source.splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    if len(first) > 80:
        first = first[:77] + "..."
    message = f"{label}: cell {index + 1} (code cell {code_index}) {what}\n  cell starts with: {first}"
    return NotebookError(message, notebook=label, cell=index + 1, code_cell=code_index, ename=ename, evalue=evalue)


def _tail(log_file: IO[bytes], lines: int = 8) -> str:
    log_file.seek(0)
    text = log_file.read().decode("utf-8", errors="replace").strip().splitlines()
    # ipykernel warns about unencrypted TCP on every start: noise, not a cause.
    text = [ln for ln in text if "without encryption" not in ln][-lines:]
    return ("\n  kernel log:\n    " + "\n    ".join(text)) if text else ""
