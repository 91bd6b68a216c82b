"""Loading the shipped networks, dictionary and pipeline settings (safetensors and JSON, no pickles)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from safetensors.torch import load_file
from torch import nn

from hub_ocr.cls_net import DirectionClassifier
from hub_ocr.det_net import TextDetector
from hub_ocr.layers import fold_network
from hub_ocr.rec_net import TextRecognizer

_NETWORKS: dict[str, type[nn.Module]] = {
    "det": TextDetector,
    "cls": DirectionClassifier,
    "rec": TextRecognizer,
}


def load_network(key: str, fold: bool = True) -> nn.Module:
    """One of ``det``, ``cls``, ``rec`` with its converted weights, in eval mode.

    ``fold`` folds batch norms and affine blocks into the convolutions before them (the same
    function, fewer passes over memory); ``fold=False`` keeps the layers as the graph has them.
    """
    network = _NETWORKS[key]()
    path = resources.files("hub_ocr").joinpath("data").joinpath(f"{key}.safetensors")
    with resources.as_file(path) as file:
        state = load_file(str(file))
    network.load_state_dict(state, strict=False)
    missing = (
        set(network.state_dict())
        - set(state)
        - {k for k in network.state_dict() if k.endswith("num_batches_tracked")}
    )
    if missing:
        raise RuntimeError(f"{key}.safetensors lacks {sorted(missing)[:3]}")
    network.eval()
    return fold_network(network) if fold else network


@lru_cache(maxsize=1)
def dictionary() -> tuple[str, ...]:
    """The CTC alphabet: blank, the 6,623 characters of the ONNX metadata, then space."""
    text = resources.files("hub_ocr").joinpath("data").joinpath("ppocr_keys.txt").read_text(encoding="utf-8")
    characters = text.split("\n")[:-1]
    return ("blank", *characters, " ")


@lru_cache(maxsize=1)
def pipeline_settings() -> dict[str, Any]:
    """RapidOCR 1.4.4's config.yaml values, as the converter recorded them."""
    text = resources.files("hub_ocr").joinpath("data").joinpath("pipeline.json").read_text(encoding="utf-8")
    return dict(json.loads(text))
