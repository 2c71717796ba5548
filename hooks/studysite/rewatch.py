"""Serve: watch sources/ and notebooks/, and keep watching them when they are deleted and made again.

They are not in mkdocs.yml's `watch:` list: MkDocs checks that every path listed there exists on each
rebuild, and while one is missing every rebuild fails and the server holds every request.

MkDocs' polling watcher stops for good when a watched folder disappears (watchdog queues one
DirDeletedEvent and ends the emitter), so after `rm -rf sources/` and a restore no edit was ever seen
again. A small thread looks once a second: when a folder goes, it asks for a rebuild (which says so);
when it is back, it watches it afresh and asks for one more.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

POLL_SECONDS = 1.0


class Rewatch:
    def __init__(self, server: Any, folders: list[Path]) -> None:
        self.server, self.folders = server, folders
        self.present = {f: f.is_dir() for f in folders}
        for folder in folders:
            if self.present[folder]:
                server.watch(str(folder))
        self.thread = threading.Thread(target=self._poll, name="studysite-rewatch", daemon=True)
        self.thread.start()

    def missing(self) -> list[Path]:
        return [f for f in self.folders if not f.is_dir()]

    def _poll(self) -> None:
        while True:
            time.sleep(POLL_SECONDS)
            changed = False
            for folder in self.folders:
                now = folder.is_dir()
                if now and not self.present[folder]:
                    self._watch_again(folder)
                changed |= now != self.present[folder]
                self.present[folder] = now
            if changed:  # gone: the rebuild says so; back: the rebuild reads it again
                self._request_rebuild()

    def _watch_again(self, folder: Path) -> None:
        with contextlib.suppress(KeyError, ValueError):  # not watched (yet)
            self.server.unwatch(str(folder))
        self.server.watch(str(folder))

    def _request_rebuild(self) -> None:
        # What MkDocs' own file-change callback does (LiveReloadServer has no public method for it).
        cond = getattr(self.server, "_rebuild_cond", None)
        if cond is None:
            return
        with cond:
            self.server._want_rebuild = True
            cond.notify_all()
