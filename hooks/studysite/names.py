"""Names are data: file names, IDs and titles shown in a log line or an error, with control characters
escaped, so a file called `bad\nname.md` stays on one line and no name can fake a log line or a colour."""

from __future__ import annotations

import logging

# C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional overrides/isolates
# (which reorder what a terminal shows).
_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_SHORT = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
_TABLE = {c: _SHORT.get(c) or (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _CONTROLS}


def printable(text: object) -> str:
    """The text with every control character shown as an escape (`\\n`, `\\x1b`, `\\u202e`): one line."""
    return str(text).translate(_TABLE)


class OneLine(logging.Filter):
    """Escapes each record's message, so one log call is one line whatever names it carries (debug
    records, e.g. a traceback for developers, keep their lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return True
        message = record.getMessage()
        escaped = printable(message)
        if escaped != message or record.args:
            record.msg, record.args = escaped, None
        return True


def escape_log(logger: logging.Logger) -> None:
    if not any(isinstance(f, OneLine) for f in logger.filters):
        logger.addFilter(OneLine())
