"""The pieces of detection training that do not depend on the Fine-tune API's loop.

Encoding letterboxes an image and moves its boxes with it; augmentation flips and jitters
whole batches on tensors; ``adapt_to_classes`` swaps the prediction layers for a new label set
while keeping every other (pretrained) weight.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from hub_yolov3.boxes import decode_head, select_detections
from hub_yolov3.data import DetectionSample
from hub_yolov3.letterbox import letterbox, to_network
from hub_yolov3.model import ConvUnit, YOLOv3
from hubcore.images import load_path


def encode_sample(sample: DetectionSample, input_size: int) -> dict[str, Any]:
    """Network input and targets ``(N, 5)`` = class, x1, y1, x2, y2 in input pixels."""
    loaded = load_path(sample.image)
    pixels, box = letterbox(loaded.image, input_size)
    boxes = to_network(np.asarray(sample.boxes, np.float32).reshape(-1, 4) / loaded.scale_to_original, box)
    labels = np.asarray(sample.labels, np.float32).reshape(-1, 1)
    return {
        "pixel_values": torch.from_numpy(pixels),
        "targets": torch.from_numpy(np.concatenate([labels, boxes], axis=1)),
    }


def collate(features: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Images stacked; targets kept as a list, since images hold different numbers of boxes."""
    return {
        "pixel_values": torch.stack([f["pixel_values"] for f in features]),
        "targets": [f["targets"] for f in features],
    }


def augment(batch: dict[str, Any], generator: torch.Generator | None = None) -> dict[str, Any]:
    """Random horizontal flips and brightness/contrast jitter, boxes following the flips."""
    pixels = batch["pixel_values"].clone()
    size = pixels.shape[-1]
    targets = []
    for i, rows in enumerate(batch["targets"]):
        rows = rows.clone()
        if torch.rand((), generator=generator) < 0.5:
            pixels[i] = pixels[i].flip(-1)
            rows[:, [1, 3]] = size - rows[:, [3, 1]]
        gain = 0.75 + 0.5 * torch.rand((), generator=generator)
        shift = 0.1 * (torch.rand((), generator=generator) - 0.5)
        pixels[i] = ((pixels[i] - 0.5) * gain + 0.5 + shift).clamp(0, 1)
        targets.append(rows)
    return {**batch, "pixel_values": pixels, "targets": targets}


def detections(
    model: YOLOv3,
    outputs: list[torch.Tensor],
    score_thresh: float = 0.01,
    iou_thresh: float = 0.45,
    max_candidates: int = 300,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per image: kept boxes (input pixels), scores and classes, as NumPy arrays for metrics.

    The low threshold and candidate cap suit mAP, which needs the ranked tail but not all of it.
    """
    config = model.config
    rows = torch.cat(
        [
            decode_head(raw.detach(), config.head_anchors(i), config.strides[i], config.num_classes)
            for i, raw in enumerate(outputs)
        ],
        dim=1,
    )
    found = []
    for image_rows in rows:
        boxes, scores, classes = select_detections(image_rows, score_thresh, iou_thresh, max_candidates)
        found.append((boxes.cpu().numpy(), scores.cpu().numpy(), classes.cpu().numpy()))
    return found


def adapt_to_classes(model: YOLOv3, labels: Sequence[str]) -> YOLOv3:
    """Give ``model`` fresh prediction layers for ``labels`` unless it already predicts exactly them.

    The objectness bias starts low (most cells hold nothing), which steadies the first steps.
    """
    labels = tuple(labels)
    if model.config.labels == labels:
        return model
    config = dataclasses.replace(model.config, num_classes=len(labels), labels=labels)
    outputs = 3 * (5 + len(labels))
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, ConvUnit) and child.head:
                fresh = ConvUnit(child.conv.in_channels, outputs, 1, head=True)
                with torch.no_grad():
                    bias = fresh.conv.bias.view(3, 5 + len(labels))
                    bias[:, 4] = -4.0
                    bias[:, 5:] = -2.0
                setattr(module, name, fresh)
    model.config = config
    return model


def trainable_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
