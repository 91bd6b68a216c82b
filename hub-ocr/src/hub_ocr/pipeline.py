"""The OCR pipeline on one BGR image: resize limits, detection, crops, direction, recognition.

Every step follows PP-OCR's (as packaged by RapidOCR 1.4.4, whose config.yaml supplies the
numbers), so that boxes, strings and confidences equal the original's; the three networks are
the torch ports in this package.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field

# OpenMP threads that spin between parallel regions starve each other when the machine is busy:
# measured here on a loaded two-core machine, the classifier took 340 ms on 2 threads with
# spinning and 10 ms without.  OCR runs hundreds of small regions per image, so unless the user
# chose otherwise, let idle threads sleep.  This only works if torch is not imported yet.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import cv2
import numpy as np
import torch

from hub_ocr.ctc import ctc_decode
from hub_ocr.db_postprocess import DBSettings, boxes_from_probability, reading_order, tidy_boxes
from hub_ocr.weights import dictionary, load_network, pipeline_settings


@dataclass
class TextLine:
    """One recognised line: its box in the input image's pixels (float corners), text and confidence."""

    box: np.ndarray
    text: str
    confidence: float


@dataclass
class Timings:
    """Seconds spent in each network (and its pre/post-processing) over the calls made so far."""

    det: float = 0.0
    cls: float = 0.0
    rec: float = 0.0
    calls: dict[str, int] = field(default_factory=lambda: {"det": 0, "cls": 0, "rec": 0})


def _resize_to_multiple_of_32(image: np.ndarray, ratio: float) -> np.ndarray:
    height, width = image.shape[:2]
    new_h = int(round(int(height * ratio) / 32) * 32)
    new_w = int(round(int(width * ratio) / 32) * 32)
    return cv2.resize(image, (max(new_w, 32), max(new_h, 32)))


def _normalise(image: np.ndarray) -> np.ndarray:
    """uint8 HWC BGR to float32 CHW in [-1, 1], computed as PP-OCR does (float64 mean/std)."""
    scaled = (image.astype("float32") * (1 / 255.0) - np.array([0.5, 0.5, 0.5])) / np.array([0.5, 0.5, 0.5])
    return scaled.transpose(2, 0, 1).astype(np.float32)


