"""Draws hub-style/style_transfer_26.png, the README's figure, with the module itself.

    python hub-style/tools/make_readme_figure.py

A photo from ../shared/yolo-golden/photos (public domain) beside three stylised versions made by
``hubcore.Module("style_transfer_26").style_transfer``, each captioned with its ``style``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

import hubcore

HERE = Path(__file__).resolve().parents[1]
PHOTO = HERE.parents[1] / "shared" / "yolo-golden" / "photos" / "astronaut.png"
SIDE = 288
CAPTION = 22
STYLES: list[tuple[str, object]] = [
    ("style=19", 19),
    ("style=13", 13),
    ("style={10: 0.5, 25: 0.5}", {10: 0.5, 25: 0.5}),
]


def main() -> None:
    module = hubcore.Module("style_transfer_26")
    photo = Image.open(PHOTO).convert("RGB")
    photo.thumbnail((SIDE, SIDE), Image.LANCZOS)
    tiles = [("photo", photo)]
    for caption, style in STYLES:
        (result,) = module.style_transfer(images=[np.asarray(photo)], style=style, visualization=False)
        tiles.append((caption, Image.fromarray(result["data"])))
    gap = 6
    figure = Image.new("RGB", (len(tiles) * (photo.width + gap) - gap, photo.height + CAPTION), "white")
    draw = ImageDraw.Draw(figure)
    for i, (caption, tile) in enumerate(tiles):
        left = i * (photo.width + gap)
        figure.paste(tile, (left, CAPTION))
        draw.text((left + 4, 5), caption, fill=(0, 0, 0))
    target = HERE / "style_transfer_26.png"
    figure.save(target, optimize=True)
    print(f"wrote {target} ({target.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
