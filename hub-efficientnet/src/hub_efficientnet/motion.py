"""A generated video data set whose classes differ only in motion: a shape moving left, right, up or down.

Every class uses the same backgrounds, the same shapes and colours and the same range of
positions; only the direction of travel tells them apart, so a model must see frame order.
A clip of ``right`` played backwards is a clip of ``left``.

    hub-efficientnet-motion OUT_DIR [--train-per-class 40] [--eval-per-class 10] [--frames 16] [--size 128]

writes ``OUT_DIR/clips/*.mp4``, ``train.txt``, ``dev.txt``, ``test.txt`` (``path<TAB>label``) and
``label_list.txt``.  Everything is drawn from ``--seed``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from hub_efficientnet.video_io import write_clip

DIRECTIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
SHAPES = ("circle", "square", "triangle")


def backgrounds(count: int, size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Smooth colour fields, stripes and checks: textured, so the shape is not on a flat colour."""
    made = []
    for index in range(count):
        kind = index % 3
        if kind == 0:
            coarse = rng.integers(40, 215, size=(4, 4, 3), dtype=np.uint8)
            field = Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC)
            made.append(np.asarray(field))
        elif kind == 1:
            period = int(rng.integers(8, 24))
            a, b = rng.integers(40, 215, size=(2, 3))
            rows = (np.arange(size) // period) % 2
            diagonal = (rows[:, None] + rows[None, :]) % 2 if rng.random() < 0.5 else rows[:, None] + 0 * rows
            made.append(np.where(diagonal[..., None] == 1, a, b).astype(np.uint8))
        else:
            cell = int(rng.integers(10, 20))
            a, b = rng.integers(40, 215, size=(2, 3))
            grid = ((np.arange(size)[:, None] // cell) + (np.arange(size)[None, :] // cell)) % 2
            made.append(np.where(grid[..., None] == 1, a, b).astype(np.uint8))
    return made


def _draw(
    background: np.ndarray, shape: str, centre: tuple[float, float], radius: int, colour: tuple
) -> np.ndarray:
    image = Image.fromarray(background.copy())
    draw = ImageDraw.Draw(image)
    x, y = centre
    box = (x - radius, y - radius, x + radius, y + radius)
    if shape == "circle":
        draw.ellipse(box, fill=colour, outline=(0, 0, 0), width=2)
    elif shape == "square":
        draw.rectangle(box, fill=colour, outline=(0, 0, 0), width=2)
    else:
        draw.polygon(
            [(x, y - radius), (x + radius, y + radius), (x - radius, y + radius)],
            fill=colour,
            outline=(0, 0, 0),
        )
    return np.asarray(image)


def make_clip(
    direction: str, background: np.ndarray, frames: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """One clip: a random shape travelling 45-70% of the frame in ``direction`` over a given background."""
    size = background.shape[0]
    radius = int(rng.integers(size // 12, size // 8 + 1))
    travel = rng.uniform(0.45, 0.7) * size
    dx, dy = DIRECTIONS[direction]
    low, high = radius + 1, size - radius - 1
    along = rng.uniform(low, high - travel)  # where the trip starts on the axis of motion
    across = rng.uniform(low, high)
    if dx < 0 or dy < 0:
        along += travel  # moving towards 0: start at the far end of the same span
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    colour = tuple(int(v) for v in rng.integers(0, 256, size=3))
    clip = []
    for t in range(frames):
        position = along + (dx + dy) * travel * t / (frames - 1)
        centre = (position, across) if dx else (across, position)
        clip.append(_draw(background, shape, centre, radius, colour))
    return clip


def generate(
    out: str | Path,
    *,
    train_per_class: int = 40,
    eval_per_class: int = 10,
    frames: int = 16,
    size: int = 128,
    num_backgrounds: int = 6,
    seed: int = 0,
) -> dict[str, Path]:
    """Write the data set; returns the paths of the list files and the label list."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    scenes = backgrounds(num_backgrounds, size, rng)
    written: dict[str, Path] = {}
    for split, per_class in (("train", train_per_class), ("dev", eval_per_class), ("test", eval_per_class)):
        lines = []
        for index in range(per_class * len(DIRECTIONS)):
            direction = list(DIRECTIONS)[index % len(DIRECTIONS)]
            background = scenes[(index // len(DIRECTIONS)) % len(scenes)]
            relative = f"clips/{split}_{index:04d}.mp4"
            write_clip(out / relative, make_clip(direction, background, frames, rng))
            lines.append(f"{relative}\t{direction}\n")
        written[split] = out / f"{split}.txt"
        written[split].write_text("".join(lines), encoding="utf-8")
    written["label_list"] = out / "label_list.txt"
    written["label_list"].write_text("".join(f"{d}\n" for d in DIRECTIONS), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--train-per-class", type=int, default=40)
    parser.add_argument("--eval-per-class", type=int, default=10)
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    files = generate(
        args.out,
        train_per_class=args.train_per_class,
        eval_per_class=args.eval_per_class,
        frames=args.frames,
        size=args.size,
        seed=args.seed,
    )
    print("\n".join(f"{name}: {path}" for name, path in files.items()))


if __name__ == "__main__":
    main()
