"""Write the complete docs tree a build rendered (STUDY_EXPORT_DIR), renderable without the hook."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from mkdocs.structure.files import Files


def export_tree(files: Files, config, export_dir: Path, nav: list, project_root: Path) -> int:
    """Copy hand-written, generated and executed files to export_dir/docs and write a matching mkdocs.yml.

    The config is the project's mkdocs.yml minus `hooks:` and `watch:`, with the hook's nav written out,
    so `mkdocs build -f <export_dir>/mkdocs.yml` renders the same site. Returns the number of files.
    """
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
