"""The hub module ``chinese_ocr``: PaddleHub's ``recognize_text`` on the PP-OCRv4 pipeline."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hub_ocr.pipeline import OCRPipeline
from hub_ocr.visualize import draw_results
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

NETWORKS = {
    "detection": "PP-OCRv4 mobile DB text detector (ch_PP-OCRv4_det, PP-LCNetV3 x0.75 + RSE-FPN)",
    "direction": "PP-OCR mobile v2.0 direction classifier (ch_ppocr_mobile_v2.0_cls, MobileNetV3-small)",
    "recognition": "PP-OCRv4 mobile SVTR-LCNet recogniser (ch_PP-OCRv4_rec, 6,623-character dictionary)",
}


def _hub_error(message: str) -> Exception:
    from hubcore import HubcoreError

    return HubcoreError(message)


def _check_threshold(name: str, value: float) -> None:
    if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise _hub_error(f"{name} must be a number in [0, 1], got {value!r}")


class ChineseOCR:
    """Chinese and English text detection and recognition (PaddleOCR PP-OCRv4 mobile, in torch).

    PaddleHub's ``chinese_ocr_db_crnn_mobile`` interface: ``recognize_text(images=..., paths=...)``.
    """

    module_name = "chinese_ocr"
    networks = NETWORKS

    def __init__(self, max_pixels: int = DEFAULT_MAX_PIXELS, threads: int | None = None) -> None:
        if threads is not None:
            import torch

            torch.set_num_threads(threads)
        self.max_pixels = max_pixels
        self.pipeline = OCRPipeline()

    def recognize_text(
        self,
        images: Sequence[np.ndarray] | None = None,
        paths: Sequence[str | os.PathLike[str]] | None = None,
        use_gpu: bool = False,
        output_dir: str | os.PathLike[str] = "ocr_result",
        visualization: bool = False,
        box_thresh: float = 0.5,
        text_thresh: float = 0.5,
        angle_classification: bool = True,
        *,
        used_names: set[str] | None = None,
    ) -> list[dict[str, Any]]:
        """One result per input, arrays first then paths (PaddleHub's order).

        Each is ``{"save_path", "data": [{"text", "confidence", "text_box_position"}]}``, the
        box as four [x, y] integer corners (top-left, top-right, bottom-right, bottom-left) in
        the input's pixels; ``"path"`` is added for files.  Arrays are HxWx3 BGR as PaddleHub
        took them (cv2.imread).  An input that cannot be used gets ``"error"`` and empty data,
        and the others are still processed; an image without text gets empty data.
        ``use_gpu=True`` runs the three networks on CUDA, or fails before any work when there is none.
        ``used_names`` (added to) holds picture names earlier calls took: a caller splitting a long
        list over several calls gets the names one call would give.
        """
        device = resolve_device(use_gpu, owner="chinese_ocr.recognize_text")
        if images is None and paths is None:
            raise _hub_error("recognize_text needs images=[...] or paths=[...]")
        _check_threshold("box_thresh", box_thresh)
        _check_threshold("text_thresh", text_thresh)
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        if isinstance(images, np.ndarray):
            images = [images]
        inputs: list[tuple[str, Any, bool]] = [(f"images[{i}]", a, False) for i, a in enumerate(images or [])]
        inputs += [(str(p), p, True) for p in (paths or [])]

        self.pipeline.to(device)
        results: list[dict[str, Any]] = []
        used_names = set() if used_names is None else used_names
        for name, source, is_path in inputs:
            result: dict[str, Any] = {"save_path": "", "data": []}
            if is_path:
                result["path"] = name
            results.append(result)
            try:
                loaded = self._load(source, name, is_path)
            except ImageInputError as exc:
                result["error"] = str(exc)
                continue
            bgr = np.ascontiguousarray(np.asarray(loaded.image)[:, :, ::-1])
            lines = self.pipeline(bgr, box_thresh, text_thresh, angle_classification)
            scale = loaded.scale_to_original
            result["data"] = [
                {
                    "text": line.text,
                    "confidence": float(line.confidence),
                    "text_box_position": (line.box * scale).astype(np.int64).tolist(),
                }
                for line in lines
            ]
            if visualization:
                stem = Path(name).stem if is_path else f"image_numpy_{name[7:-1]}"
                shown = [{**d, "text_box_position": (np.array(d["text_box_position"]) / scale).tolist()}
                         for d in result["data"]]  # fmt: skip
                target = Path(output_dir) / unique_name(stem, used_names)
                try:
                    result["save_path"] = str(save_atomically(draw_results(loaded.image, shown), target))
                except OSError as exc:
                    result["error"] = f"{target}: could not save the visualisation ({exc})"
        return results

    def _load(self, source: Any, name: str, is_path: bool) -> LoadedImage:
        if is_path:
            return load_path(source, self.max_pixels)
        if isinstance(source, np.ndarray) and source.ndim == 3 and source.shape[2] in (3, 4):
            # PaddleHub's arrays are BGR (or BGRA); the shared loader takes RGB (or RGBA)
            source = source[:, :, [2, 1, 0, 3][: source.shape[2]]]
        return load_array(source, name, self.max_pixels)
