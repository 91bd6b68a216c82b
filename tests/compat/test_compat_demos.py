# ruff: noqa: E501  (the demo scripts keep PaddleHub's long argument lines)
"""PaddleHub 1.x's two fine-tuning demos run on hubcore with only the import line changed.

The scripts below are written here from a reading of PaddleHub's
``demo/text_classification/text_cls.py`` and ``demo/sequence_labeling/sequence_label.py``
(PaddlePaddle/PaddleHub, Apache-2.0): the same argument parser, the same calls in the
same order with the same keywords.  What differs from PaddleHub's files:

- ``import paddlehub as hub`` is ``import hubcore.compat as hub`` (and the sequence demo's
  unused ``import paddle.fluid as fluid`` is dropped: the other import line);
- the module is ``"lac"`` (LAC's pretrained BiGRU encoder, available offline) where the
  demos load ``"ernie_tiny"``, which no machine here can download.

They run in this process (``runpy``) so that ChnSentiCorp's download can be served from
127.0.0.1 by the test's asset server; arguments are the demos' own, chosen small.
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path
from typing import Any

import pytest

from hubcore import load_task

TEXT_CLS = '''\
"""Finetuning on classification task """

import argparse
import ast
import hubcore.compat as hub

parser = argparse.ArgumentParser(__doc__)
parser.add_argument("--num_epoch", type=int, default=3, help="Number of epoches for fine-tuning.")
parser.add_argument("--use_gpu", type=ast.literal_eval, default=True, help="Whether use GPU for finetuning")
parser.add_argument("--learning_rate", type=float, default=5e-5, help="Learning rate used to train with warmup.")
parser.add_argument("--weight_decay", type=float, default=0.01, help="Weight decay rate for L2 regularizer.")
parser.add_argument("--warmup_proportion", type=float, default=0.1, help="Warmup proportion")
parser.add_argument("--checkpoint_dir", type=str, default=None, help="Directory to model checkpoint")
parser.add_argument("--max_seq_len", type=int, default=512, help="Number of words of the longest seqence.")
parser.add_argument("--batch_size", type=int, default=32, help="Total examples' number in batch for training.")
parser.add_argument("--use_data_parallel", type=ast.literal_eval, default=False, help="Whether use data parallel.")
args = parser.parse_args()

if __name__ == '__main__':
    module = hub.Module(name="lac")
    inputs, outputs, program = module.context(trainable=True, max_seq_len=args.max_seq_len)

    dataset = hub.dataset.ChnSentiCorp()
    metrics_choices = ["acc"]

    reader = hub.reader.ClassifyReader(
        dataset=dataset,
        vocab_path=module.get_vocab_path(),
        max_seq_len=args.max_seq_len,
        sp_model_path=module.get_spm_path(),
        word_dict_path=module.get_word_dict_path())

    pooled_output = outputs["pooled_output"]

    feed_list = [
        inputs["input_ids"].name,
        inputs["position_ids"].name,
        inputs["segment_ids"].name,
        inputs["input_mask"].name,
    ]

    strategy = hub.AdamWeightDecayStrategy(
        warmup_proportion=args.warmup_proportion,
        weight_decay=args.weight_decay,
        learning_rate=args.learning_rate)

    config = hub.RunConfig(
        use_data_parallel=args.use_data_parallel,
        use_cuda=args.use_gpu,
        num_epoch=args.num_epoch,
        batch_size=args.batch_size,
        checkpoint_dir=args.checkpoint_dir,
        strategy=strategy)

    cls_task = hub.TextClassifierTask(
        data_reader=reader,
        feature=pooled_output,
        feed_list=feed_list,
        num_classes=dataset.num_labels,
        config=config,
        metrics_choices=metrics_choices)

    cls_task.finetune_and_eval()
'''

SEQUENCE_LABEL = '''\
"""Fine-tuning on sequence labeling task."""

import argparse
import ast

import hubcore.compat as hub

parser = argparse.ArgumentParser(__doc__)
parser.add_argument("--num_epoch", type=int, default=3, help="Number of epoches for fine-tuning.")
parser.add_argument("--use_gpu", type=ast.literal_eval, default=True, help="Whether use GPU for fine-tuning")
parser.add_argument("--learning_rate", type=float, default=5e-5, help="Learning rate used to train with warmup.")
parser.add_argument("--weight_decay", type=float, default=0.01, help="Weight decay rate for L2 regularizer.")
parser.add_argument("--warmup_proportion", type=float, default=0.1, help="Warmup proportion")
parser.add_argument("--max_seq_len", type=int, default=512, help="Number of words of the longest seqence.")
parser.add_argument("--batch_size", type=int, default=32, help="Total examples' number in batch for training.")
parser.add_argument("--checkpoint_dir", type=str, default=None, help="Directory to model checkpoint")
parser.add_argument("--use_data_parallel", type=ast.literal_eval, default=False, help="Whether use data parallel.")
args = parser.parse_args()

if __name__ == '__main__':
    module = hub.Module(name="lac")
    inputs, outputs, program = module.context(trainable=True, max_seq_len=args.max_seq_len)

    dataset = hub.dataset.MSRA_NER()
    reader = hub.reader.SequenceLabelReader(
        dataset=dataset,
        vocab_path=module.get_vocab_path(),
        max_seq_len=args.max_seq_len,
        sp_model_path=module.get_spm_path(),
        word_dict_path=module.get_word_dict_path())

    sequence_output = outputs["sequence_output"]

    feed_list = [
        inputs["input_ids"].name, inputs["position_ids"].name,
        inputs["segment_ids"].name, inputs["input_mask"].name
    ]

    strategy = hub.AdamWeightDecayStrategy(
        warmup_proportion=args.warmup_proportion,
        weight_decay=args.weight_decay,
        learning_rate=args.learning_rate)

    config = hub.RunConfig(
        use_data_parallel=args.use_data_parallel,
        use_cuda=args.use_gpu,
        num_epoch=args.num_epoch,
        batch_size=args.batch_size,
        checkpoint_dir=args.checkpoint_dir,
        strategy=strategy)

    seq_label_task = hub.SequenceLabelTask(
        data_reader=reader,
        feature=sequence_output,
        feed_list=feed_list,
        max_seq_len=args.max_seq_len,
        num_classes=dataset.num_labels,
        config=config,
        add_crf=False)

    seq_label_task.finetune_and_eval()
'''


def _run_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, args: list[str]
) -> dict[str, Any]:
    script = tmp_path / "demo.py"
    script.write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", [str(script), *args])
    monkeypatch.chdir(tmp_path)
    with pytest.warns(UserWarning, match="feed_list is ignored"):
        return runpy.run_path(str(script), run_name="__main__")


def _records(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.slow
def test_text_cls_demo_runs_with_only_the_import_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chnsenticorp_standin: dict[str, str]
) -> None:
    ckpt = tmp_path / "ckpt_cls"
    args = ["--use_gpu", "False", "--num_epoch", "2", "--batch_size", "16", "--max_seq_len", "32"]
    args += ["--learning_rate", "5e-3", "--checkpoint_dir", str(ckpt)]
    namespace = _run_demo(tmp_path, monkeypatch, TEXT_CLS, args)

    task = namespace["cls_task"]
    assert task.config.num_epoch == 2 and task.config.batch_size == 16 and task.config.device == "cpu"
    assert task.state.step == 2 * 32 // 16  # every training example seen twice
    saved = json.loads((ckpt / "best_model" / "task.json").read_text(encoding="utf-8"))
    assert saved["task"] == "text_classification" and saved["module"]["name"] == "lac"
    assert saved["label_list"] == ["0", "1"] and saved["metric"]["name"] == "acc"
    tests = [r for r in _records(ckpt) if r.get("phase") == "test"]
    assert tests and 0.0 <= tests[-1]["acc"] <= 1.0

    # PaddleHub's predict conventions on the demo's task, then the saved model in one call.
    rows = [[line.split("\t", 1)[1]] for line in chnsenticorp_standin["test"].splitlines()[1:9]]
    labels = task.predict(data=rows, return_result=True)
    states = task.predict(data=rows, return_result=False)
    probabilities = [p for state in states for p in state.run_results[0].tolist()]
    assert labels == ["0" if p[0] > p[1] else "1" for p in probabilities]
    assert sum(state.run_examples for state in states) == len(rows)
    assert load_task(ckpt).predict([row[0] for row in rows]) == labels


@pytest.mark.slow
def test_sequence_label_demo_runs_with_only_the_import_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, msra_home: Path
) -> None:
    ckpt = tmp_path / "ckpt_seq"
    args = ["--use_gpu", "False", "--num_epoch", "1", "--batch_size", "16", "--max_seq_len", "32"]
    args += ["--learning_rate", "5e-3", "--checkpoint_dir", str(ckpt)]
    namespace = _run_demo(tmp_path, monkeypatch, SEQUENCE_LABEL, args)

    task = namespace["seq_label_task"]
    labels = ["B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "O"]
    saved = json.loads((ckpt / "best_model" / "task.json").read_text(encoding="utf-8"))
    assert saved["task"] == "sequence_label" and saved["label_list"] == labels
    assert saved["task_config"]["use_crf"] is False and saved["metric"]["name"] == "f1"
    tests = [r for r in _records(ckpt) if r.get("phase") == "test"]
    assert tests and {"f1", "precision", "recall"} <= set(tests[-1])

    # PaddleHub's predict input: each "\\002"-joined text wrapped in a list.
    texts = ["王小明在北京大学读书", "今天天气很好"]
    tags = task.predict(data=[["\002".join(text)] for text in texts], return_result=True)
    assert [len(t) for t in tags] == [len(text) for text in texts]
    assert all(tag in labels for sequence in tags for tag in sequence)
    assert load_task(ckpt).predict(texts) == tags
