"""Embeddings: the model comes only from its hash-checked zip, vectors are cached by text hash, a warm
build encodes nothing, a new file encodes only its own questions, a damaged cache is rebuilt."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from studysite import embeddings
from studysite.dedup import find_duplicates
from studysite.embeddings import CachedEncoder, EmbeddingError, MiniLM, minilm_dir, shared_encoder
from studysite.readers import raw_source_files, read_file
from studysite.similarity import Glossary, default_cache_dir

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = Glossary.load(REPO / "sources" / "glossary.yaml", "sources/glossary.yaml")


@pytest.fixture(scope="session")
def model():
    """The real model, loaded once for the session (its vectors cached in the repo's .cache/)."""
    return shared_encoder(default_cache_dir()).model


def seed_raws():
    sources = REPO / "sources"
    return [q for p in raw_source_files(sources) for q in read_file(p, p.relative_to(REPO).as_posix()).questions]


def test_a_zip_whose_weights_are_not_the_published_ones_is_refused(tmp_path):
    fake = tmp_path / "model.zip"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("model.safetensors", b"not the weights")
        z.writestr("config.json", "{}")
    with pytest.raises(EmbeddingError, match="not the published"):
        minilm_dir(tmp_path / "cache", source=fake)
    assert not (tmp_path / "cache" / "models").exists() or not any((tmp_path / "cache" / "models").iterdir())


def test_the_model_zip_is_found_without_importing_its_package():
    import sys

    path = embeddings.minilm_zip()
    assert path.name == "model.zip" and path.is_file()
    assert "all_minilm_l6_v2" not in sys.modules  # it prints on import: never imported


def test_vectors_are_cached_by_text_and_a_warm_run_encodes_nothing(model, tmp_path):
    texts = ["What is a tensor?", "How do you save a model?", "What is a tensor?"]
    cold = CachedEncoder(model, tmp_path, MiniLM.dim)
    first = cold.encode(texts)
    assert cold.encoded == 2  # equal texts encoded once
    warm = CachedEncoder(model, tmp_path, MiniLM.dim)  # a new process reading the cache file
    again = warm.encode(texts)
    assert warm.encoded == 0 and np.allclose(first, again)
    warm.encode(["What is dropout?", *texts])
    assert warm.encoded == 1  # only the new text


def test_a_damaged_cache_is_rebuilt(model, tmp_path):
    CachedEncoder(model, tmp_path, MiniLM.dim).encode(["What is a tensor?"])
    path = tmp_path / "embeddings" / f"{MiniLM.name}.npz"
    path.write_bytes(path.read_bytes()[:100])  # truncated, as by a crash mid-write without the atomic rename
    again = CachedEncoder(model, tmp_path, MiniLM.dim)
    assert again.cache.damaged
    vectors = again.encode(["What is a tensor?"])
    assert again.encoded == 1 and vectors.shape == (1, MiniLM.dim)
    assert not CachedEncoder(model, tmp_path, MiniLM.dim).cache.damaged  # replaced by a valid file


def test_warm_build_encodes_zero_texts_and_a_new_file_only_its_own(model, tmp_path):
    seeds = seed_raws()
    cold = CachedEncoder(model, tmp_path, MiniLM.dim)
    find_duplicates(seeds, glossary=GLOSSARY, encoder=cold)
    assert cold.encoded > 0
    warm = CachedEncoder(model, tmp_path, MiniLM.dim)
    find_duplicates(seed_raws(), glossary=GLOSSARY, encoder=warm)
    assert warm.encoded == 0
    path = REPO / "tests" / "corpus" / "abhinavjha-deep-learning-prep.md"
    new = read_file(path, "sources/abhinavjha.md").questions
    grown = CachedEncoder(model, tmp_path, MiniLM.dim)
    find_duplicates(seed_raws() + new, glossary=GLOSSARY, encoder=grown)
    # title, title + answer and glossary terms of each new question; nothing of the seeds again
    assert 0 < grown.encoded <= 3 * len(new)
