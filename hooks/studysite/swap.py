"""Build into a fresh folder next to site_dir and swap it in only when the whole build succeeded."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from mkdocs.utils import CountHandler

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
            if self.target.exists():
                os.replace(self.target, trash)
            os.replace(self.building, self.target)
            log.info(f"site written to {self.target} (built in {self.building.name}, then swapped in)")
        except OSError:  # e.g. site_dir is a mount point: copy over it instead
            if self.building.exists():
                shutil.copytree(self.building, self.target, dirs_exist_ok=True)
                shutil.rmtree(self.building, ignore_errors=True)
        shutil.rmtree(trash, ignore_errors=True)

    def abandon(self) -> None:
        self.config["site_dir"] = str(self.target)
        shutil.rmtree(self.building, ignore_errors=True)


def strict_warnings() -> bool:
    """True when MkDocs' strict-mode counter has seen a warning (the build then aborts)."""
    return any(isinstance(h, CountHandler) and h.get_counts() for h in logging.getLogger("mkdocs").handlers)
