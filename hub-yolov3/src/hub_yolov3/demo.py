"""The detection fine-tuning demo: generate shapes, train YOLOv3-tiny on CPU, detect in new images.

    python -m hub_yolov3.demo WORKDIR [--size 96] [--width 1.0] [--epochs 40] [--threads 2]

Writes WORKDIR/shapes (the data set), WORKDIR/ckpt (checkpoints, best_model, metrics.jsonl)
and WORKDIR/new (unseen pictures); prints the test mAP@0.5, the wall and CPU time of training,
then the output of ``hubcore run yolov3 --directory WORKDIR/ckpt`` on the new pictures.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hub_yolov3.shapes import SHAPES, generate, render


def train(
    dataset: Path,
    checkpoint_dir: Path,
    *,
    size: int,
    width: float,
    epochs: int,
    batch_size: int = 16,
    learning_rate: float = 3e-3,
    eval_interval: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """Fine-tune a from-scratch YOLOv3-tiny with DetectionTask; returns the finetune_and_eval summary."""
    import hubcore
    from hub_yolov3.task import DetectionReader, DetectionTask, scaled_anchors
    from hubcore.finetune import CombinedStrategy, RunConfig

    detector = hubcore.Module("yolov3_tiny", pretrained=False, width=width, input_size=size)
    reader = DetectionReader(dataset, input_size=size)
    strategy = CombinedStrategy(
        "adam",
        learning_rate,
        scheduler={"warmup_proportion": 0.05, "decay": "linear"},
        clip={"global_norm": 10.0},
    )
    config = RunConfig(
        num_epoch=epochs,
        batch_size=batch_size,
        checkpoint_dir=checkpoint_dir,
        eval_interval=eval_interval,
        log_interval=10,
        strategy=strategy,
        seed=seed,
        tensorboard=False,
        progress=False,
    )
    task = DetectionTask(
        detector.context(), reader, config, anchors=scaled_anchors(detector.model.config, size)
    )
    return task.finetune_and_eval()


def new_pictures(folder: Path, count: int, size: int, seed: int = 12345) -> list[tuple[Path, list[Any]]]:
    """Pictures the model never saw, with their true boxes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    made = []
    for n in range(count):
        image, objects = render(rng, size, SHAPES)
        path = folder / f"new_{n}.png"
        image.save(path)
        made.append((path, objects))
    return made


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--size", type=int, default=96, help="image and network input side")
    parser.add_argument(
        "--width", type=float, default=1.0, help="channel multiplier of YOLOv3-tiny (1.0: as published)"
    )
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--train", type=int, default=600)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (0: torch's default)")
    args = parser.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    dataset = args.workdir / "shapes"
    if not dataset.exists():
        generate(dataset, splits={"train": args.train, "val": 100, "test": 200}, size=args.size)
    wall, cpu = time.perf_counter(), time.process_time()
    summary = train(dataset, args.workdir / "ckpt", size=args.size, width=args.width, epochs=args.epochs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    test = summary.get("test", {})
    print(
        json.dumps(
            {
                "steps": summary["steps"],
                "best_dev_map": summary["best_metric"],
                "test": test,
                "train_wall_s": round(wall, 1),
                "train_cpu_s": round(cpu, 1),
                "threads": torch.get_num_threads(),
            },
            indent=2,
        )
    )
    pictures = new_pictures(args.workdir / "new", 3, args.size)
    script = Path(sys.executable).with_name("hubcore")
    hub = str(script) if script.exists() else "hubcore"
    command = [hub, "run", "yolov3", "--directory", str(args.workdir / "ckpt")]
    for path, objects in pictures:
        command += ["--input_path", str(path)]
        print(f"{path.name} truly holds: {objects}")
    command += ["--visualization", "--output_dir", str(args.workdir / "detections")]
    print("$ hubcore", " ".join(command[1:]))
    subprocess.run(command, check=False)


if __name__ == "__main__":
    main()
