"""Pixels in: Google's EfficientNet-Lite evaluation recipe, in NumPy and Pillow.

The TensorFlow release evaluates on a centre crop of ``resolution / (resolution + 32)`` of the
shorter side, resized bicubically to the network's resolution, with pixels mapped by
``(x - 127) / 128``; the weights were trained for exactly that input, so we feed the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

CROP_PADDING = 32
PIXEL_MEAN = 127.0
PIXEL_STD = 128.0


def centre_crop_resize(image: Image.Image, resolution: int) -> Image.Image:
    """The central square of ``resolution/(resolution+32)`` of the shorter side, resized to ``resolution``."""
    width, height = image.size
    side = min(width, height) * resolution / (resolution + CROP_PADDING)
    box = ((width - side) / 2, (height - side) / 2, (width + side) / 2, (height + side) / 2)
    return image.resize((resolution, resolution), Image.Resampling.BICUBIC, box=box)


def to_tensor(images: Sequence[Image.Image], resolution: int) -> torch.Tensor:
    """RGB images to one normalised (N, 3, resolution, resolution) float batch."""
    batch = np.stack([np.asarray(centre_crop_resize(im, resolution), dtype=np.float32) for im in images])
    batch = (batch - PIXEL_MEAN) / PIXEL_STD
    return torch.from_numpy(batch).permute(0, 3, 1, 2).contiguous()


def reader_options(resolution: int) -> dict[str, object]:
    """The same normalisation for the Fine-tune API's image reader, whose pixels are in [0, 1]."""
    return {
        "image_size": resolution,
        "mean": (PIXEL_MEAN / 255.0,) * 3,
        "std": (PIXEL_STD / 255.0,) * 3,
    }