def _line_tensor(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """A text line resized to ``height`` (width by aspect, at most ``width``), normalised, zero-padded."""
    h, w = image.shape[:2]
    resized_w = min(width, math.ceil(height * w / float(h)))
    resized = cv2.resize(image, (resized_w, height)).astype("float32").transpose(2, 0, 1) / 255
    resized -= 0.5
    resized /= 0.5
    padded = np.zeros((3, height, width), dtype=np.float32)
    padded[:, :, :resized_w] = resized
    return padded


def runtime_network(key: str) -> torch.nn.Module:
    """A network as the pipeline runs it: folded, and channels-last (oneDNN's depthwise
    convolutions run about twice as fast on NHWC data); feed it :func:`_nhwc` batches."""
    return load_network(key, fold=True).to(memory_format=torch.channels_last)


def _nhwc(batch: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(batch).contiguous(memory_format=torch.channels_last)


def crop_line(image: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The quadrilateral ``box`` warped to an upright rectangle; tall results are turned 90 degrees."""
    width = int(max(np.linalg.norm(box[0] - box[1]), np.linalg.norm(box[2] - box[3])))
    height = int(max(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2])))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(box.astype(np.float32), target)
    crop = cv2.warpPerspective(
        image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if crop.shape[0] * 1.0 / crop.shape[1] >= 1.5:
        crop = np.rot90(crop)
    return crop


class OCRPipeline:
    """Detection, direction classification and recognition with PP-OCR's pre- and post-processing."""

    def __init__(self) -> None:
        self.settings = pipeline_settings()
        self.detector = runtime_network("det")
        self.classifier = runtime_network("cls")
        self.recognizer = runtime_network("rec")
        self.alphabet = dictionary()
        self.timings = Timings()
        self.device = "cpu"

    def to(self, device: str) -> OCRPipeline:
        """Move the three networks to ``device`` ("cpu" or "cuda"); inputs follow, outputs come back."""
        if device != self.device:
            for name in ("detector", "classifier", "recognizer"):
                setattr(self, name, getattr(self, name).to(device))
            self.device = device
        return self

    def _run(self, network: torch.nn.Module, batch: np.ndarray) -> torch.Tensor:
        return network(_nhwc(batch).to(self.device)).cpu()

    # -- image-level geometry ------------------------------------------------------------------

    def _limit_sides(self, image: np.ndarray) -> tuple[np.ndarray, float, float]:
        """Shrink past max_side_len, grow below min_side_len; returns the factors back to the input."""
        glob = self.settings["Global"]
        height, width = image.shape[:2]
        if max(height, width) > glob["max_side_len"]:
            image = _resize_to_multiple_of_32(image, glob["max_side_len"] / max(height, width))
        if min(image.shape[:2]) < glob["min_side_len"]:
            image = _resize_to_multiple_of_32(image, glob["min_side_len"] / min(image.shape[:2]))
        return image, height / image.shape[0], width / image.shape[1]

    def _letterbox_height(self, image: np.ndarray) -> int:
        """Rows of black added above and below a very flat or very low image before detection."""
        glob = self.settings["Global"]
        height, width = image.shape[:2]
        ratio = glob["width_height_ratio"]
        too_wide = ratio != -1 and width / height > ratio
        if height <= glob["min_height"] or too_wide:
            new_height = max(int(width / ratio), glob["min_height"]) * 2
            return int(abs(new_height - height) / 2)
        return 0

    # -- the three stages --------------------------------------------------------------------

    @torch.inference_mode()
    def detect(self, image: np.ndarray, box_thresh: float) -> list[np.ndarray]:
        """Text boxes (4 x 2 float32 corners, reading order) in ``image``'s pixels."""
        start = time.perf_counter()
        det = self.settings["Det"]
        height, width = image.shape[:2]
        limit = det["limit_side_len"]
        if det["limit_type"] == "min":
            ratio = limit / min(height, width) if min(height, width) < limit else 1.0
        else:
            ratio = limit / max(height, width) if max(height, width) > limit else 1.0
        resized = _resize_to_multiple_of_32(image, ratio)
        probability = self._run(self.detector, _normalise(resized)[None])[0, 0].contiguous().numpy()
        settings = DBSettings(
            thresh=det["thresh"], box_thresh=box_thresh, max_candidates=det["max_candidates"],
            unclip_ratio=det["unclip_ratio"], use_dilation=det["use_dilation"], score_mode=det["score_mode"],
        )  # fmt: skip
        boxes = boxes_from_probability(probability, height, width, settings)
        ordered = reading_order(tidy_boxes(boxes, height, width))
        self.timings.det += time.perf_counter() - start
        self.timings.calls["det"] += 1
        return ordered

    @torch.inference_mode()
    def classify(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """(label, score) per crop; crops judged upside down (score above cls_thresh) are turned in place."""
        start = time.perf_counter()
        cls = self.settings["Cls"]
        _, height, width = cls["cls_image_shape"]
        order = np.argsort(np.array([c.shape[1] / float(c.shape[0]) for c in crops]))
        results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for begin in range(0, len(crops), cls["cls_batch_num"]):
            chosen = order[begin : begin + cls["cls_batch_num"]]
            batch = np.stack([_line_tensor(crops[i], height, width) for i in chosen])
            probabilities = self._run(self.classifier, batch).numpy()
            for index, row in zip(chosen, probabilities, strict=True):
                best = int(row.argmax())
                label, score = cls["label_list"][best], float(row[best])
                results[index] = (label, score)
                if "180" in label and score > cls["cls_thresh"]:
                    crops[index] = cv2.rotate(crops[index], cv2.ROTATE_180)
        self.timings.cls += time.perf_counter() - start
        self.timings.calls["cls"] += 1
        return results

    @torch.inference_mode()
    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """(text, mean character confidence) per crop, batched by aspect ratio as PP-OCR batches them."""
        start = time.perf_counter()
        rec = self.settings["Rec"]
        _, height, width = rec["rec_img_shape"]
        ratios = np.array([c.shape[1] / float(c.shape[0]) for c in crops])
        order = np.argsort(ratios)
        results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for begin in range(0, len(crops), rec["rec_batch_num"]):
            chosen = order[begin : begin + rec["rec_batch_num"]]
            widest = max(width / height, *(crops[i].shape[1] / crops[i].shape[0] for i in chosen))
            batch_width = int(height * widest)
            batch = np.stack([_line_tensor(crops[i], height, batch_width) for i in chosen])
            probabilities = self._run(self.recognizer, batch).contiguous().numpy()
            for index, decoded in zip(chosen, ctc_decode(probabilities, self.alphabet), strict=True):
                results[index] = decoded
        self.timings.rec += time.perf_counter() - start
        self.timings.calls["rec"] += 1
        return results

    # -- all together ----------------------------------------------------------------------------

    def __call__(
        self,
        bgr: np.ndarray,
        box_thresh: float | None = None,
        text_thresh: float | None = None,
        angle_classification: bool = True,
    ) -> list[TextLine]:
        """Recognised lines of an HxWx3 uint8 BGR image, boxes in its pixels.

        Lines recognised with a mean confidence below ``text_thresh`` are dropped.
        """
        box_thresh = self.settings["Det"]["box_thresh"] if box_thresh is None else box_thresh
        text_thresh = self.settings["Global"]["text_score"] if text_thresh is None else text_thresh
        raw_height, raw_width = bgr.shape[:2]
        image, ratio_h, ratio_w = self._limit_sides(bgr)
        pad = self._letterbox_height(image)
        if pad:
            image = cv2.copyMakeBorder(image, pad, pad, 0, 0, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        boxes = self.detect(image, box_thresh)
        if not boxes:
            return []
        crops = [crop_line(image, box) for box in boxes]
        if angle_classification:
            self.classify(crops)
        recognised = self.recognise(crops)
        lines = []
        for box, (text, confidence) in zip(boxes, recognised, strict=True):
            if confidence < text_thresh:
                continue
            original = box.copy()
            original[:, 1] -= pad
            original[:, 0] *= ratio_w
            original[:, 1] *= ratio_h
            original = np.clip(original, 0, None)
            original[:, 0] = np.minimum(original[:, 0], raw_width)
            original[:, 1] = np.minimum(original[:, 1], raw_height)
            lines.append(TextLine(original, text, confidence))
        return lines
