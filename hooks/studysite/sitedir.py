"""The site folder on disk: folders left by killed builds, and swapping in a new site where the old one
cannot be renamed away (a mount point)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

# `.site.building-<pid>` (a build writing) and `.site.old-<pid>` (the previous site, being removed).
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?:building|old)-(?P<pid>\d+)")


def remove_leftovers(target: Path) -> list[str]:
    """Remove the building/old folders beside target whose build process is gone (killed mid-build);
    a running build's folder is left alone. Returns the names removed."""
    removed: list[str] = []
    parent = target.parent
    if not parent.is_dir():
        return removed
    for entry in sorted(parent.iterdir()):
        m = _LEFTOVER.fullmatch(entry.name)
        if m and m["name"] == target.name and entry.is_dir() and not _running(int(m["pid"])):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier process with our pid: this build has not made its folders yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def swap_in(target: Path, building: Path, trash: Path) -> None:
    """Make `building` the site at `target`: two renames, or, when target cannot be renamed (a mount point:
    EBUSY/EXDEV), its contents replaced. Raises OSError when neither works; the old site is put back
    where a rename had moved it."""
    moved = False
    try:
        if target.exists():
            os.replace(target, trash)
            moved = True
        os.replace(building, target)
        return
    except OSError:
        if moved and not target.exists():
            os.replace(trash, target)
    replace_contents(target, building)


def replace_contents(target: Path, building: Path) -> None:
    """Empty target (old files must not linger) and move building's entries into it."""
    target.mkdir(exist_ok=True)
    for entry in list(target.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in list(building.iterdir()):
        shutil.move(str(entry), str(target / entry.name))
    building.rmdir()
