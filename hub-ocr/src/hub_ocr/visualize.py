"""Pictures of OCR results: boxes on the image, and the recognised text beside it in a CJK font."""

from __future__ import annotations

import colorsys
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from hub_ocr.fonts import find_cjk_font


def _colour(index: int) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb((index * 0.137) % 1.0, 0.8, 0.9)
    return int(r * 255), int(g * 255), int(b * 255)


def draw_results(
    image: Image.Image, lines: list[dict[str, Any]], font_path: Path | None = None
) -> Image.Image:
    """The image with each line's box; with a CJK font, a white panel to its right with the texts.

    ``font_path`` defaults to :func:`find_cjk_font`; without a font only the boxes are drawn,
    since Pillow's built-in font has no Chinese glyphs.
    """
    font_path = font_path if font_path is not None else find_cjk_font()
    boxes = image.convert("RGB").copy()
    draw = ImageDraw.Draw(boxes)
    width = max(1, round(min(boxes.size) / 300))
    for index, line in enumerate(lines):
        corners = [tuple(p) for p in line["text_box_position"]]
        draw.polygon(corners, outline=_colour(index), width=width)
    if font_path is None:
        return boxes
    panel = Image.new("RGB", boxes.size, (255, 255, 255))
    pen = ImageDraw.Draw(panel)
    for index, line in enumerate(lines):
        corners = line["text_box_position"]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        box_height = max(ys) - min(ys)
        size = max(8, int(min(box_height * 0.8, 64)))
        font = ImageFont.truetype(str(font_path), size)
        pen.polygon([tuple(p) for p in corners], outline=_colour(index), width=width)
        pen.text(
            (min(xs) + 2, min(ys) + max(0, (box_height - size) // 2)), line["text"], fill=(0, 0, 0), font=font
        )
    both = Image.new("RGB", (boxes.width * 2, boxes.height), (255, 255, 255))
    both.paste(boxes, (0, 0))
    both.paste(panel, (boxes.width, 0))
    return both
