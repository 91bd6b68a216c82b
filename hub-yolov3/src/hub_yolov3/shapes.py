"""A synthetic detection data set: filled shapes on varied backgrounds, with boxes known exactly.

Boxes come from the geometry (circle centre and radius, polygon vertices), not from the pixels,
so they are exact up to the rasteriser's half pixel.  Written as Pascal VOC or COCO, lossless PNG.

    python -m hub_yolov3.shapes OUT --format voc --train 600 --val 100 --test 100 --size 160
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SHAPES = ("circle", "square", "triangle")


def _background(rng: random.Random, size: int) -> Image.Image:
    kind = rng.choice(("flat", "gradient", "noise", "stripes"))
    base = tuple(rng.randrange(256) for _ in range(3))
    if kind == "flat":
        return Image.new("RGB", (size, size), base)
    if kind == "gradient":
        other = tuple(rng.randrange(256) for _ in range(3))
        ramp = Image.linear_gradient("L").resize((size, size)).rotate(rng.choice((0, 90, 45)))
        return Image.composite(
            Image.new("RGB", (size, size), other), Image.new("RGB", (size, size), base), ramp
        )
    if kind == "noise":
        # Seeded from rng (Image.effect_noise is not), so a seed always gives the same data set.
        sigma = rng.uniform(20, 60)
        values = np.random.default_rng(rng.randrange(2**32)).normal(128, sigma, (size, size))
        noise = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8)).convert("RGB")
        return Image.blend(Image.new("RGB", (size, size), base), noise, 0.35)
    canvas = Image.new("RGB", (size, size), base)
    draw = ImageDraw.Draw(canvas)
    other = tuple(rng.randrange(256) for _ in range(3))
    step = rng.randrange(6, 20)
    for x in range(-size, 2 * size, 2 * step):
        draw.polygon([(x, 0), (x + step, 0), (x + step + size, size), (x + size, size)], fill=other)
    return canvas.filter(ImageFilter.GaussianBlur(0.6))


def _contrasting_colour(
    rng: random.Random, image: Image.Image, box: tuple[float, ...]
) -> tuple[int, int, int]:
    """A colour far from the mean of the background under the shape, so every shape is visible."""
    region = image.crop(tuple(int(v) for v in box)).resize((1, 1), Image.BOX).getpixel((0, 0))
    for _ in range(50):
        colour = tuple(rng.randrange(256) for _ in range(3))
        if sum(abs(a - b) for a, b in zip(colour, region, strict=True)) > 200:  # type: ignore[arg-type]
            return colour  # type: ignore[return-value]
    return tuple(255 - v for v in region)  # type: ignore[return-value, union-attr]


def _polygon(kind: str, cx: float, cy: float, r: float, angle: float) -> list[tuple[float, float]]:
    corners = 4 if kind == "square" else 3
    start = angle + (math.pi / 4 if kind == "square" else -math.pi / 2)
    return [
        (
            cx + r * math.cos(start + 2 * math.pi * k / corners),
            cy + r * math.sin(start + 2 * math.pi * k / corners),
        )
        for k in range(corners)
    ]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return w * h / min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))


def render(
    rng: random.Random, size: int, classes: Sequence[str], max_objects: int = 3
) -> tuple[Image.Image, list[tuple[str, tuple[float, float, float, float]]]]:
    """One picture and its ``(label, box)`` list."""
    image = _background(rng, size)
    draw = ImageDraw.Draw(image)
    objects: list[tuple[str, tuple[float, float, float, float]]] = []
    for _ in range(rng.randint(1, max_objects)):
        kind = rng.choice(list(classes))
        for _attempt in range(20):
            r = rng.uniform(0.08, 0.22) * size
            cx, cy = rng.uniform(r + 1, size - r - 1), rng.uniform(r + 1, size - r - 1)
            if kind == "circle":
                points: list[tuple[float, float]] = []
                box = (cx - r, cy - r, cx + r, cy + r)
            else:
                points = _polygon(
                    kind,
                    cx,
                    cy,
                    r,
                    rng.uniform(0, math.pi / 6) if kind == "square" else rng.uniform(-0.3, 0.3),
                )
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                box = (min(xs), min(ys), max(xs), max(ys))
            if all(_overlap(box, other) < 0.05 for _, other in objects):
                break
        else:
            continue
        colour = _contrasting_colour(rng, image, box)
        if kind == "circle":
            draw.ellipse(box, fill=colour)
        else:
            draw.polygon(points, fill=colour)
        objects.append((kind, tuple(round(v, 2) for v in box)))  # type: ignore[misc]
    return image, objects


def _voc_xml(filename: str, size: int, objects: list[tuple[str, tuple[float, ...]]]) -> str:
    parts = [f"<annotation><filename>{escape(filename)}</filename>"]
    parts.append(f"<size><width>{size}</width><height>{size}</height><depth>3</depth></size>")
    for label, (x1, y1, x2, y2) in objects:
        parts.append(
            f"<object><name>{escape(label)}</name><difficult>0</difficult><bndbox>"
            f"<xmin>{x1}</xmin><ymin>{y1}</ymin><xmax>{x2}</xmax><ymax>{y2}</ymax></bndbox></object>"
        )
    parts.append("</annotation>\n")
    return "".join(parts)


def generate(
    output: str | os.PathLike[str],
    *,
    splits: dict[str, int],
    size: int = 160,
    classes: Sequence[str] = SHAPES,
    fmt: str = "voc",
    seed: int = 0,
    max_objects: int = 3,
) -> Path:
    """Write a data set to ``output`` (built in a temporary sibling folder, then renamed into place)."""
    unknown = set(classes) - set(SHAPES)
    if unknown:
        raise ValueError(f"unknown shape classes {sorted(unknown)}; choose from {SHAPES}")
    if fmt not in ("voc", "coco"):
        raise ValueError(f"format {fmt!r} must be 'voc' or 'coco'")
    output = Path(output)
    if output.exists():
        raise FileExistsError(f"{output} already exists; choose a new folder")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        rng = random.Random(seed)
        image_dir = tmp / ("JPEGImages" if fmt == "voc" else "images")
        image_dir.mkdir()
        if fmt == "voc":
            (tmp / "Annotations").mkdir()
            (tmp / "ImageSets" / "Main").mkdir(parents=True)
            (tmp / "labels.txt").write_text("".join(f"{c}\n" for c in classes), encoding="utf-8")
        else:
            (tmp / "annotations").mkdir()
        for split, count in splits.items():
            ids, coco_images, coco_anns = [], [], []
            for n in range(count):
                image_id = f"{split}_{n:05d}"
                image, objects = render(rng, size, classes, max_objects)
                image.save(image_dir / f"{image_id}.png")
                ids.append(image_id)
                if fmt == "voc":
                    (tmp / "Annotations" / f"{image_id}.xml").write_text(
                        _voc_xml(f"{image_id}.png", size, objects), encoding="utf-8"
                    )
                    continue
                coco_images.append({"id": n, "file_name": f"{image_id}.png", "width": size, "height": size})
                for label, (x1, y1, x2, y2) in objects:
                    coco_anns.append(
                        {
                            "id": len(coco_anns),
                            "image_id": n,
                            "category_id": list(classes).index(label) + 1,
                            "bbox": [x1, y1, round(x2 - x1, 2), round(y2 - y1, 2)],
                            "area": round((x2 - x1) * (y2 - y1), 2),
                            "iscrowd": 0,
                        }
                    )
            if fmt == "voc":
                (tmp / "ImageSets" / "Main" / f"{split}.txt").write_text(
                    "".join(f"{i}\n" for i in ids), encoding="utf-8"
                )
            else:
                categories = [{"id": i + 1, "name": c} for i, c in enumerate(classes)]
                document = {"images": coco_images, "annotations": coco_anns, "categories": categories}
                (tmp / "annotations" / f"instances_{split}.json").write_text(
                    json.dumps(document), encoding="utf-8"
                )
        os.replace(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return output


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate a synthetic shapes detection data set.")
    parser.add_argument("output", help="a folder that does not exist yet")
    parser.add_argument("--format", choices=("voc", "coco"), default="voc")
    parser.add_argument("--train", type=int, default=600)
    parser.add_argument("--val", type=int, default=100, help="the dev split (named 'val')")
    parser.add_argument("--test", type=int, default=100)
    parser.add_argument("--size", type=int, default=160, help="image side in pixels")
    parser.add_argument("--classes", default=",".join(SHAPES), help=f"comma-separated, from {SHAPES}")
    parser.add_argument("--max-objects", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    splits = {"train": args.train, "val": args.val, "test": args.test}
    path = generate(
        args.output,
        splits={k: v for k, v in splits.items() if v > 0},
        size=args.size,
        classes=[c.strip() for c in args.classes.split(",") if c.strip()],
        fmt=args.format,
        seed=args.seed,
        max_objects=args.max_objects,
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
