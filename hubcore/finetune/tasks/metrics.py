"""Evaluation metrics, computed here from plain predictions and labels.

Every function takes Python sequences (or NumPy arrays) of per-example values
and returns floats, so tasks can combine them freely and the results go
straight into JSON logs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def accuracy(predictions: ArrayLike, labels: ArrayLike) -> float:
    """Share of exact matches."""
    preds, gold = np.asarray(predictions), np.asarray(labels)
    if len(gold) == 0:
        return 0.0
    return float((preds == gold).mean())


def precision_recall_f1(
    predictions: ArrayLike, labels: ArrayLike, *, num_classes: int, average: str = "macro"
) -> dict[str, float]:
    """Precision, recall and F1: ``"binary"`` (class 1), ``"macro"`` or ``"micro"``."""
    preds, gold = np.asarray(predictions), np.asarray(labels)
    classes = [1] if average == "binary" else list(range(num_classes))
    tp = np.array([np.sum((preds == c) & (gold == c)) for c in classes], dtype=float)
    fp = np.array([np.sum((preds == c) & (gold != c)) for c in classes], dtype=float)
    fn = np.array([np.sum((preds != c) & (gold == c)) for c in classes], dtype=float)
    if average == "micro":
        tp, fp, fn = tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True)
    precision = _safe_div(tp, tp + fp)
    recall = _safe_div(tp, tp + fn)
    f1 = _safe_div(2 * precision * recall, precision + recall)
    return {"precision": float(precision.mean()), "recall": float(recall.mean()), "f1": float(f1.mean())}


def chunks(tags: list[str]) -> set[tuple[int, int, str]]:
    """Spans ``(start, end_exclusive, type)`` in a tag sequence.

    Reads IOB2/BIO, IOBES/BIOES and BMES (``S``/``B``/``M``/``E``), with an
    optional ``-TYPE`` suffix (``B-PER``) or none (word segmentation).  ``O`` is
    outside; an ``I``/``M``/``E`` that does not continue the open chunk starts a
    new one, as conlleval does.
    """
    found: set[tuple[int, int, str]] = set()
    start, kind = -1, ""
    for index, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        prefix = prefix.upper()
        if prefix == "O" or prefix not in {"B", "I", "M", "E", "S"}:
            if start >= 0:
                found.add((start, index, kind))
            start = -1
            continue
        continues = start >= 0 and label == kind and prefix in {"I", "M", "E"}
        if not continues:
            if start >= 0:
                found.add((start, index, kind))
            start, kind = index, label
        if prefix in {"E", "S"}:
            found.add((start, index + 1, kind))
            start = -1
    return found


def chunk_f1(predictions: list[list[str]], labels: list[list[str]]) -> dict[str, float]:
    """Chunk-level precision, recall and F1 over sentences of tags."""
    tp = n_pred = n_gold = 0
    for pred, gold in zip(predictions, labels, strict=True):
        pred_chunks, gold_chunks = chunks(pred), chunks(gold)
        tp += len(pred_chunks & gold_chunks)
        n_pred += len(pred_chunks)
        n_gold += len(gold_chunks)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def roc_auc(scores: ArrayLike, labels: ArrayLike) -> float:
    """Area under the ROC curve by the rank-sum formula, ties counted half.

    NaN when only one class is present, since the area is then undefined.
    """
    score, gold = np.asarray(scores, dtype=float), np.asarray(labels).astype(bool)
    n_pos, n_neg = int(gold.sum()), int((~gold).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = _average_ranks(score)
    return float((ranks[gold].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def mean_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean ROC AUC over the label columns where it is defined (NaN if none)."""
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels)
    values = [roc_auc(scores[:, j], labels[:, j]) for j in range(labels.shape[1])]
    defined = [v for v in values if not np.isnan(v)]
    return float(np.mean(defined)) if defined else float("nan")


def pearson(predictions: ArrayLike, labels: ArrayLike) -> float:
    """Pearson's correlation; 0 when either side is constant."""
    x, y = np.asarray(predictions, dtype=float), np.asarray(labels, dtype=float)
    x, y = x - x.mean(), y - y.mean()
    denominator = np.sqrt((x * x).sum() * (y * y).sum())
    return float((x * y).sum() / denominator) if denominator > 0 else 0.0


def spearman(predictions: ArrayLike, labels: ArrayLike) -> float:
    """Spearman's rank correlation (Pearson's on average ranks)."""
    return pearson(_average_ranks(np.asarray(predictions, float)), _average_ranks(np.asarray(labels, float)))


def mse(predictions: ArrayLike, labels: ArrayLike) -> float:
    """Mean squared error."""
    diff = np.asarray(predictions, dtype=float) - np.asarray(labels, dtype=float)
    return float((diff * diff).mean()) if diff.size else 0.0


def _average_ranks(values: np.ndarray) -> np.ndarray:
    # 1-based ranks, tied values sharing the mean of their ranks.
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=float)
    sorted_values = values[order]
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)
    return result
