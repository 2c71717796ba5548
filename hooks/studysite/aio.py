"""Running a coroutine to completion from synchronous code, whatever thread or loop the caller is in.

`asyncio.run` refuses to start when the calling thread already runs an event loop (Playwright's sync
API, Jupyter, an async host that builds the site in-process). The library's two async clients (Pagefind's
indexer, nbclient's kernel) are called from plain functions, so they go through `run` here: a fresh
loop in this thread when none is running, else a fresh loop in a worker thread that this call waits on.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """The coroutine's result (or its exception), on a loop of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as e:  # re-raised in the caller's thread
            box["error"] = e

    worker = threading.Thread(target=target, name="studysite-aio", daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
