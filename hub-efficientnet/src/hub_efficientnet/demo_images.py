"""The image fine-tune demo: scikit-learn's bundled handwritten digits, pretrained vs random backbone.

    python -m hub_efficientnet.demo_images WORKDIR [--train 600] [--epochs 3]

The digits (UCI's optical recognition set as shipped inside scikit-learn: 1,797 8x8 grey
images, 10 classes, BSD-3-Clause) are written out as PNG files with ImageClassificationDataset
list files, then ``ImageClassifierTask`` trains the same head on ``efficientnet_lite0``'s context
twice with equal steps and seeds: once on the ImageNet weights, once on a randomly initialised
backbone.  The gap between the two test accuracies is what the pretrained weights are worth.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image


def write_digits(folder: Path, *, train: int, dev: int, test: int, seed: int = 0) -> dict[str, Path]:
    """PNG files and ``relative/path label`` lists of a seeded split of scikit-learn's digits."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.target))
    if train + dev + test > len(order):
        raise ValueError(f"only {len(order)} digits are available")
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    start = 0
    for split, count in (("train", train), ("dev", dev), ("test", test)):
        lines = []
        for index in order[start : start + count]:
            pixels = (digits.images[index] * (255.0 / 16.0)).astype(np.uint8)
            name = f"images/{index:04d}.png"
            (folder / "images").mkdir(exist_ok=True)
            Image.fromarray(255 - pixels).save(folder / name)  # dark ink on white, like paper
            lines.append(f"{name} {digits.target[index]}\n")
        start += count
        files[split] = folder / f"{split}.txt"
        files[split].write_text("".join(lines), encoding="utf-8")
    files["labels"] = folder / "labels.txt"
    files["labels"].write_text("".join(f"{d}\n" for d in range(10)), encoding="utf-8")
    return files


def finetune_digits(
    files: dict[str, Path],
    checkpoint_dir: Path,
    *,
    pretrained: bool,
    epochs: int = 3,
    image_size: int = 96,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    seed: int = 0,
) -> dict[str, Any]:
    """ImageClassifierTask on efficientnet_lite0's context (trainable); the summary with test metrics."""
    import hubcore
    from hubcore.finetune import (
        AdamWeightDecayStrategy,
        ImageClassificationDataset,
        ImageClassificationReader,
        ImageClassifierTask,
        RunConfig,
    )

    torch.manual_seed(seed)  # the random backbone's initialisation
    context = hubcore.Module(name="efficientnet_lite0", pretrained=pretrained).context(trainable=True)
    dataset = ImageClassificationDataset(
        files["train"], files["dev"], files["test"], label_list_file=files["labels"]
    )
    options = dict(context.extra["reader_options"], image_size=image_size)
    reader = ImageClassificationReader(dataset, **options)
    config = RunConfig(
        num_epoch=epochs,
        batch_size=batch_size,
        checkpoint_dir=checkpoint_dir,
        eval_interval=10_000,
        seed=seed,
        strategy=AdamWeightDecayStrategy(learning_rate=learning_rate),
        tensorboard=False,
        progress=False,
    )
    task = ImageClassifierTask(context, reader, config)
    started = time.perf_counter()
    summary = task.finetune_and_eval()
    summary["seconds"] = time.perf_counter() - started
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--train", type=int, default=600)
    parser.add_argument("--dev", type=int, default=200)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    files = write_digits(args.workdir / "digits", train=args.train, dev=args.dev, test=args.test)
    results = {}
    for pretrained in (True, False):
        name = "imagenet" if pretrained else "random"
        summary = finetune_digits(
            files, args.workdir / f"ckpt_{name}", pretrained=pretrained, epochs=args.epochs
        )
        results[name] = {
            "test_acc": round(summary["test"]["acc"], 4),
            "steps": args.epochs * math.ceil(args.train / 32),
            "seconds": round(summary["seconds"], 1),
        }
        print(
            f"{name} backbone: test accuracy {summary['test']['acc']:.3f} ({summary['seconds']:.0f} s)",
            flush=True,
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
