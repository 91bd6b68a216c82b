"""Metrics and the CRF against brute force and independent computations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from hubcore.finetune.tasks import metrics as m
from hubcore.finetune.tasks.crf import LinearChainCRF


def test_accuracy_and_f1_match_counts() -> None:
    preds = [0, 1, 1, 2, 2, 2, 0]
    gold = [0, 1, 2, 2, 1, 2, 1]
    assert m.accuracy(preds, gold) == pytest.approx(4 / 7)
    macro = m.precision_recall_f1(preds, gold, num_classes=3, average="macro")
    # class 0: tp1 fp1 fn0; class 1: tp1 fp1 fn2; class 2: tp2 fp1 fn1
    precision = (1 / 2 + 1 / 2 + 2 / 3) / 3
    recall = (1 + 1 / 3 + 2 / 3) / 3
    f1s = [2 * p * r / (p + r) for p, r in [(1 / 2, 1), (1 / 2, 1 / 3), (2 / 3, 2 / 3)]]
    assert macro["precision"] == pytest.approx(precision)
    assert macro["recall"] == pytest.approx(recall)
    assert macro["f1"] == pytest.approx(sum(f1s) / 3)
    binary = m.precision_recall_f1([1, 1, 0, 0], [1, 0, 1, 0], num_classes=2, average="binary")
    assert binary == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5})


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["B-PER", "I-PER", "O", "B-LOC"], {(0, 2, "PER"), (3, 4, "LOC")}),
        (["I-PER", "I-PER", "B-PER", "I-LOC"], {(0, 2, "PER"), (2, 3, "PER"), (3, 4, "LOC")}),
        (["b", "m", "e", "s", "b", "e"], {(0, 3, ""), (3, 4, ""), (4, 6, "")}),
        (["S-ORG", "B-ORG", "E-ORG", "O"], {(0, 1, "ORG"), (1, 3, "ORG")}),
        (["O", "O"], set()),
    ],
)
def test_chunks_read_bio_bioes_and_bmes(tags: list[str], expected: set[tuple[int, int, str]]) -> None:
    assert m.chunks(tags) == expected


def test_chunk_f1_counts_exact_spans() -> None:
    gold = [list("BESBME"), list("SS")]
    pred = [list("BESSSS"), list("SS")]
    # gold chunks: (0,2)(2,3)(3,6) + (0,1)(1,2); predicted: (0,2)(2,3)(3,4)(4,5)(5,6) + (0,1)(1,2)
    result = m.chunk_f1(pred, gold)
    assert result["precision"] == pytest.approx(4 / 7)
    assert result["recall"] == pytest.approx(4 / 5)
    assert result["f1"] == pytest.approx(2 * (4 / 7) * (4 / 5) / (4 / 7 + 4 / 5))


def test_auc_equals_pairwise_count() -> None:
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, size=40).astype(float)  # many ties
    labels = rng.integers(0, 2, size=40)
    pos, neg = scores[labels == 1], scores[labels == 0]
    pairs = [(p > n) + 0.5 * (p == n) for p in pos for n in neg]
    assert m.roc_auc(scores, labels) == pytest.approx(sum(pairs) / len(pairs))
    assert math.isnan(m.roc_auc([0.1, 0.2], [1, 1]))
    matrix = np.stack([scores, -scores], axis=1)
    gold = np.stack([labels, labels], axis=1)
    assert m.mean_auc(matrix, gold) == pytest.approx(
        (m.roc_auc(scores, labels) + m.roc_auc(-scores, labels)) / 2
    )


def test_correlations_and_mse() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    y = 0.5 * x + rng.normal(size=50)
    assert m.pearson(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1])
    rank_x, rank_y = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    assert m.spearman(x, y) == pytest.approx(np.corrcoef(rank_x, rank_y)[0, 1])
    assert m.mse([1, 2, 3], [1, 2, 5]) == pytest.approx(4 / 3)
    assert m.pearson([1, 1, 1], [1, 2, 3]) == 0.0


@torch.no_grad()
def _brute_force(crf: LinearChainCRF, emissions: torch.Tensor, length: int) -> tuple[torch.Tensor, list[int]]:
    scores = {}
    for path in itertools.product(range(crf.num_tags), repeat=length):
        score = crf.start[path[0]] + crf.end[path[-1]]
        score = score + sum(emissions[t, path[t]] for t in range(length))
        score = score + sum(crf.transitions[path[t - 1], path[t]] for t in range(1, length))
        scores[path] = score
    stacked = torch.stack(list(scores.values()))
    best = max(scores, key=lambda p: float(scores[p]))
    return torch.logsumexp(stacked, 0), list(best)


def test_crf_likelihood_and_viterbi_equal_enumeration() -> None:
    torch.manual_seed(0)
    crf = LinearChainCRF(3)
    with torch.no_grad():
        for p in crf.parameters():
            p.normal_()
    emissions = torch.randn(2, 4, 3)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])
    tags = torch.tensor([[0, 2, 1, 1], [2, 0, 0, 0]])
    nll = crf.neg_log_likelihood(emissions, tags, mask)
    expected = []
    for b, length in enumerate([4, 2]):
        log_z, best = _brute_force(crf, emissions[b], length)
        path = tags[b, :length].tolist()
        gold = crf.start[path[0]] + crf.end[path[-1]] + sum(emissions[b, t, path[t]] for t in range(length))
        gold = gold + sum(crf.transitions[path[t - 1], path[t]] for t in range(1, length))
        expected.append(log_z - gold)
        assert crf.decode(emissions[b : b + 1, :length], mask[b : b + 1, :length])[0] == best
    assert nll.item() == pytest.approx(torch.stack(expected).mean().item(), abs=1e-5)
    decoded = crf.decode(emissions, mask)
    assert [len(p) for p in decoded] == [4, 2]
    assert decoded[1] == _brute_force(crf, emissions[1], 2)[1]
