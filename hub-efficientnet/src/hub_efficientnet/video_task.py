"""The ``video_classification`` task: an image module's context applied to every sampled frame, a
temporal head over the frames (see temporal.py), one label per clip.

The reader gives ``pixel_values`` of shape (B, K, 3, H, W); the encoder sees the B*K frames as one
batch of images and must return ``"feature_map"`` (the EfficientNet-Lite contexts do).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from hub_efficientnet.temporal import TEMPORAL_MODELS, TemporalHead
from hubcore import HubcoreError
from hubcore.finetune import BasicTask, ModuleContext, RunConfig

FEATURE_MAP = "feature_map"


class VideoClassifierTask(BasicTask):
    """Single-label clip classification: accuracy (main metric).

    ``temporal`` is ``"conv"`` (default), ``"gru"`` or ``"mean"`` (order-blind averaging, a baseline).
    With a frozen encoder (``context(trainable=False)``) and ``cache_frozen_features``, each
    decoded frame of the data set is encoded once and its feature map kept in memory (about
    46 KB a frame at 96 px), so later epochs train the temporal model alone.
    """

    main_metric = "acc"
    greater_is_better = True
    non_feature_keys = ("labels", "frame_ids")

    def __init__(
        self,
        context: ModuleContext,
        reader: Any,
        config: RunConfig | None = None,
        *,
        num_classes: int | None = None,
        temporal: str = "conv",
        hidden_size: int = 128,
        dropout: float = 0.1,
        cache_frozen_features: bool = True,
        module: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(context, reader, config, module=module)
        self.cache_frozen_features = cache_frozen_features
        self._feature_cache: dict[tuple[int, int], torch.Tensor] = {}
        if temporal not in TEMPORAL_MODELS:
            raise HubcoreError(f"temporal model {temporal!r} is not one of {', '.join(TEMPORAL_MODELS)}")
        labels = getattr(reader, "label_list", None)
        if num_classes is None and not labels:
            raise HubcoreError(
                "VideoClassifierTask: num_classes is not given and the reader has no label_list"
            )
        self.num_classes = int(num_classes if num_classes is not None else len(labels))
        self.temporal, self.hidden_size, self.dropout = temporal, hidden_size, dropout
        self.hparams = {
            "num_classes": self.num_classes,
            "temporal": temporal,
            "hidden_size": hidden_size,
            "dropout": dropout,
        }

    def build_head(self) -> nn.Module:
        return TemporalHead(
            self.context.sentence_dim,
            self.num_classes,
            kind=self.temporal,
            hidden=self.hidden_size,
            dropout=self.dropout,
        )

    def forward(self, model: Any, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        clips = batch["pixel_values"]
        if clips.dim() != 5:
            raise HubcoreError(f"video batches must be (batch, segments, 3, H, W), got {tuple(clips.shape)}")
        segments = clips.shape[1]
        frames = clips.flatten(0, 1)
        ids = batch.get("frame_ids")
        if ids is not None and self.cache_frozen_features and self._encoder_frozen(model):
            feature_maps = self._cached_features(model, frames, ids.flatten(0, 1).tolist())
        else:
            feature_maps = self._encode(model, frames)
        return {"logits": model.head(feature_maps, segments)}

    @staticmethod
    def _encoder_frozen(model: Any) -> bool:
        return not any(p.requires_grad for p in model.encoder.parameters())

    @staticmethod
    def _encode(model: Any, frames: torch.Tensor) -> torch.Tensor:
        features = model.encoder(pixel_values=frames)
        if FEATURE_MAP not in features:
            raise HubcoreError(
                "the module's encoder returns no 'feature_map'; use an EfficientNet-Lite context"
            )
        feature_map: torch.Tensor = features[FEATURE_MAP]
        return feature_map

    def _cached_features(self, model: Any, frames: torch.Tensor, ids: list[list[int]]) -> torch.Tensor:
        """A frozen encoder gives each frame the same features every epoch: compute each once."""
        keys = [(int(clip), int(frame)) for clip, frame in ids]
        missing = {key: row for row, key in enumerate(keys) if key not in self._feature_cache}
        if missing:
            with torch.no_grad():
                computed = self._encode(model, frames[list(missing.values())])
            for key, feature_map in zip(missing, computed, strict=True):
                self._feature_cache[key] = feature_map.detach()
        return torch.stack([self._feature_cache[key] for key in keys])

    def compute_loss(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> torch.Tensor:
        return F.cross_entropy(outputs["logits"], batch["labels"])

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        return torch.softmax(outputs["logits"].float(), dim=-1).tolist()

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        hits = sum(
            int(max(range(len(p)), key=p.__getitem__) == gold)
            for p, gold in zip(predictions, labels, strict=True)
        )
        return {"acc": hits / max(len(labels), 1)}

    def postprocess(self, prediction: Any) -> Any:
        best = max(range(len(prediction)), key=prediction.__getitem__)
        return self.label_list[best] if self.label_list else best

    def encode_inputs(self, data: Sequence[Any]) -> list[dict[str, Any]]:
        encoded: list[dict[str, Any]] = self.reader.encode_texts(data)
        return encoded
