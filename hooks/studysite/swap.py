"""Build into a fresh folder next to site_dir and swap it in only when the whole build succeeded."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.utils import CountHandler

from . import sitedir

log = logging.getLogger("mkdocs.plugins.studysite")


class SiteSwap:
    """Point MkDocs at `.<site>.building-<pid>` and replace site_dir with it after a good build.

    Hook errors already fail before MkDocs empties site_dir (prepare runs in on_pre_build); this also
    covers what fails later (a strict-mode warning, an error in another plugin): the previous site stays.
    """

    def __init__(self, config: Any):
        self.config = config
        self.target = Path(config["site_dir"]).resolve()
        self.building = self.target.with_name(f".{self.target.name}.building-{os.getpid()}")
        shutil.rmtree(self.building, ignore_errors=True)
        for name in sitedir.remove_leftovers(self.target):
            log.info(f"removed {name}, left beside {self.target.name}/ by a build that was killed")
        config["site_dir"] = str(self.building)

    def finish(self, config: Any) -> None:
        """After every other plugin's on_post_build: swap, unless strict mode is about to abort."""
        config["site_dir"] = str(self.target)  # gh-deploy reads it after the build
        if strict_warnings():
            shutil.rmtree(self.building, ignore_errors=True)
            log.info(f"build aborted by strict mode: {self.target} left as it was")
            return
        trash = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
        try:
            sitedir.swap_in(self.target, self.building, trash)  # (a mount point: its contents replaced)
            log.info(f"site written to {self.target} (built in {self.building.name}, then swapped in)")
        except OSError as e:
            raise PluginError(
                f"{self.target}: the new site could not be written there ({e.strerror or e}); "
                "make the folder writable, or build elsewhere with -d"
            ) from None
        finally:
            shutil.rmtree(self.building, ignore_errors=True)
            shutil.rmtree(trash, ignore_errors=True)

    def abandon(self) -> None:
        self.config["site_dir"] = str(self.target)
        shutil.rmtree(self.building, ignore_errors=True)


def strict_warnings() -> bool:
    """True when MkDocs' strict-mode counter has seen a warning (the build then aborts)."""
    return any(isinstance(h, CountHandler) and h.get_counts() for h in logging.getLogger("mkdocs").handlers)
