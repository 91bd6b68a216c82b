"""DetectionTask: YOLOv3 fine-tuning on the Fine-tune API's loop (checkpoints, best model, metrics.jsonl).

The YOLO network is the module's encoder; the task's "head" holds no weights of its own: the
prediction layers belong to the network, and the task replaces them when the label set changes.
The main metric is mAP at IoU 0.5 on the dev split.

    detector = hubcore.Module("yolov3_tiny", pretrained=False, input_size=160)
    reader = DetectionReader("shapes/", input_size=160)
    task = DetectionTask(detector.context(), reader, RunConfig(checkpoint_dir="ckpt", ...))
    task.finetune_and_eval()
    # then: hubcore run yolov3 --directory ckpt --input_path new.png
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from hub_yolov3.data import DetectionDataError, DetectionSample, load_split, read_label_list
from hub_yolov3.letterbox import letterbox, unletterbox
from hub_yolov3.loss import yolo_loss
from hub_yolov3.metrics import mean_average_precision
from hub_yolov3.model import YoloConfig, YOLOv3
from hub_yolov3.training import adapt_to_classes, augment, collate, detections, encode_sample
from hubcore import HubcoreError
from hubcore.finetune import BasicTask, ModuleContext, RunConfig
from hubcore.images import ImageInputError, load_path

PHASE_SPLITS = {"train": "train", "dev": "val", "test": "test"}


class DetectionReader:
    """Serves a VOC or COCO data set to the task: letterboxed tensors and box targets.

    ``dataset`` may be None when the reader only serves predictions of a loaded task.
    """

    def __init__(
        self,
        dataset: str | os.PathLike[str] | None,
        input_size: int = 416,
        label_list: Sequence[str] | None = None,
        splits: dict[str, str] | None = None,
    ) -> None:
        if input_size % 32:
            raise HubcoreError(f"input_size {input_size} must be a multiple of 32")
        self.dataset = Path(dataset) if dataset is not None else None
        self.input_size = int(input_size)
        self.splits = dict(splits or PHASE_SPLITS)
        try:
            if label_list is None:
                if self.dataset is None:
                    raise HubcoreError("DetectionReader needs a data set or a label_list")
                label_list = read_label_list(self.dataset)
        except DetectionDataError as exc:
            raise HubcoreError(str(exc)) from None
        self.label_list = list(label_list)
        self._encoded: dict[str, list[dict[str, Any]]] = {}

    def encoded(self, phase: str) -> list[dict[str, Any]]:
        """The letterboxed samples of ``phase``, encoded on first use and kept (hubcore.Reader's contract)."""
        if phase not in self._encoded:
            self._encoded[phase] = self.encode(self.examples(phase))
        return self._encoded[phase]

    def examples(self, phase: str) -> list[DetectionSample]:
        if self.dataset is None or phase not in self.splits:
            return []
        try:
            samples, _ = load_split(self.dataset, self.splits[phase], self.label_list)
        except DetectionDataError as exc:
            raise HubcoreError(str(exc)) from None
        return samples

    def encode(self, examples: Sequence[DetectionSample]) -> list[dict[str, Any]]:
        encoded = []
        for sample in examples:
            try:
                encoded.append(encode_sample(sample, self.input_size))
            except ImageInputError as exc:
                raise HubcoreError(f"data set image: {exc}") from None
        return encoded

    def encode_images(self, paths: Sequence[str | os.PathLike[str]]) -> list[dict[str, Any]]:
        """Prediction inputs: letterboxed images, with what it takes to map boxes back."""
        features = []
        for path in paths:
            try:
                loaded = load_path(path)
            except ImageInputError as exc:
                raise HubcoreError(str(exc)) from None
            pixels, box = letterbox(loaded.image, self.input_size)
            features.append(
                {
                    "pixel_values": torch.from_numpy(pixels),
                    "targets": torch.zeros(0, 5),
                    "letterbox": box,
                    "scale_to_original": loaded.scale_to_original,
                }
            )
        return features

    def collate(self, features: Sequence[dict[str, Any]]) -> dict[str, Any]:
        batch = collate(features)
        for key in ("letterbox", "scale_to_original"):
            if key in features[0]:
                batch[key] = [f[key] for f in features]
        return batch

    def to_config(self) -> dict[str, Any]:
        return {
            "dataset": None if self.dataset is None else str(self.dataset),
            "input_size": self.input_size,
            "label_list": self.label_list,
            "splits": self.splits,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], tokenizer: Any = None) -> DetectionReader:
        del tokenizer  # images need none
        return cls(None, config["input_size"], config["label_list"], config.get("splits"))


class _NoHead(nn.Module):
    """The task adds no layers: YOLO's prediction convolutions are part of the network."""

    def forward(self, *args: Any) -> None:
        raise RuntimeError("DetectionTask computes its outputs in forward(); the head is empty")


