"""The YOLOv3 training loss: each true box is owned by the anchor whose shape fits it best, and
by every other anchor that fits it with IoU above ``match_iou`` (more positives per box make
training from scratch converge several times faster than the paper's single owner).

For the owning cell and anchor: binary cross-entropy on the centre offsets, squared error on the
log size ratios (weighted 2 - relative area, so small boxes count more), objectness 1 and
one-vs-all class cross-entropy.  Every other prediction is pushed to objectness 0, unless it
already overlaps a true box by more than ``ignore_iou``, which would punish good guesses.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F  # noqa: N812 - the usual spelling

from hub_yolov3.boxes import box_iou, decode_head
from hub_yolov3.model import YoloConfig


def _shape_iou(wh: torch.Tensor, anchors: torch.Tensor) -> torch.Tensor:
    """IoU of boxes and anchors placed on a common centre: ``(N, A)``."""
    inter = torch.minimum(wh[:, None, 0], anchors[None, :, 0]) * torch.minimum(
        wh[:, None, 1], anchors[None, :, 1]
    )
    return inter / (wh[:, None].prod(-1) + anchors[None].prod(-1) - inter)


def yolo_loss(
    outputs: list[torch.Tensor],
    targets: list[torch.Tensor],
    config: YoloConfig,
    input_size: int,
    ignore_iou: float = 0.5,
    match_iou: float = 0.3,
) -> dict[str, torch.Tensor]:
    """Loss of raw head outputs against per-image targets ``(N_i, 5)`` rows of ``class, x1, y1, x2, y2``.

    Returns the total (summed over terms, averaged over images) and its parts, detached.
    """
    batch = outputs[0].shape[0]
    device = outputs[0].device
    anchors = torch.tensor(config.anchors, dtype=torch.float32, device=device)
    parts = {k: torch.zeros((), device=device) for k in ("xy", "wh", "obj", "noobj", "cls")}
    all_targets = [t.to(device).float() for t in targets]
    for head, raw in enumerate(outputs):
        stride = config.strides[head]
        head_anchor_ids = list(range(3 * head, 3 * head + 3))
        _, _, height, width = raw.shape
        p = raw.view(batch, 3, 5 + config.num_classes, height, width).permute(0, 1, 3, 4, 2)
        with torch.no_grad():
            decoded = decode_head(raw.detach(), config.head_anchors(head), stride, config.num_classes)
        ignore = torch.zeros(batch, 3, height, width, dtype=torch.bool, device=device)
        owner = torch.zeros_like(ignore)
        tgt_xy = torch.zeros(batch, 3, height, width, 2, device=device)
        tgt_wh = torch.zeros_like(tgt_xy)
        tgt_cls = torch.zeros(batch, 3, height, width, config.num_classes, device=device)
        weight = torch.zeros(batch, 3, height, width, device=device)
        for b, rows in enumerate(all_targets):
            if rows.numel() == 0:
                continue
            boxes = rows[:, 1:5]
            best_iou = box_iou(decoded[b, :, :4], boxes).max(dim=1).values
            ignore[b] = (best_iou > ignore_iou).view(3, height, width)
            wh = (boxes[:, 2:] - boxes[:, :2]).clamp(min=1e-3)
            centre = (boxes[:, :2] + boxes[:, 2:]) / 2
            shape_iou = _shape_iou(wh, anchors)
            owners = shape_iou > match_iou
            owners[torch.arange(len(rows), device=device), shape_iou.argmax(dim=1)] = True
            for k, a in owners.nonzero().tolist():
                if a not in head_anchor_ids:
                    continue
                local = a - 3 * head
                gx = min(int(centre[k, 0] / stride), width - 1)
                gy = min(int(centre[k, 1] / stride), height - 1)
                owner[b, local, gy, gx] = True
                tgt_xy[b, local, gy, gx] = (centre[k] / stride - torch.tensor([gx, gy], device=device)).clamp(
                    0, 1
                )
                tgt_wh[b, local, gy, gx] = torch.log(wh[k] / anchors[a])
                tgt_cls[b, local, gy, gx, int(rows[k, 0])] = 1.0
                weight[b, local, gy, gx] = 2.0 - float(wh[k].prod()) / input_size**2
        logits_obj = p[..., 4]
        if owner.any():
            sel = p[owner]
            w = weight[owner]
            xy = F.binary_cross_entropy_with_logits(sel[:, :2], tgt_xy[owner], reduction="none").sum(-1)
            parts["xy"] = parts["xy"] + (w * xy).sum()
            parts["wh"] = parts["wh"] + (w * (sel[:, 2:4] - tgt_wh[owner]).pow(2).sum(-1)).sum() * 0.5
            parts["obj"] = parts["obj"] + F.binary_cross_entropy_with_logits(
                logits_obj[owner], torch.ones_like(logits_obj[owner]), reduction="sum"
            )
            parts["cls"] = parts["cls"] + F.binary_cross_entropy_with_logits(
                sel[:, 5:], tgt_cls[owner], reduction="sum"
            )
        background = ~owner & ~ignore
        parts["noobj"] = parts["noobj"] + F.binary_cross_entropy_with_logits(
            logits_obj[background], torch.zeros_like(logits_obj[background]), reduction="sum"
        )
    total = sum(parts.values()) / batch
    return {"loss": total, **{k: (v / batch).detach() for k, v in parts.items()}}
