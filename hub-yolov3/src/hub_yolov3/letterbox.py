"""Darknet's letterbox, reproduced to the float: how the official YOLO weights expect to see a photo.

The published weights were trained and are evaluated on Darknet's own resampling, which is
not Pillow's: it samples corner-aligned (output pixel ``c`` reads input position
``c * (in - 1) / (out - 1)``), interpolates bilinearly in two passes (columns, then rows)
in float32, never antialiases, and takes the new size by integer division.  The rest of the
square is mid grey (0.5).  Pillow's filter differs by enough to move confidences by 0.1 and
lose or add boxes, so this module does Darknet's arithmetic step by step, in float32, to
give the same network input.

Boxes come back the way Darknet maps them (``correct_yolo_boxes``): its offset is half the
padding as a real number, although the picture itself sits at the integer offset; and each
axis is scaled by its own ``new / original`` ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

LETTERBOX_FILL = 0.5  # Darknet fills the border with mid grey
# Darknet reads 8-bit samples as (float)(value / 255.) : computed in double, stored as float.
_TO_UNIT = (np.arange(256, dtype=np.float64) / 255.0).astype(np.float32)


@dataclass(frozen=True)
class Letterbox:
    """How an image of ``width`` x ``height`` was fitted into the ``size`` x ``size`` network input."""

    size: int
    width: int
    height: int
    new_width: int
    new_height: int

    @property
    def scale_x(self) -> float:
        return self.new_width / self.width

    @property
    def scale_y(self) -> float:
        return self.new_height / self.height

    @property
    def pad_x(self) -> float:
        """Darknet's horizontal offset of the picture when it maps boxes (half a pixel off when odd)."""
        return (self.size - self.new_width) / 2

    @property
    def pad_y(self) -> float:
        return (self.size - self.new_height) / 2


def fitted_size(width: int, height: int, size: int) -> tuple[int, int]:
    """The resized picture's size in a ``size`` square: the limiting side fills it, the other truncates."""
    if np.float32(size) / np.float32(width) < np.float32(size) / np.float32(height):
        return size, max(1, (height * size) // width)
    return max(1, (width * size) // height), size


def darknet_resize(pixels: np.ndarray, new_width: int, new_height: int) -> np.ndarray:
    """Resize ``(H, W, C)`` uint8 pixels to ``(new_height, new_width, C)`` float32 in [0, 1] as Darknet does.

    First every output column is interpolated between the two input columns around its
    corner-aligned position (the last output column copies the last input column); then every
    output row is ``(1 - dy)`` times the row above plus ``dy`` times the row below, the last
    output row taking only the first term.  Only the columns and rows used are converted to
    float, so a large photo costs little memory.
    """
    height, width = pixels.shape[:2]
    one = np.float32(1)
    # Columns.
    if new_width > 1:
        step_x = np.float32(width - 1) / np.float32(new_width - 1)
        source_x = np.arange(new_width, dtype=np.float32) * step_x
    else:
        source_x = np.zeros(1, np.float32)
    left = source_x.astype(np.int64)
    dx = (source_x - left.astype(np.float32))[None, :, None]
    right = np.minimum(left + 1, width - 1)
    part = (one - dx) * _TO_UNIT[pixels[:, left]] + dx * _TO_UNIT[pixels[:, right]]
    if width == 1:
        part[:] = _TO_UNIT[pixels[:, [0]]]
    else:
        part[:, -1] = _TO_UNIT[pixels[:, -1]]
    # Rows.
    if new_height > 1:
        step_y = np.float32(height - 1) / np.float32(new_height - 1)
        source_y = np.arange(new_height, dtype=np.float32) * step_y
    else:
        source_y = np.zeros(1, np.float32)
    top = source_y.astype(np.int64)
    dy = (source_y - top.astype(np.float32))[:, None, None]
    below = np.minimum(top + 1, height - 1)
    resized = (one - dy) * part[top]
    if height > 1:
        resized[:-1] += (dy * part[below])[:-1]
    return resized


def letterbox(image: Image.Image, size: int) -> tuple[np.ndarray, Letterbox]:
    """An RGB image as Darknet's network input: ``(3, size, size)`` float32 in [0, 1], and its geometry."""
    width, height = image.size
    new_width, new_height = fitted_size(width, height, size)
    resized = darknet_resize(np.asarray(image.convert("RGB")), new_width, new_height)
    canvas = np.full((size, size, 3), LETTERBOX_FILL, np.float32)
    x0, y0 = (size - new_width) // 2, (size - new_height) // 2
    canvas[y0 : y0 + new_height, x0 : x0 + new_width] = resized
    array = np.ascontiguousarray(canvas.transpose(2, 0, 1))
    return array, Letterbox(size, width, height, new_width, new_height)


def to_network(boxes: np.ndarray, box: Letterbox) -> np.ndarray:
    """Original-image boxes ``(N, 4)`` to network-input pixels: the inverse of ``unletterbox``."""
    scale = np.array([box.scale_x, box.scale_y, box.scale_x, box.scale_y], np.float32)
    offset = np.array([box.pad_x, box.pad_y, box.pad_x, box.pad_y], np.float32)
    return (boxes * scale + offset).astype(np.float32)


def unletterbox(boxes: torch.Tensor, box: Letterbox, *, clip: bool = True) -> torch.Tensor:
    """Network-input boxes back to the original image (Darknet's mapping), clipped unless told not to."""
    out = boxes.clone()
    out[:, [0, 2]] = (out[:, [0, 2]] - box.pad_x) / box.scale_x
    out[:, [1, 3]] = (out[:, [1, 3]] - box.pad_y) / box.scale_y
    if clip:
        out[:, [0, 2]] = out[:, [0, 2]].clamp(0, box.width)
        out[:, [1, 3]] = out[:, [1, 3]].clamp(0, box.height)
    return out
