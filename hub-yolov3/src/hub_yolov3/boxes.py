"""Geometry of detection: anchor decoding, IoU and class-wise non-maximum suppression.

Boxes are ``(x1, y1, x2, y2)`` in pixels throughout.
"""

from __future__ import annotations

import torch


def grid_offsets(
    height: int, width: int, device: torch.device | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Column and row index of every cell, shaped ``(1, 1, H, W)``."""
    ys, xs = torch.meshgrid(
        torch.arange(height, device=device, dtype=torch.float32),
        torch.arange(width, device=device, dtype=torch.float32),
        indexing="ij",
    )
    return xs.view(1, 1, height, width), ys.view(1, 1, height, width)


def decode_head(
    raw: torch.Tensor, anchors: tuple[tuple[int, int], ...], stride: int, num_classes: int
) -> torch.Tensor:
    """One head's ``(B, A*(5+C), H, W)`` output to ``(B, A*H*W, 5+C)`` rows of box, objectness, class scores.

    Centre = (sigmoid(t) + cell) * stride; size = anchor * exp(t); scores are sigmoids.
    """
    batch, _, height, width = raw.shape
    n_anchors = len(anchors)
    p = raw.view(batch, n_anchors, 5 + num_classes, height, width).float()
    gx, gy = grid_offsets(height, width, raw.device)
    anchor = torch.tensor(anchors, dtype=torch.float32, device=raw.device).view(1, n_anchors, 2, 1, 1)
    cx = (torch.sigmoid(p[:, :, 0]) + gx) * stride
    cy = (torch.sigmoid(p[:, :, 1]) + gy) * stride
    w = anchor[:, :, 0] * torch.exp(p[:, :, 2].clamp(max=10.0))
    h = anchor[:, :, 1] * torch.exp(p[:, :, 3].clamp(max=10.0))
    boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=-1)
    scores = torch.sigmoid(p[:, :, 4:]).permute(0, 1, 3, 4, 2)
    out = torch.cat([boxes, scores], dim=-1)
    return out.reshape(batch, n_anchors * height * width, 5 + num_classes)


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pairwise IoU of ``(N, 4)`` and ``(M, 4)`` boxes: ``(N, M)``."""
    area_a = (a[:, 2] - a[:, 0]).clamp(min=0) * (a[:, 3] - a[:, 1]).clamp(min=0)
    area_b = (b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(dim=-1)
    union = area_a[:, None] + area_b[None, :] - inter
    return torch.where(union > 0, inter / union.clamp(min=1e-12), torch.zeros_like(inter))


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_thresh: float) -> torch.Tensor:
    """Greedy NMS: indices of kept boxes, best score first.

    A box is dropped when it overlaps an already kept box by more than ``iou_thresh``.
    """
    if boxes.numel() == 0:
        return torch.zeros(0, dtype=torch.long)
    order = torch.argsort(scores, descending=True, stable=True)
    iou = box_iou(boxes[order], boxes[order])
    suppressed = torch.zeros(len(order), dtype=torch.bool)
    keep = []
    for i in range(len(order)):
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= iou[i] > iou_thresh
    return order[torch.tensor(keep, dtype=torch.long)]


def batched_nms(
    boxes: torch.Tensor, scores: torch.Tensor, classes: torch.Tensor, iou_thresh: float
) -> torch.Tensor:
    """NMS within each class only: boxes of different classes never suppress each other."""
    if boxes.numel() == 0:
        return torch.zeros(0, dtype=torch.long)
    # Shift each class to its own region of the plane, so one pass suppresses per class.
    span = boxes.max() - boxes.min() + 1
    shifted = boxes + (classes.to(boxes.dtype) * span)[:, None]
    return nms(shifted, scores, iou_thresh)


def select_detections(
    rows: torch.Tensor,
    score_thresh: float,
    iou_thresh: float = 0.45,
    max_candidates: int = 2000,
    max_detections: int = 100,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Decoded rows ``(N, 5+C)`` of one image to kept boxes, scores and class indices.

    The score of a (box, class) pair is objectness x class probability; every pair above the
    threshold is a candidate, so one box may carry two classes, as in Darknet.
    """
    boxes, objectness, class_probs = rows[:, :4], rows[:, 4], rows[:, 5:]
    pair_scores = objectness[:, None] * class_probs
    box_index, class_index = torch.nonzero(pair_scores > score_thresh, as_tuple=True)
    scores = pair_scores[box_index, class_index]
    if scores.numel() > max_candidates:
        top = torch.topk(scores, max_candidates).indices
        box_index, class_index, scores = box_index[top], class_index[top], scores[top]
    chosen = boxes[box_index]
    keep = batched_nms(chosen, scores, class_index, iou_thresh)[:max_detections]
    return chosen[keep], scores[keep], class_index[keep]
