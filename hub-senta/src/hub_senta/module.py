"""The ``sentiment_zh`` module: PaddleHub senta's ``sentiment_classify`` on a model trained here.

The model (``tools/train_sentiment_zh.py``): Baidu LAC's pretrained encoder, frozen
and run by hub-lac's fast engine, pooled into one vector per text (``_features``);
beside it the mean and maximum of a fine-tuned copy of LAC's word embeddings over the
text; then one hidden layer and two outputs.  The package ships the classifier and
the embedding rows training changed (``data/sentiment_zh.safetensors``, no pickle)
and the training record (``data/training.json``); LAC's own weights come from hub-lac.
Its probability of a positive review is blended with that of a logistic regression on
character n-grams (``_ngrams``, ``tools/train_sentiment_zh_ngrams.py``:
``data/sentiment_zh_ngrams.safetensors`` and ``data/training_ngrams.json``), the blend
weight chosen on the dev split.  Inference is NumPy only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from hub_senta._features import lac_embedding, lac_features
from hub_senta._ngrams import NgramModel
from hub_senta.corpus import LABELS
from hubcore import HubcoreError
from hubcore.devices import resolve_device

NGRAMS = "sentiment_zh_ngrams.safetensors"  # the character n-gram model and its blend weight
# PaddleHub senta's keys: sentiment_label 1 is positive, 0 negative.
LABEL_IDS = {"negative": 0, "positive": 1}


class SentaInputError(HubcoreError, ValueError):
    """A text given to sentiment_classify is not a non-empty string, or an argument is out of range."""


def data_dir() -> Path:
    """The package's data folder: weights, training record, licence notes."""
    return Path(str(resources.files("hub_senta") / "data"))


class SentaClassifier:
    """PaddleHub senta's calling convention over any model that gives (negative, positive) probabilities.

    Subclasses set ``name`` and implement ``probabilities``.
    """

    name = "sentiment_zh"
    label_list: ClassVar[list[str]] = list(LABELS)

    def probabilities(self, texts: list[str], batch_size: int = 32, device: str = "cpu") -> np.ndarray:
        """(len(texts), 2) probabilities, negative then positive; texts must be non-empty strings."""
        raise NotImplementedError

    def sentiment_classify(
        self,
        texts: Sequence[str] | None = None,
        data: dict[str, Sequence[str]] | None = None,
        use_gpu: bool = False,
        batch_size: int = 1,
    ) -> list[dict[str, Any]]:
        """One dict per text: ``text``, ``sentiment_label`` (1 positive, 0 negative), ``sentiment_key``,
        ``positive_probs`` and ``negative_probs`` (rounded to 4 places, as senta did).

        PaddleHub's ``data={"text": [...]}`` form is accepted too.  A text that is not a
        non-empty string raises SentaInputError naming its index; nothing is returned then.
        ``use_gpu=True`` runs the encoder on CUDA, or fails before any work when there is none.
        """
        device = resolve_device(use_gpu, owner=f"{self.name}.sentiment_classify")
        texts = _texts_of(texts, data)
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise SentaInputError(f"batch_size must be a positive int, got {batch_size!r}")
        if not texts:
            return []
        results = []
        for text, row in zip(texts, self.probabilities(texts, batch_size, device).tolist(), strict=True):
            negative, positive = (float(row[LABELS.index(name)]) for name in ("negative", "positive"))
            key = "positive" if positive >= negative else "negative"
            results.append(
                {
                    "text": text,
                    "sentiment_label": LABEL_IDS[key],
                    "sentiment_key": key,
                    "positive_probs": round(positive, 4),
                    "negative_probs": round(negative, 4),
                }
            )
        return results

    def get_labels(self) -> dict[str, int]:
        """senta's label map."""
        return dict(LABEL_IDS)


class SentimentZh(SentaClassifier):
    """Chinese review sentiment: positive or negative, with both probabilities."""

    def __init__(self, folder: Path | None = None, blend: bool = True) -> None:
        """``blend=False``: the LAC head alone, without the character n-gram model (for training tools)."""
        from safetensors import safe_open
        from safetensors.numpy import load_file

        folder = folder if folder is not None else data_dir()
        self.training = json.loads((folder / "training.json").read_text(encoding="utf-8"))
        self._ngrams: NgramModel | None = None
        self._blend = 0.0
        if blend and (folder / NGRAMS).is_file():
            with safe_open(str(folder / NGRAMS), framework="numpy") as stored:
                self._blend = float(stored.metadata()["blend_weight"])
                self._ngrams = NgramModel.from_tensors({k: stored.get_tensor(k) for k in stored.keys()})  # noqa: SIM118
        w = load_file(str(folder / "sentiment_zh.safetensors"))
        self._mean, self._std = w["feature_mean"], w["feature_std"]
        self._words = lac_embedding().copy()
        self._words[w["words.rows"]] = w["words.values"]  # the rows fine-tuning changed
        self._hidden = (np.ascontiguousarray(w["hidden.weight"].T), w["hidden.bias"])
        self._output = (np.ascontiguousarray(w["output.weight"].T), w["output.bias"])

    def probabilities(self, texts: list[str], batch_size: int = 32, device: str = "cpu") -> np.ndarray:
        """(len(texts), 2) probabilities, negative then positive; texts must be non-empty strings.

        ``device="cuda"`` runs LAC's encoder (nearly all the work) on the GPU; the small head stays NumPy.
        """
        out = np.empty((len(texts), len(LABELS)), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            features, ids = lac_features(chunk, batch_size=batch_size, device=device)
            bags = np.stack([np.concatenate([self._words[i].mean(0), self._words[i].max(0)]) for i in ids])
            x = np.concatenate([(features - self._mean) / self._std, bags], axis=1)
            hidden = np.maximum(x @ self._hidden[0] + self._hidden[1], 0.0)
            logits = hidden @ self._output[0] + self._output[1]
            exp = np.exp(logits - logits.max(axis=1, keepdims=True))
            out[start : start + len(features)] = exp / exp.sum(axis=1, keepdims=True)
        if self._ngrams is not None:
            positive = LABELS.index("positive")
            blended = self._blend * self._ngrams.positive(texts) + (1.0 - self._blend) * out[:, positive]
            out[:, positive] = blended
            out[:, 1 - positive] = 1.0 - blended
        return out


def _texts_of(texts: Sequence[str] | None, data: dict[str, Sequence[str]] | None) -> list[str]:
    if texts is None and data is not None:
        if not isinstance(data, dict) or "text" not in data:
            raise SentaInputError('data must be a dict {"text": [texts]}')
        texts = data["text"]
    if texts is None:
        raise SentaInputError("give texts=[...]")
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)):
        raise SentaInputError(f"texts must be a list of strings, got {type(texts).__name__}")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise SentaInputError(f"texts[{index}] is {type(text).__name__}, not str")
        if not text.strip():
            raise SentaInputError(f"texts[{index}] is empty")
    return list(texts)


def sentiment_zh() -> SentimentZh:
    """The ``sentiment_zh`` module (see SentimentZh)."""
    return SentimentZh()
