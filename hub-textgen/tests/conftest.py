"""Shared fixtures of the hub-textgen tests: the module, built once, and the committed goldens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    # CI shares two cores between suites; one thread keeps timings predictable.
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def lm() -> Any:
    from hub_textgen.module import TextgenLSTM

    return TextgenLSTM()


@pytest.fixture(scope="session")
def goldens() -> dict[str, Any]:
    """What the original textgenrnn 2.0.0 produced on TensorFlow (tools/make_goldens.py)."""
    record: dict[str, Any] = json.loads((GOLDEN / "goldens.json").read_text(encoding="utf-8"))
    record["probabilities"] = np.load(GOLDEN / "probabilities.npy", allow_pickle=False)
    return record


@pytest.fixture(scope="session")
def layer_goldens() -> dict[str, np.ndarray]:
    with np.load(GOLDEN / "layers.npz", allow_pickle=False) as data:
        return {name: data[name] for name in data.files}
