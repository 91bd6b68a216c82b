"""Pairwise text matching on LAC's encoder: triples train a margin ranking, labelled pairs are scored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import hubcore
from hubcore import HubcoreError, RunConfig, load_task
from hubcore.finetune.data.matching import PairwiseMatchingDataset, TripleExample
from hubcore.finetune.readers.matching import NEGATIVE, PairwiseMatchingReader
from hubcore.finetune.tasks.matching import PairwiseTextMatchingTask

TRIPLES = [  # query, a text with the same intent, one without (written for this test)
    ("今天北京会下雨吗", "北京今天下雨吗", "这本书多少钱"),
    ("怎么煮米饭好吃", "米饭怎么煮才好吃", "手机充不进电"),
    ("学英语有什么好方法", "有什么学英语的好方法", "周末去哪里玩"),
    ("电脑开机很慢", "电脑开机特别慢怎么办", "西瓜怎么挑选"),
    ("附近有银行吗", "这附近有没有银行", "咖啡喝多了好吗"),
    ("明天几点开会", "明天开会是几点", "怎么养绿萝"),
]
PAIRS = [("今天北京会下雨吗", "北京今天下雨吗", "1"), ("怎么煮米饭好吃", "这本书多少钱", "0")]


@pytest.fixture
def data(tmp_path: Path) -> PairwiseMatchingDataset:
    (tmp_path / "train.tsv").write_text(
        "text_a\ttext_b\ttext_c\n" + "".join("\t".join(t) + "\n" for t in TRIPLES), encoding="utf-8"
    )
    (tmp_path / "dev.tsv").write_text("".join("\t".join(p) + "\n" for p in PAIRS), encoding="utf-8")
    return PairwiseMatchingDataset(tmp_path / "train.tsv", tmp_path / "dev.tsv")


def test_the_dataset_reads_triples_and_labelled_pairs(data: PairwiseMatchingDataset, tmp_path: Path) -> None:
    first = data.get_train_examples()[0]
    assert isinstance(first, TripleExample) and (first.text_a, first.text_b, first.text_c) == TRIPLES[0]
    assert [(e.text_b, e.label) for e in data.get_dev_examples()] == [(p[1], p[2]) for p in PAIRS]
    (tmp_path / "bad.tsv").write_text("只有\t两列\n", encoding="utf-8")
    with pytest.raises(HubcoreError, match=r"bad\.tsv, line 1: expected 3 non-empty fields"):
        PairwiseMatchingDataset(tmp_path / "bad.tsv").get_train_examples()


def _margin_loss(task: PairwiseTextMatchingTask) -> float:
    model = task.model.eval()
    with torch.no_grad():
        batch = task.reader.collate(task.encoded("train"))
        return float(task.forward(model, batch)["loss"])


@pytest.mark.slow
def test_pairwise_matching_trains_reports_and_reloads(data: PairwiseMatchingDataset, tmp_path: Path) -> None:
    context = hubcore.Module("lac").context(trainable=True, max_seq_len=32)
    reader = PairwiseMatchingReader(data, context.tokenizer, max_seq_len=32)
    batch = reader.collate(reader.encoded("train")[:2])
    assert batch[NEGATIVE + "input_ids"].shape[0] == 2 and NEGATIVE + "attention_mask" in batch
    config = RunConfig(
        num_epoch=4, batch_size=3, checkpoint_dir=tmp_path / "run", progress=False,
        strategy=hubcore.AdamWeightDecayStrategy(learning_rate=5e-3),
    )  # fmt: skip
    task = PairwiseTextMatchingTask(context, reader, config, margin=0.5)
    before = _margin_loss(task)
    summary = task.finetune()
    assert _margin_loss(task) < before  # the ranking was learnt on the training triples
    evals = [record for record in summary["history"] if record["phase"] == "dev"]
    assert evals and {"acc", "f1", "precision", "recall", "loss"} <= set(evals[-1])
    assert 0.0 <= evals[-1]["acc"] <= 1.0
    saved = json.loads((tmp_path / "run" / "best_model" / "task.json").read_text(encoding="utf-8"))
    assert saved["task"] == "pairwise_text_matching" and saved["reader"] == "pairwise_matching"
    pairs = [[a, b] for a, b, _ in PAIRS]
    assert load_task(tmp_path / "run").predict(pairs) == task.predict(pairs)
    assert set(task.predict(pairs)) <= {"0", "1"}
