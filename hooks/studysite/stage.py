"""Which stage of the build, and which file, an unexpected exception came from.

`with stage.at("reading sources", "sources/x.md"):` tags any exception leaving the block (the innermost
tag wins), so the hook can report one line naming both instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

_TAG = "_study_stage"


@contextmanager
def at(name: str, file: str | None = None) -> Iterator[None]:
    try:
        yield
    except Exception as e:
        if getattr(e, _TAG, None) is None:
            with suppress(AttributeError, TypeError):  # an exception type without a __dict__
                setattr(e, _TAG, (name, file))
        raise


def of(error: BaseException) -> tuple[str | None, str | None]:
    """(stage, file) an exception was tagged with, else (None, None)."""
    return getattr(error, _TAG, None) or (None, None)
