"""Mean average precision at one IoU threshold, the Pascal VOC way (all-point interpolation)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _iou_one_to_many(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    top_left = np.maximum(box[:2], boxes[:, :2])
    bottom_right = np.minimum(box[2:], boxes[:, 2:])
    inter = np.clip(bottom_right - top_left, 0, None).prod(axis=1)
    area = (box[2:] - box[:2]).prod()
    areas = (boxes[:, 2:] - boxes[:, :2]).prod(axis=1)
    return inter / np.maximum(area + areas - inter, 1e-12)


def average_precision(recall: np.ndarray, precision: np.ndarray) -> float:
    """Area under the precision envelope (precision made monotone from the right)."""
    r = np.concatenate([[0.0], recall, [1.0]])
    p = np.concatenate([[0.0], precision, [0.0]])
    p = np.maximum.accumulate(p[::-1])[::-1]
    steps = np.nonzero(r[1:] != r[:-1])[0]
    return float(np.sum((r[steps + 1] - r[steps]) * p[steps + 1]))


def mean_average_precision(
    predictions: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
    truths: Sequence[tuple[np.ndarray, np.ndarray]],
    num_classes: int,
    iou_thresh: float = 0.5,
) -> dict[str, float]:
    """``{"map": ..., "ap/<class>": ...}`` over the classes that have at least one true box.

    ``predictions[i]`` is ``(boxes (N, 4), scores (N,), classes (N,))`` for image ``i`` and
    ``truths[i]`` is ``(boxes (M, 4), classes (M,))``.  A prediction is a hit when it overlaps
    its best-overlapping true box of its class by at least ``iou_thresh``
    and that box was not found already, best scores first.
    """
    if len(predictions) != len(truths):
        raise ValueError(f"{len(predictions)} predictions for {len(truths)} images")
    result: dict[str, float] = {}
    aps = []
    for c in range(num_classes):
        gt = {i: np.asarray(b, float)[np.asarray(k) == c] for i, (b, k) in enumerate(truths)}
        n_true = sum(len(v) for v in gt.values())
        if n_true == 0:
            continue
        found = []
        for i, (boxes, scores, classes) in enumerate(predictions):
            mask = np.asarray(classes) == c
            found += [
                (float(s), i, np.asarray(b, float))
                for b, s in zip(np.asarray(boxes)[mask], np.asarray(scores)[mask], strict=True)
            ]
        found.sort(key=lambda item: -item[0])
        matched = {i: np.zeros(len(v), bool) for i, v in gt.items()}
        hits = np.zeros(len(found))
        for n, (_, i, box) in enumerate(found):
            if len(gt[i]) == 0:
                continue
            ious = _iou_one_to_many(box, gt[i])
            best = int(np.argmax(ious))
            # VOC: a second detection of an already found box is a false positive.
            if ious[best] >= iou_thresh and not matched[i][best]:
                matched[i][best] = True
                hits[n] = 1.0
        true_pos = np.cumsum(hits)
        recall = true_pos / n_true
        precision = true_pos / np.arange(1, len(found) + 1)
        ap = average_precision(recall, precision) if found else 0.0
        result[f"ap/{c}"] = ap
        aps.append(ap)
    result["map"] = float(np.mean(aps)) if aps else 0.0
    return result
