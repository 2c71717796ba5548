"""The kinds of error the library raises, as classes callers can catch and sort by.

Code decides what an error means by its class, never by its message text: rewording a message must
not change whether it is reported as a cause or as a consequence, or whether `mkdocs serve` goes on.

- `SourceError`: a problem in an input a person can fix (a raw source or a curated file); names the
  file and, where known, the line. (Also importable from `studysite.model`, where it used to live.)
- `UnknownQuestion(SourceError)`: a curated file (aliases.yaml, study-plan.yaml, …) names a question
  ID that is not published. When a raw source failed to read, this is usually a consequence of that.
- `MissingOverlayTarget(UnknownQuestion)`: an overlay file (or its `follow_ups:`) names a question no
  source has.
- `ConfigError`: a bad setting (environment or mkdocs.yml `extra.study`); a MkDocs `PluginError`, so
  MkDocs prints it as one line and stops.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError

from .names import printable


class SourceError(Exception):
    """A problem in an input a person can fix: always names the file and, where known, the line."""

    def __init__(self, file: str, line: int | None, message: str):
        self.file, self.line, self.message = file, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(printable(f"{where}: {message}"))  # names are data: one line, controls shown


class UnknownQuestion(SourceError):
    """A curated file names a question ID that is not published (nor an alias of one)."""


class MissingOverlayTarget(UnknownQuestion):
    """An overlay names a question no source has (as its own or as a follow-up)."""


class ConfigError(PluginError):
    """A setting with a bad value; the message starts with where it came from."""


def is_consequence(error: Exception, causes: list) -> bool:
    """True when error most likely follows from the causes: a curated file naming a question that is
    missing because a raw source failed to read (it is then reported after them, not as a cause)."""
    return bool(causes) and isinstance(error, UnknownQuestion)
