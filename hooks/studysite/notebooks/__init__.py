"""Notebook demos: execute (with a cache), embed cells under questions, report status.

Typical use from the MkDocs hook (on_config / on_files):

    run = run_notebooks(root / "notebooks", root / ".cache" / "notebooks", repo_root=root, log=log)
    log.info(run.summary_line())
    if strict: run.raise_for_failures()            # wrap the NotebookError in a PluginError
    for name, path in run.site_files().items():    # "<nb>.ipynb" executed copies + image files
        files.append(File(...abs_src_path=path...))  # e.g. under notebooks/ and assets/notebooks/
    md = demo_markdown(run.get("notebooks/tensors.ipynb"), cells, image_url_prefix=...,
                       notebook_page_url=..., download_url=...)
"""

from .embed import demo_markdown, demo_markdown_error
from .records import NotebookError, NotebookResult, NotebookRun
from .run import run_notebooks
from .status import status_page_markdown

__all__ = [
    "NotebookError",
    "NotebookResult",
    "NotebookRun",
    "demo_markdown",
    "demo_markdown_error",
    "run_notebooks",
    "status_page_markdown",
]
