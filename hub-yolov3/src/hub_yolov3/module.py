"""The hub modules ``yolov3`` and ``yolov3_tiny``: weights in, ``object_detection`` out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hub_yolov3.boxes import decode_head, select_detections
from hub_yolov3.checkpoint import CheckpointError, load_checkpoint, load_state, read_config
from hub_yolov3.darknet_weights import DarknetWeightsError, load_darknet_weights
from hub_yolov3.inference import InferenceNetwork
from hub_yolov3.letterbox import letterbox, unletterbox
from hub_yolov3.model import COCO_ANCHORS, TINY_ANCHORS, YoloConfig, YOLOv3
from hub_yolov3.visualize import draw_detections
from hubcore.devices import resolve_device
from hubcore.images import (
    DEFAULT_MAX_PIXELS,
    ImageInputError,
    LoadedImage,
    load_array,
    load_path,
    save_atomically,
    unique_name,
)

INPUT_SIZES = (320, 416, 608)


def coco_labels() -> tuple[str, ...]:
    """The 80 COCO class names in the order of the Darknet COCO models' outputs."""
    text = resources.files("hub_yolov3").joinpath("coco_labels.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _hub_error(message: str) -> Exception:
    from hubcore import HubcoreError

    return HubcoreError(message)


class YOLOv3Detector:
    """YOLOv3 as a hub module.

    Weights come from, in order: ``directory`` (a checkpoint of our own training),
    ``weights`` (a Darknet ``.weights`` file, or ``.safetensors`` beside a ``yolo.json``),
    the module's asset through the hub cache, or nowhere when ``pretrained=False``
    (random weights, for timing, tests and training from scratch; ``width`` then scales
    every layer's channels, 1.0 being the published network).
    """

    module_name = "yolov3"
    arch = "darknet53"

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        weights: str | os.PathLike[str] | None = None,
        input_size: int | None = None,
        pretrained: bool = True,
        width: float = 1.0,
        iou_thresh: float = 0.45,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.iou_thresh = iou_thresh
        self.max_pixels = max_pixels
        trained_size = 416
        try:
            if directory is not None:
                self.model, trained_size = load_checkpoint(directory)
            elif weights is not None:
                self.model, trained_size = self._from_weights(Path(weights))
            else:
                if pretrained and width != 1.0:
                    raise _hub_error(
                        "width other than 1.0 needs pretrained=False: the published weights are full width"
                    )
                self.model = YOLOv3(self._coco_config(width))
                if pretrained:
                    load_darknet_weights(self.model, self._fetch_asset())
        except (CheckpointError, DarknetWeightsError) as exc:
            raise _hub_error(str(exc)) from None
        self.model.eval()
        self._inference = InferenceNetwork(self.model)
        self.input_size = int(input_size or trained_size)
        if self.input_size % 32 or self.input_size < 64:
            raise _hub_error(
                f"input_size {self.input_size} must be a multiple of 32, at least 64 (e.g. 320/416/608)"
            )
        config = self.model.config
        self.labels = config.labels or tuple(f"class_{i}" for i in range(config.num_classes))

    def _coco_config(self, width: float = 1.0) -> YoloConfig:
        anchors = COCO_ANCHORS if self.arch == "darknet53" else TINY_ANCHORS
        return YoloConfig(arch=self.arch, num_classes=80, anchors=anchors, width=width, labels=coco_labels())

    def _from_weights(self, path: Path) -> tuple[YOLOv3, int]:
        if not path.is_file():
            raise CheckpointError(f"{path}: no such weights file")
        if path.suffix == ".safetensors":
            config, size = read_config(path.parent)
            model = YOLOv3(config)
            load_state(model, path)
            return model, size
        model = YOLOv3(self._coco_config())
        load_darknet_weights(model, path)
        return model, 416

    def _fetch_asset(self) -> Path:
        from hub_yolov3.plugin import YOLOV3_TINY_WEIGHTS, YOLOV3_WEIGHTS
        from hubcore.hub import DownloadError, OfflineError, module_asset

        asset = YOLOV3_WEIGHTS if self.arch == "darknet53" else YOLOV3_TINY_WEIGHTS
        try:
            return Path(module_asset(self.module_name, asset.name))
        except (DownloadError, OfflineError) as exc:
            raise _hub_error(
                f"{exc}. Or fetch {asset.name} ({asset.size:,} bytes, md5 {asset.md5}) from {asset.urls[0]} "
                "yourself and pass weights=PATH (--weights PATH)"
            ) from None

    # -- inference ---------------------------------------------------------------------------

    @torch.inference_mode()
    def predict_batch(self, images: Sequence[Any], score_thresh: float) -> list[list[dict[str, Any]]]:
        """Detections for already-loaded RGB Pillow images, in original pixel coordinates."""
        arrays, boxes = zip(*(letterbox(im, self.input_size) for im in images), strict=True)
        device = next(self.model.parameters()).device
        batch = torch.from_numpy(np.stack(arrays)).to(device)
        config = self.model.config
        # on the CPU, the folded (oneDNN-fused where it works) copy; elsewhere the model itself
        heads = self._inference(batch) if device.type == "cpu" else self.model(batch)
        outputs = [out.float().cpu() for out in heads]  # decoding stays on the CPU
        rows = torch.cat(
            [
                decode_head(raw, config.head_anchors(i), config.strides[i], config.num_classes)
                for i, raw in enumerate(outputs)
            ],
            dim=1,
        )
        results = []
        for image_rows, box in zip(rows, boxes, strict=True):
            kept, scores, classes = select_detections(image_rows, score_thresh, self.iou_thresh)
            kept = unletterbox(kept, box)
            results.append(
                [
                    {
                        "label": self.labels[int(c)],
                        "confidence": round(float(s), 6),
                        "left": round(float(b[0]), 2),
                        "top": round(float(b[1]), 2),
                        "right": round(float(b[2]), 2),
                        "bottom": round(float(b[3]), 2),
                    }
                    for b, s, c in zip(kept.tolist(), scores.tolist(), classes.tolist(), strict=True)
                ]
            )
        return results

    def object_detection(
        self,
        paths: Sequence[str | os.PathLike[str]] | None = None,
        images: Sequence[np.ndarray] | None = None,
        batch_size: int = 1,
        use_gpu: bool = False,
        score_thresh: float = 0.5,
        visualization: bool = True,
        output_dir: str | os.PathLike[str] = "detection_result",
        *,
        used_names: set[str] | None = None,
    ) -> list[dict[str, Any]]:
        """One result per input, paths first then arrays, in order.

        ``use_gpu=True`` (PaddleHub's) runs the network on CUDA, or fails before any image is
        read when there is none.

        Each is ``{"data": [{"label", "confidence", "left", "top", "right", "bottom"}], "save_path"}``
        (plus ``"path"`` for files); an input that cannot be used gets ``"error"`` and empty data,
        and the others are still processed.  Arrays are HxWx3 RGB (or HxW grey, HxWx4 RGBA).
        ``used_names`` (added to) holds picture names earlier calls took: a caller splitting a long
        list over several calls gets the names one call would give.
        """
        device = resolve_device(use_gpu, owner=f"{self.module_name}.object_detection")
        if paths is None and images is None:
            raise _hub_error("object_detection needs paths=[...] or images=[...]")
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        if isinstance(images, np.ndarray):
            images = [images]
        if batch_size < 1:
            raise _hub_error(f"batch_size must be at least 1, got {batch_size}")
        if not 0.0 <= score_thresh <= 1.0:
            raise _hub_error(f"score_thresh must lie in [0, 1], got {score_thresh}")
        inputs: list[tuple[str, Any, bool]] = [(str(p), p, True) for p in (paths or [])]
        inputs += [(f"images[{i}]", a, False) for i, a in enumerate(images or [])]

        results: list[dict[str, Any]] = []
        loaded: list[tuple[int, LoadedImage, str]] = []
        for name, source, is_path in inputs:
            result: dict[str, Any] = {"data": [], "save_path": None}
            if is_path:
                result["path"] = name
            try:
                image = (
                    load_path(source, self.max_pixels)
                    if is_path
                    else load_array(source, name, self.max_pixels)
                )
                loaded.append(
                    (len(results), image, Path(name).stem if is_path else f"image_numpy_{name[7:-1]}")
                )
            except ImageInputError as exc:
                result["error"] = str(exc)
            results.append(result)

        self.model.to(device)
        used_names = set() if used_names is None else used_names
        for start in range(0, len(loaded), batch_size):
            chunk = loaded[start : start + batch_size]
            found = self.predict_batch([item.image for _, item, _ in chunk], score_thresh)
            for (index, item, stem), detections in zip(chunk, found, strict=True):
                for det in detections:
                    if item.scale_to_original != 1.0:
                        for key in ("left", "top", "right", "bottom"):
                            det[key] = round(det[key] * item.scale_to_original, 2)
                results[index]["data"] = detections
                if visualization:
                    picture = draw_detections(item.image, detections, item.scale_to_original)
                    target = Path(output_dir) / unique_name(stem, used_names)
                    try:
                        results[index]["save_path"] = str(save_atomically(picture, target))
                    except OSError as exc:
                        results[index]["error"] = f"{target}: could not save the visualisation ({exc})"
        return results

    def context(self, trainable: bool = True) -> Any:
        """The network for fine-tuning, in the Fine-tune API's ModuleContext shape."""
        from hubcore.finetune import ModuleContext

        for p in self.model.parameters():
            p.requires_grad_(trainable)
        # How load_task() rebuilds the network: a bare one of the same shape; the saved weights follow.
        record = {"name": self.module_name, "kwargs": {"pretrained": False, "width": self.model.config.width}}
        return ModuleContext(
            encoder=self.model,
            tokenizer=None,
            sentence_dim=0,
            token_dim=0,
            extra={"config": self.model.config, "input_size": self.input_size, "module": record},
        )


class YOLOv3TinyDetector(YOLOv3Detector):
    """YOLOv3-tiny: two heads on a seven-convolution backbone, about 7x cheaper than Darknet-53."""

    module_name = "yolov3_tiny"
    arch = "tiny"
