"""The build's settings: one frozen, validated `StudyConfig`, read once in `on_config`.

Sources, in order of precedence: the environment (`STUDY_*`, `SOURCE_DATE_EPOCH`), then mkdocs.yml
`extra: study:`, then the defaults below. Nothing else in the library reads `os.environ`; a bad value
is an error naming where it came from (`STUDY_PAGE_SIZE=abc: not a whole number`), never a fallback.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .notebooks.run import DEFAULT_OUTPUT_CAP
from .urls import DEFAULT_PAGE_SIZE, Urls

DEFAULT_CELL_TIMEOUT = 120  # seconds per notebook cell
MIN_OUTPUT_CAP = 1000  # characters of output kept per notebook cell, at least


@dataclass(frozen=True)
class Setting:
    """One setting: its environment variable, its mkdocs.yml key (if any), and its help line."""

    name: str
    env: str
    yml: str | None
    help: str


SETTINGS = {
    s.name: s
    for s in [
        Setting(
            "cache_dir", "STUDY_CACHE_DIR", None, "folder for the notebook cache and staged files (default .cache/)"
        ),
        Setting(
            "embedding_cache",
            "STUDY_EMBEDDING_CACHE",
            None,
            "folder for the sentence-embedding model and vectors, keyed by text hash (default: cache_dir)",
        ),
        Setting("export_dir", "STUDY_EXPORT_DIR", None, "also write the rendered docs tree and mkdocs.yml there"),
        Setting("source_date_epoch", "SOURCE_DATE_EPOCH", None, "reproducible builds: the time stamped into outputs"),
        Setting("page_size", "STUDY_PAGE_SIZE", "page_size", "most questions on one topic page (default 100)"),
        Setting("cell_timeout", "STUDY_CELL_TIMEOUT", "cell_timeout", "seconds a notebook cell may run (default 120)"),
        Setting("output_cap", "STUDY_OUTPUT_CAP", "output_cap", "characters of output kept per cell (default 100,000)"),
    ]
}


@dataclass(frozen=True)
class StudyConfig:
    """Everything the library may be told from outside; built by `load()`, then only read."""

    root: Path
    cache_dir: Path
    embedding_cache: Path | None = None  # None: cache_dir (content-addressed, so builds may share one)
    export_dir: Path | None = None
    source_date_epoch: int | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    cell_timeout: int = DEFAULT_CELL_TIMEOUT
    output_cap: int = DEFAULT_OUTPUT_CAP
    directory_urls: bool = True
    site_url: str = ""

    @property
    def reproducible(self) -> bool:
        return self.source_date_epoch is not None

    @property
    def embeddings_dir(self) -> Path:
        return self.embedding_cache or self.cache_dir

    @property
    def urls(self) -> Urls:
        return Urls(directory_urls=self.directory_urls, page_size=self.page_size)

    @classmethod
    def load(
        cls,
        root: Path,
        mkdocs_config: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> StudyConfig:
        """Read and check every setting once. Raises ConfigError naming the first bad one."""
        environ = os.environ if environ is None else environ
        mkdocs_config = mkdocs_config or {}
        yml = _study_section(mkdocs_config)
        read = _Reader(environ, yml)
        cache = read.value("cache_dir", _path)
        return cls(
            root=root,
            cache_dir=cache if cache is not None else root / ".cache",
            embedding_cache=read.value("embedding_cache", _path),
            export_dir=read.value("export_dir", _path),
            source_date_epoch=read.value("source_date_epoch", _whole(0)),
            page_size=read.value("page_size", _whole(1), DEFAULT_PAGE_SIZE),
            cell_timeout=read.value("cell_timeout", _whole(1, "seconds"), DEFAULT_CELL_TIMEOUT),
            output_cap=read.value("output_cap", _whole(MIN_OUTPUT_CAP, "characters"), DEFAULT_OUTPUT_CAP),
            directory_urls=bool(mkdocs_config.get("use_directory_urls", True)),
            site_url=str(mkdocs_config.get("site_url") or ""),
        )

    @classmethod
    def defaults(cls, root: Path, mkdocs_config: Mapping[str, Any] | None = None) -> StudyConfig:
        """`mkdocs serve` only, after load() failed and said why: the defaults (serve never stops)."""
        mkdocs_config = mkdocs_config or {}
        return cls(
            root=root,
            cache_dir=root / ".cache",
            directory_urls=bool(mkdocs_config.get("use_directory_urls", True)),
            site_url=str(mkdocs_config.get("site_url") or ""),
        )


def _study_section(mkdocs_config: Mapping[str, Any]) -> Mapping[str, Any]:
    extra = mkdocs_config.get("extra") or {}
    study = extra.get("study") if isinstance(extra, Mapping) else None
    if study is None:
        return {}
    if not isinstance(study, Mapping):
        raise ConfigError(f"mkdocs.yml extra.study: must be a mapping of settings, not {type(study).__name__}")
    known = {s.yml for s in SETTINGS.values() if s.yml}
    for key in study:
        if key not in known:
            raise ConfigError(f"mkdocs.yml extra.study.{key}: unknown setting (known: {', '.join(sorted(known))})")
    return study


class _Reader:
    """Looks a setting up in the environment, then in mkdocs.yml; parses it with a checker."""

    def __init__(self, environ: Mapping[str, str], yml: Mapping[str, Any]):
        self.environ, self.yml = environ, yml

    def value(self, name: str, parse: Callable[[Any], Any], default: Any = None) -> Any:
        s = SETTINGS[name]
        raw = self.environ.get(s.env)
        if raw is not None and raw.strip() != "":
            where = f"{s.env}={raw}"
        elif s.yml is not None and self.yml.get(s.yml) is not None:
            raw, where = self.yml[s.yml], f"mkdocs.yml extra.study.{s.yml}: {raw_repr(self.yml[s.yml])}"
        else:
            return default
        try:
            return parse(raw)
        except ValueError as e:
            raise ConfigError(f"{where}: {e}") from None


def raw_repr(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else value


def _path(raw: Any) -> Path:
    return Path(str(raw)).expanduser()


def _whole(minimum: int, unit: str = "") -> Callable[[Any], int]:
    def parse(raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise ValueError("not a whole number")
        try:
            n = int(raw.strip()) if isinstance(raw, str) else raw
        except ValueError:
            raise ValueError("not a whole number") from None
        if n < minimum:
            raise ValueError(f"must be at least {minimum}{' ' + unit if unit else ''}")
        return n

    return parse
