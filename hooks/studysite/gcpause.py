"""Pause Python's cyclic garbage collector around stages that allocate many small acyclic objects.

Reading a large file (tokens, nodes) and deduplicating thousands of questions (term lists, frozensets,
TF-IDF rows) allocate millions of objects that reference counting frees on its own; the cyclic
collector's repeated passes over the growing heap made both stages super-linear (bench/bench_read.py,
bench/bench_dedup.py: 5× the questions took 6.8× the time, 5.1× with the collector paused). It runs again
as soon as the stage ends.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused_gc():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
