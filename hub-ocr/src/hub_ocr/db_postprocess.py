"""From the DB probability map to quadrilateral text boxes: binarise, contours, score, unclip.

OpenCV does the contour and rectangle geometry and pyclipper the polygon offset, as in PaddleOCR
and RapidOCR: boxes that must equal theirs to the pixel need the same geometry code.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pyclipper
from shapely.geometry import Polygon

MIN_SIDE = 3  # a candidate whose rotated rectangle is thinner than this is noise


@dataclass
class DBSettings:
    """The DB post-processing knobs of config.yaml's ``Det`` section."""

    thresh: float = 0.3
    box_thresh: float = 0.5
    max_candidates: int = 1000
    unclip_ratio: float = 1.6
    use_dilation: bool = True
    score_mode: str = "fast"


def boxes_from_probability(
    probability: np.ndarray, source_height: int, source_width: int, settings: DBSettings
) -> np.ndarray:
    """(N, 4, 2) int32 corner points in the source image's pixels, from an (H, W) probability map."""
    bitmap = (probability > settings.thresh).astype(np.uint8)
    if settings.use_dilation:
        bitmap = cv2.dilate(bitmap, np.ones((2, 2), dtype=np.uint8))
    height, width = bitmap.shape
    contours, _ = cv2.findContours(bitmap * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for contour in contours[: settings.max_candidates]:
        points, short_side = minimum_box(contour)
        if short_side < MIN_SIDE:
            continue
        if settings.score_mode == "fast":
            score = mean_inside(probability, points.reshape(-1, 2))
        else:
            score = mean_inside(probability, contour.reshape(-1, 2))
        if score < settings.box_thresh:
            continue
        expanded, short_side = minimum_box(unclip(points, settings.unclip_ratio))
        if short_side < MIN_SIDE + 2:
            continue
        expanded[:, 0] = np.clip(np.round(expanded[:, 0] / width * source_width), 0, source_width)
        expanded[:, 1] = np.clip(np.round(expanded[:, 1] / height * source_height), 0, source_height)
        boxes.append(expanded.astype(np.int32))
    return np.array(boxes, dtype=np.int32).reshape(-1, 4, 2)


def minimum_box(contour: np.ndarray) -> tuple[np.ndarray, float]:
    """The minimum-area rectangle's corners (left pair then right pair, each top first) and short side."""
    rectangle = cv2.minAreaRect(contour)
    points = sorted(cv2.boxPoints(rectangle), key=lambda p: p[0])
    left_top, left_bottom = (0, 1) if points[1][1] > points[0][1] else (1, 0)
    right_top, right_bottom = (2, 3) if points[3][1] > points[2][1] else (3, 2)
    box = np.array([points[left_top], points[right_top], points[right_bottom], points[left_bottom]])
    return box, min(rectangle[1])


def mean_inside(probability: np.ndarray, polygon: np.ndarray) -> float:
    """Mean probability inside a polygon, over its bounding window (DB's box score)."""
    height, width = probability.shape
    polygon = polygon.copy()
    x0 = int(np.clip(np.floor(polygon[:, 0].min()), 0, width - 1))
    x1 = int(np.clip(np.ceil(polygon[:, 0].max()), 0, width - 1))
    y0 = int(np.clip(np.floor(polygon[:, 1].min()), 0, height - 1))
    y1 = int(np.clip(np.ceil(polygon[:, 1].max()), 0, height - 1))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    polygon[:, 0] = polygon[:, 0] - x0
    polygon[:, 1] = polygon[:, 1] - y0
    cv2.fillPoly(mask, polygon.reshape(1, -1, 2).astype(np.int32), 1)
    return float(cv2.mean(probability[y0 : y1 + 1, x0 : x1 + 1], mask)[0])


def unclip(box: np.ndarray, ratio: float) -> np.ndarray:
    """Grow the shrunk text kernel back: offset by area * ratio / perimeter (DB's unclip)."""
    polygon = Polygon(box)
    distance = polygon.area * ratio / polygon.length
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(box, pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return np.array(offset.Execute(distance)).reshape((-1, 1, 2))


def order_clockwise(points: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left by x then y, as imutils orders a quadrilateral."""
    by_x = points[np.argsort(points[:, 0]), :]
    left, right = by_x[:2, :], by_x[2:, :]
    top_left, bottom_left = left[np.argsort(left[:, 1]), :]
    top_right, bottom_right = right[np.argsort(right[:, 1]), :]
    return np.array([top_left, top_right, bottom_right, bottom_left], dtype=np.float32)


def tidy_boxes(boxes: np.ndarray, height: int, width: int) -> list[np.ndarray]:
    """Order each box's corners, clip them into the image, and drop boxes 3 pixels or less across."""
    kept = []
    for box in boxes:
        box = order_clockwise(box)
        box[:, 0] = np.floor(np.clip(box[:, 0], 0, width - 1))
        box[:, 1] = np.floor(np.clip(box[:, 1], 0, height - 1))
        if int(np.linalg.norm(box[0] - box[1])) <= 3 or int(np.linalg.norm(box[0] - box[3])) <= 3:
            continue
        kept.append(box)
    return kept


def reading_order(boxes: list[np.ndarray]) -> list[np.ndarray]:
    """Top to bottom, then left to right among boxes whose tops lie within 10 pixels of each other."""
    ordered = sorted(boxes, key=lambda b: (b[0][1], b[0][0]))
    for i in range(len(ordered) - 1):
        for j in range(i, -1, -1):
            if abs(ordered[j + 1][0][1] - ordered[j][0][1]) < 10 and ordered[j + 1][0][0] < ordered[j][0][0]:
                ordered[j], ordered[j + 1] = ordered[j + 1], ordered[j]
            else:
                break
    return ordered
