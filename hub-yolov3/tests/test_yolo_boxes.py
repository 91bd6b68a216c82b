"""Letterboxing, anchor decoding, IoU, NMS and mAP against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hub_yolov3.boxes import batched_nms, box_iou, decode_head, nms, select_detections
from hub_yolov3.metrics import average_precision, mean_average_precision


def test_decode_head_by_hand() -> None:
    # One image, 2 anchors, 1 class, a 2 x 3 grid (H=2, W=3), stride 8.
    anchors = ((10, 20), (30, 40))
    raw = torch.zeros(1, 2 * 6, 2, 3)
    p = raw.view(1, 2, 6, 2, 3)
    # anchor 1, row 1, column 2: tx = ln 3 -> sigmoid 0.75; ty = -ln 3 -> 0.25; tw = ln 2; th = 0
    p[0, 1, 0, 1, 2] = math.log(3)
    p[0, 1, 1, 1, 2] = -math.log(3)
    p[0, 1, 2, 1, 2] = math.log(2)
    p[0, 1, 4, 1, 2] = math.log(4)  # objectness 0.8
    p[0, 1, 5, 1, 2] = -math.log(4)  # class 0.2
    rows = decode_head(raw, anchors, stride=8, num_classes=1)
    assert rows.shape == (1, 2 * 2 * 3, 6)
    # Row order: anchor, then row, then column.
    row = rows[0, 1 * 6 + 1 * 3 + 2]
    cx, cy, w, h = (0.75 + 2) * 8, (0.25 + 1) * 8, 30 * 2, 40
    expected = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, 0.8, 0.2]
    assert row.tolist() == pytest.approx(expected, abs=1e-5)
    # A zero output: the cell centre and the anchor's own size, scores one half.
    first = rows[0, 0]
    assert first.tolist() == pytest.approx([4 - 5, 4 - 10, 4 + 5, 4 + 10, 0.5, 0.5], abs=1e-6)


def test_box_iou_by_hand() -> None:
    a = torch.tensor([[0.0, 0, 10, 10]])
    b = torch.tensor([[5.0, 5, 15, 15], [0, 0, 10, 10], [20, 20, 30, 30], [0, 0, 5, 10]])
    assert box_iou(a, b)[0].tolist() == pytest.approx([25 / 175, 1.0, 0.0, 0.5])


def test_nms_by_hand() -> None:
    boxes = torch.tensor(
        [
            [0.0, 0, 10, 10],  # 0.9: kept
            [1.0, 1, 11, 11],  # 0.8: IoU 81/119 = 0.68 with box 0, dropped
            [20.0, 20, 30, 30],  # 0.7: alone, kept
            [0.0, 0, 10, 6],  # 0.95: kept first; box 0 overlaps it 60/100 = 0.6, so box 0 is dropped
        ]
    )
    scores = torch.tensor([0.9, 0.8, 0.7, 0.95])
    assert nms(boxes, scores, 0.5).tolist() == [3, 1, 2]
    # With a looser threshold of 0.65, box 0 survives box 3 (0.6) and suppresses box 1 (0.68).
    assert nms(boxes, scores, 0.65).tolist() == [3, 0, 2]
    assert nms(torch.zeros(0, 4), torch.zeros(0), 0.5).tolist() == []


def test_nms_is_class_wise() -> None:
    boxes = torch.tensor([[0.0, 0, 10, 10], [0.0, 0, 10, 10], [0.5, 0, 10, 10]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    classes = torch.tensor([0, 1, 0])
    # Identical boxes of different classes both stay; the same-class near-copy goes.
    assert batched_nms(boxes, scores, classes, 0.5).tolist() == [0, 1]


def test_select_detections_scores_are_objectness_times_class() -> None:
    rows = torch.tensor(
        [
            [0.0, 0, 10, 10, 0.9, 0.9, 0.1],  # class 0 at 0.81
            [50.0, 50, 60, 60, 0.5, 0.2, 0.8],  # class 1 at 0.40
            [80.0, 80, 90, 90, 0.3, 0.5, 0.5],  # 0.15: under the threshold
        ]
    )
    boxes, scores, classes = select_detections(rows, score_thresh=0.3)
    assert scores.tolist() == pytest.approx([0.81, 0.40])
    assert classes.tolist() == [0, 1]
    assert boxes.tolist() == [[0, 0, 10, 10], [50, 50, 60, 60]]


def test_average_precision_by_hand() -> None:
    # Hits at ranks 1 and 3 of 3 detections, 2 true boxes: recall 0.5 at precision 1, 1.0 at 2/3.
    assert average_precision(np.array([0.5, 0.5, 1.0]), np.array([1.0, 0.5, 2 / 3])) == pytest.approx(
        0.5 + 0.5 * 2 / 3
    )


def test_map_by_hand() -> None:
    truths = [
        (np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), np.array([0, 1])),
        (np.array([[0, 0, 10, 10]]), np.array([0])),
    ]
    predictions = [
        (
            np.array([[0, 0, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30]]),
            np.array([0.9, 0.8, 0.6]),
            np.array([0, 0, 1]),
        ),
        (np.array([[50, 50, 60, 60], [1, 0, 10, 10]]), np.array([0.95, 0.5]), np.array([0, 0])),
    ]
    # Class 0 ranked: 0.95 miss, 0.9 hit, 0.8 duplicate (miss), 0.5 hit (IoU 0.9): 2 true boxes.
    # Precision envelope: 2/4 carries recall 0.5 -> 1.0, and max(1/2, 2/4) before it.
    ap0 = 0.5 * 0.5 + 0.5 * 0.5
    result = mean_average_precision(predictions, truths, num_classes=3)
    assert result["ap/0"] == pytest.approx(ap0)
    assert result["ap/1"] == pytest.approx(1.0)
    assert "ap/2" not in result  # no true boxes of class 2: not averaged
    assert result["map"] == pytest.approx((ap0 + 1.0) / 2)
