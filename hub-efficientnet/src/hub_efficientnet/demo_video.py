"""The video demo: generated motion clips, EfficientNet-Lite0 frames, order-aware vs order-blind heads.

    python -m hub_efficientnet.demo_video WORKDIR [--temporal conv mean] [--epochs 20]

Generates the motion data set (motion.py) unless WORKDIR already holds it, fine-tunes a
``video_classification`` task per temporal model on CPU with the backbone frozen (the head and
the temporal model train), and prints each one's test accuracy and wall time.  The best
``conv`` model is then in WORKDIR/ckpt_conv, ready for
``hubcore run video_classifier --directory WORKDIR/ckpt_conv --input_path CLIP``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import torch

from hub_efficientnet.motion import DIRECTIONS, generate
from hub_efficientnet.video_reader import VideoClassificationDataset, VideoClassificationReader
from hub_efficientnet.video_task import VideoClassifierTask


def finetune_video(
    data: Path,
    checkpoint_dir: Path,
    *,
    temporal: str = "conv",
    epochs: int = 20,
    num_segments: int = 6,
    frame_size: int = 96,
    batch_size: int = 8,
    learning_rate: float = 3e-3,
    seed: int = 0,
    trainable: bool = False,
    train_list: str = "train.txt",
) -> dict[str, Any]:
    """One run of the task on a generated data set; returns the summary with test metrics and seconds."""
    import hubcore
    from hubcore.finetune import AdamWeightDecayStrategy, RunConfig

    dataset = VideoClassificationDataset(
        data / train_list, data / "dev.txt", data / "test.txt", label_list_file=data / "label_list.txt"
    )
    context = hubcore.Module(name="efficientnet_lite0").context(trainable=trainable)
    reader = VideoClassificationReader(dataset, num_segments=num_segments, frame_size=frame_size, seed=seed)
    config = RunConfig(
        num_epoch=epochs,
        batch_size=batch_size,
        checkpoint_dir=checkpoint_dir,
        eval_interval=10_000,
        log_interval=20,
        seed=seed,
        strategy=AdamWeightDecayStrategy(learning_rate=learning_rate, warmup_proportion=0.1),
        tensorboard=False,
        progress=False,
    )
    task = VideoClassifierTask(context, reader, config, temporal=temporal)
    started = time.perf_counter()
    summary = task.finetune_and_eval()
    summary["seconds"] = time.perf_counter() - started
    summary["confusion"] = confusion(task, dataset)
    return summary


def confusion(task: VideoClassifierTask, dataset: VideoClassificationDataset) -> list[list[int]]:
    """Rows: true label, columns: predicted, over the test clips (the best model)."""
    examples = dataset.get_test_examples()
    labels = task.label_list
    matrix = [[0] * len(labels) for _ in labels]
    predicted = task.predict([e.text_a for e in examples]) if examples else []
    for example, guess in zip(examples, predicted, strict=True):
        matrix[labels.index(str(example.label))][labels.index(guess)] += 1
    return matrix


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--temporal", nargs="+", default=["conv", "mean"])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--train-per-class", type=int, default=24)
    parser.add_argument("--eval-per-class", type=int, default=10)
    parser.add_argument("--segments", type=int, default=6)
    parser.add_argument("--frame-size", type=int, default=96)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = args.workdir / "motion"
    if not (data / "label_list.txt").is_file():
        generate(data, train_per_class=args.train_per_class, eval_per_class=args.eval_per_class)
    results = {}
    for temporal in args.temporal:
        summary = finetune_video(
            data,
            args.workdir / f"ckpt_{temporal}",
            temporal=temporal,
            epochs=args.epochs,
            num_segments=args.segments,
            frame_size=args.frame_size,
        )
        results[temporal] = {
            "test_acc": summary["test"]["acc"],
            "seconds": round(summary["seconds"], 1),
            "confusion": summary["confusion"],
        }
        print(f"{temporal}: test accuracy {summary['test']['acc']:.3f} in {summary['seconds']:.0f} s")
        print(f"  confusion (rows true, columns predicted, {' '.join(DIRECTIONS)}): {summary['confusion']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
