"""Drawing detections with Pillow and saving the picture without ever leaving half a file."""

from __future__ import annotations

import colorsys
from typing import Any

from PIL import Image, ImageDraw, ImageFont


def _colour(label: str) -> tuple[int, int, int]:
    """A stable, well-saturated colour per label, so one class keeps its colour across images."""
    hue = (sum(ord(c) * 131 for c in label) % 360) / 360.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.85, 0.95)
    return int(r * 255), int(g * 255), int(b * 255)


def draw_detections(image: Image.Image, detections: list[dict[str, Any]], scale: float = 1.0) -> Image.Image:
    """A copy of ``image`` with boxes and "label 0.87" captions; boxes are divided by ``scale``."""
    canvas = image.convert("RGB").copy()
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    line = max(1, round(min(canvas.size) / 300))
    for det in detections:
        box = [det["left"] / scale, det["top"] / scale, det["right"] / scale, det["bottom"] / scale]
        colour = _colour(det["label"])
        draw.rectangle(box, outline=colour, width=line)
        caption = f"{det['label']} {det['confidence']:.2f}"
        left, top, right, bottom = draw.textbbox((0, 0), caption, font=font)
        text_w, text_h = right - left, bottom - top
        y = box[1] - text_h - 4 if box[1] >= text_h + 4 else box[1]
        draw.rectangle([box[0], y, box[0] + text_w + 4, y + text_h + 4], fill=colour)
        draw.text((box[0] + 2, y + 2 - top), caption, fill=(0, 0, 0), font=font)
    return canvas
