"""What a notebook build produces: one NotebookResult per notebook, gathered in a NotebookRun."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class NotebookError(Exception):
    """A notebook that did not run cleanly; the message names the notebook and the cell."""

    def __init__(
        self,
        message: str,
        *,
        notebook: str = "",
        cell: int | None = None,  # 1-based, counting every cell as Jupyter shows them
        code_cell: int | None = None,  # 1-based among code cells
        ename: str = "",
        evalue: str = "",
    ):
        super().__init__(message)
        self.message = message
        self.notebook, self.cell, self.code_cell = notebook, cell, code_cell
        self.ename, self.evalue = ename, evalue
        self.timeout: int | None = None  # set when a cell ran out of time (with the limit it had)
        self.retry = False  # set when the kernel was killed from outside: never cached, run again

    def to_record(self) -> dict:
        return {
            "message": self.message,
            "cell": self.cell,
            "code_cell": self.code_cell,
            "ename": self.ename,
            "evalue": self.evalue,
            "timeout": self.timeout,
        }

    @classmethod
    def from_record(cls, data: dict, notebook: str) -> NotebookError:
        error = cls(
            data["message"],
            notebook=notebook,
            cell=data.get("cell"),
            code_cell=data.get("code_cell"),
            ename=data.get("ename") or "",
            evalue=data.get("evalue") or "",
        )
        error.timeout = data.get("timeout")
        return error


@dataclass
class NotebookResult:
    """One notebook after this build: executed now, served from the cache, or failed.

    `seconds` is the execution time of the run that produced the outputs: for "cached" that run
    happened in an earlier build (this build paid nothing); for "failed" it is the time until failure.
    """

    path: str  # repo-relative, e.g. "notebooks/tensors.ipynb"
    name: str  # file name, e.g. "tensors.ipynb"
    status: str  # "succeeded" | "cached" | "failed"
    seconds: float
    executed_path: Path | None = None  # the executed notebook in the cache; None when failed
    error: NotebookError | None = None
    title: str = ""  # first markdown heading, else the file stem
    cells_by_question: dict[str, list[int]] = field(default_factory=dict)  # q-id → 0-based cells
    images: dict[str, Path] = field(default_factory=dict)  # output file name → file in the cache
    image_names: dict[tuple[int, int], str] = field(default_factory=dict)  # (cell, output) → name
    cell_seconds: dict[int, float] = field(default_factory=dict)  # 0-based cell → run time
    code_cells: int = 0
    # Wall-clock window of this build's execution (time.time()); 0.0 when served from the cache.
    started: float = 0.0
    finished: float = 0.0
    from_cache: bool = False  # a failure recorded by an earlier build for this exact code (not re-run)
    truncated: dict[int, int] = field(default_factory=dict)  # 0-based cell → characters of output cut

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass
class NotebookRun:
    results: list[NotebookResult] = field(default_factory=list)  # sorted by notebook name
    warnings: list[str] = field(default_factory=list)  # e.g. outputs cut at the per-cell cap

    @property
    def executed(self) -> int:
        """Notebooks whose kernels ran in this build (failures included: they ran too)."""
        return sum(r.status in ("succeeded", "failed") and not r.from_cache for r in self.results)

    @property
    def cached(self) -> int:
        return sum(r.status == "cached" or r.from_cache for r in self.results)

    @property
    def failed(self) -> list[NotebookResult]:
        return [r for r in self.results if r.status == "failed"]

    def summary_line(self) -> str:
        line = f"notebooks: {self.executed} executed, {self.cached} cached"
        return line + (f" ({len(self.failed)} failed)" if self.failed else "")

    def get(self, path_or_name: str) -> NotebookResult | None:
        """The result for a repo-relative path ("notebooks/tensors.ipynb") or a bare file name."""
        for r in self.results:
            if path_or_name in (r.path, r.name):
                return r
        return None

    def site_files(self) -> dict[str, Path]:
        """Files a site must publish: "<name>.ipynb" (executed copy) and each image, by file name.

        Failed notebooks have no executed copy; their images are absent too.
        """
        files: dict[str, Path] = {}
        for r in self.results:
            if r.executed_path is not None:
                files[r.name] = r.executed_path
            files.update(r.images)
        return files

    def raise_for_failures(self) -> None:
        if not self.failed:
            return
        errors = [r.error for r in self.failed if r.error is not None]
        if len(errors) == 1:
            raise errors[0]
        text = "\n".join(f"- {e.message}" for e in errors)
        raise NotebookError(f"{len(errors)} notebooks failed:\n{text}")
