"""Sizing photos for the network and writing results without ever leaving half a file."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
from PIL import Image

from hubcore import images
from hubcore.images import save_atomically

# The network halves the resolution twice and reflect-pads by up to 4 pixels at full resolution
# and by 1 at a quarter: below 16 pixels a side the quarter-resolution map is too small to pad.
MIN_SIDE = 16


def fit(image: Image.Image, max_side: int | None) -> Image.Image:
    """Shrink (Lanczos) so that the longer side is at most ``max_side``; never enlarge."""
    width, height = image.size
    if max_side is None or max(width, height) <= max_side:
        return image
    scale = max_side / max(width, height)
    size = (max(MIN_SIDE, round(width * scale)), max(MIN_SIDE, round(height * scale)))
    return image.resize(size, Image.LANCZOS)


def pad_to_multiple_of_4(pixels: np.ndarray) -> np.ndarray:
    """HWC float pixels reflect-padded at the bottom and right so both sides divide by 4."""
    height, width = pixels.shape[:2]
    extra_h, extra_w = (-height) % 4, (-width) % 4
    if not (extra_h or extra_w):
        return pixels
    return np.pad(pixels, ((0, extra_h), (0, extra_w), (0, 0)), mode="reflect")


def to_uint8(pixels: np.ndarray) -> np.ndarray:
    """Floats in [0, 1] to 8 bits, rounding to nearest."""
    return (np.clip(pixels, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def save_png_atomically(pixels: np.ndarray, target: Path) -> Path:
    """Write a PNG of ``pixels`` through the hub's atomic image writer."""
    return save_atomically(Image.fromarray(pixels), target, format="PNG")


def png_base64(pixels: np.ndarray) -> str:
    """An HxWx3 uint8 RGB array as a base64 PNG (lossless), the JSON-ready form serving answers with."""
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def unique_name(stem: str, tag: str, used: set[str]) -> str:
    """``stem_tag.png``, or ``stem_tag_1.png``... when an earlier image of the call took that name."""
    return images.unique_name(f"{stem}_{tag}", used, suffix=".png")