def scaled_anchors(config: YoloConfig, input_size: int) -> list[list[int]]:
    """The module's anchors (designed for 416 px inputs) scaled to another input size."""
    return [
        [max(2, round(w * input_size / 416)), max(2, round(h * input_size / 416))] for w, h in config.anchors
    ]


class DetectionTask(BasicTask):
    """Fine-tunes a YOLOv3 module's network on a detection data set; best model by dev mAP@0.5.

    ``anchors`` replaces the network's anchors (e.g. ``scaled_anchors(...)`` for small inputs);
    ``score_thresh`` is the floor for detections entering mAP and predict().
    """

    main_metric = "map"
    greater_is_better = True
    non_feature_keys = ("targets", "letterbox", "scale_to_original")

    def __init__(
        self,
        context: ModuleContext,
        reader: DetectionReader,
        config: RunConfig | None = None,
        *,
        module: dict[str, Any] | None = None,
        anchors: Sequence[Sequence[int]] | None = None,
        score_thresh: float = 0.01,
        augment: bool = True,
        iou_thresh: float = 0.45,
    ) -> None:
        super().__init__(context, reader, config, module=module)
        network = context.encoder
        if not isinstance(network, YOLOv3):
            raise HubcoreError(f"DetectionTask needs a YOLOv3 module's context, got {type(network).__name__}")
        if anchors is not None:
            if len(anchors) != len(network.config.anchors):
                raise HubcoreError(
                    f"{len(anchors)} anchors given; this network needs {len(network.config.anchors)}"
                )
            network.config = dataclasses.replace(network.config, anchors=tuple(tuple(a) for a in anchors))
        with torch.random.fork_rng(devices=[]):
            # Fresh prediction layers follow the run's seed, as BasicTask's heads do.
            torch.manual_seed(self.config.seed)
            adapt_to_classes(network, reader.label_list)
        self.network = network
        self.input_size = reader.input_size
        self.score_thresh = float(score_thresh)
        self.iou_thresh = float(iou_thresh)
        self.augment = bool(augment)
        self._generator = torch.Generator().manual_seed(self.config.seed)
        self.hparams = {
            "anchors": [list(a) for a in network.config.anchors],
            "score_thresh": self.score_thresh,
            "augment": self.augment,
            "iou_thresh": self.iou_thresh,
        }

    def build_head(self) -> nn.Module:
        return _NoHead()

    def forward(self, model: nn.Module, batch: dict[str, Any]) -> dict[str, Any]:
        if model.training and self.augment:
            batch = augment(batch, self._generator)
        raw = model.encoder(batch["pixel_values"])
        outputs: dict[str, Any] = yolo_loss(raw, batch["targets"], self.network.config, self.input_size)
        outputs["raw"] = raw
        return outputs

    def move_batch(self, batch: dict[str, Any], device: str) -> dict[str, Any]:
        moved = super().move_batch(batch, device)
        moved["targets"] = [t.to(device) for t in batch["targets"]]
        return moved

    def batch_predictions(self, outputs: dict[str, Any], batch: dict[str, Any]) -> list[Any]:
        found = detections(self.network, outputs["raw"], self.score_thresh, self.iou_thresh)
        if "letterbox" not in batch:
            return found
        mapped = []
        for (boxes, scores, classes), box, scale in zip(
            found, batch["letterbox"], batch["scale_to_original"], strict=True
        ):
            original = unletterbox(torch.from_numpy(boxes).reshape(-1, 4), box).numpy() * scale
            mapped.append((original, scores, classes))
        return mapped

    def batch_labels(self, batch: dict[str, Any]) -> list[Any]:
        return [(t[:, 1:].cpu().numpy(), t[:, 0].cpu().numpy().astype(int)) for t in batch["targets"]]

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        scores = mean_average_precision(predictions, labels, len(self.label_list))
        named = {"map": scores.pop("map")}
        for key, value in scores.items():
            named[f"ap_{self.label_list[int(key.split('/')[1])]}"] = value
        return named

    def encode_inputs(self, data: Sequence[Any]) -> list[dict[str, Any]]:
        return self.reader.encode_images(data)

    def postprocess(self, prediction: Any) -> list[dict[str, Any]]:
        boxes, scores, classes = prediction
        return [
            {
                "label": self.label_list[int(c)],
                "confidence": float(s),
                "left": float(b[0]),
                "top": float(b[1]),
                "right": float(b[2]),
                "bottom": float(b[3]),
            }
            for b, s, c in zip(np.asarray(boxes).reshape(-1, 4), scores, classes, strict=True)
        ]

    def best_model_meta(self, metrics: dict[str, float], phase: str) -> dict[str, Any]:
        """BasicTask's record plus the network's shape, so ``Module(..., directory=)`` can rebuild it."""
        meta = super().best_model_meta(metrics, phase)
        meta["yolo"] = {"input_size": self.input_size, **self.network.config.to_dict()}
        return meta
