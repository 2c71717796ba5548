"""Write the complete docs tree a build rendered (STUDY_EXPORT_DIR), renderable without the hook."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from mkdocs.structure.files import Files


MARKER = ".study-export"  # written into every export folder: only such a folder is ever overwritten


class ExportError(Exception):
    pass


def check_export_dir(export_dir: Path, project_root: Path, site_dir: str | Path | None = None) -> Path:
    """The resolved export folder, or ExportError if writing there could destroy anything.

    Refused: the project itself, any folder containing it, anything inside docs/, sources/, notebooks/,
    hooks/ or overrides/, the site folder the build writes (inside it or containing it: the build replaces
    it, and the export with it), and an existing folder that is neither empty nor an earlier export.
    """
    out = export_dir.expanduser().resolve()
    root = project_root.resolve()
    name = f"STUDY_EXPORT_DIR={export_dir}"
    for site in published_dirs(site_dir):
        if out.is_relative_to(site) or site.is_relative_to(out):
            raise ExportError(
                f"{name}: refused, the build writes the site to {site} and replaces that folder (the export "
                "would be deleted with it); choose a folder outside it, e.g. export/"
            )
    if out == root or root.is_relative_to(out):
        raise ExportError(f"{name}: refused, it is or contains the project ({root}); choose a new folder, e.g. export/")
    for part in ("docs", "sources", "notebooks", "hooks", "overrides", ".git"):
        if out.is_relative_to(root / part):
            raise ExportError(
                f"{name}: refused, it is inside the project's {part}/ folder; choose a new folder, e.g. export/"
            )
    if out.exists():
        if not out.is_dir():
            raise ExportError(f"{name}: refused, it is a file")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise ExportError(
                f"{name}: refused, the folder is not empty and was not made by an export "
                f"(no {MARKER} file in it); choose an empty or new folder"
            )
    return out


def published_dirs(site_dir: str | Path | None) -> list[Path]:
    """The site folder, and while the build writes into `.<name>.building-<pid>` beside it, both."""
    if not site_dir:
        return []
    site = Path(site_dir).resolve()
    m = re.fullmatch(r"\.(.+)\.building-\d+", site.name)
    return [site, site.with_name(m.group(1))] if m else [site]


def export_tree(files: Files, config, export_dir: Path, nav: list, project_root: Path) -> int:
    """Copy hand-written, generated and executed files to export_dir/docs and write a matching mkdocs.yml.

    The config is the project's mkdocs.yml minus `hooks:` and `watch:`, with the hook's nav written out,
    so `mkdocs build -f <export_dir>/mkdocs.yml` renders the same site. Returns the number of files.
    """
    export_dir = check_export_dir(export_dir, project_root, config["site_dir"])
    export_dir.mkdir(parents=True, exist_ok=True)
    (export_dir / MARKER).write_text(
        "Written by the study-site export; the folder is replaced by the next export.\n", encoding="utf-8"
    )
    docs = export_dir / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    theme_dirs = {Path(d).resolve() for d in config["theme"].dirs}
    count = 0
    for f in files:
        if f.src_dir is not None and Path(f.src_dir).resolve() in theme_dirs:
            continue  # theme assets come from the theme, not the docs tree
        target = docs / f.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.content_bytes)
        count += 1
    overrides = project_root / "overrides"
    if overrides.is_dir():
        shutil.rmtree(export_dir / "overrides", ignore_errors=True)
        shutil.copytree(overrides, export_dir / "overrides")
    (export_dir / "mkdocs.yml").write_text(export_config(project_root / "mkdocs.yml", nav), encoding="utf-8")
    return count


def export_config(config_path: Path, nav: list) -> str:
    """The project's mkdocs.yml text without its hooks/watch blocks, plus the nav the hook computed."""
    text = config_path.read_text(encoding="utf-8")
    for key in ("hooks", "watch"):
        text = re.sub(rf"(?m)^{key}:\n(?:[ \t]+.*\n|[ \t]*\n)*", "", text)
    text = re.sub(r"(?m)^docs_dir:.*$", "docs_dir: docs", text)
    header = "# Exported by the study-site hook: renders the same site without hooks/.\n"
    return header + text.rstrip() + "\n\n" + yaml.safe_dump({"nav": nav}, sort_keys=False, allow_unicode=True)
