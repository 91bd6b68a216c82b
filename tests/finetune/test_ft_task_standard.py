"""The standard tasks learn what they should, and report the metrics they promise."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

import hubcore
from hubcore.finetune import (
    ImageClassificationDataset,
    ImageClassificationReader,
    ImageClassifierTask,
    MultiLabelClassifierTask,
    RegressionTask,
    RunConfig,
    SequenceLabelTask,
    TextClassifierTask,
    load_task,
)
from hubcore.testing.toy_modules import ToyImageModule


def _keyword_rows(seed: int, *, multi: bool = False) -> dict[str, list[tuple[str, str]]]:
    """Texts of filler characters plus keywords from two disjoint pools: a task every head must solve.

    Single-label rows hold keywords of one pool; ``multi`` rows hold either pool, both or neither,
    labelled with the comma-separated pools present.
    """
    rng = random.Random(seed)
    pools = {"positive": "好棒赞喜爱美妙佳优", "negative": "差烂坏糟恨丑劣次"}
    filler = "的了是在我有他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年"

    def row() -> tuple[str, str]:
        chars = [rng.choice(filler) for _ in range(rng.randint(6, 14))]
        present = [name for name in pools if rng.random() < 0.5] if multi else [rng.choice(list(pools))]
        for name in present:
            for _ in range(2):
                chars.insert(rng.randrange(len(chars) + 1), rng.choice(pools[name]))
        return "".join(chars), ",".join(present)

    sizes = [("train", 96), ("dev", 40), ("test", 40)]
    return {phase: [row() for _ in range(n)] for phase, n in sizes}


def _config(tmp_path: Path, strategy: Any, **kw: Any) -> RunConfig:
    base = {
        "num_epoch": 4,
        "batch_size": 16,
        "checkpoint_dir": tmp_path / "run",
        "strategy": strategy,
        "log_interval": 5,
    }
    return RunConfig(**{**base, **kw})


@pytest.mark.parametrize("network", [None, "bow", "cnn", "bilstm"])
def test_text_classifier_learns_keywords_with_each_head(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any, network: str | None
) -> None:
    reader = make_reader("cls", toy_context, rows=_keyword_rows(0))
    task = TextClassifierTask(toy_context, reader, _config(tmp_path, strategy, num_epoch=6), network=network)
    before = task.eval("dev")["acc"]
    summary = task.finetune_and_eval()
    assert summary["test"]["acc"] >= 0.9 > before
    assert set(summary["test"]) >= {"loss", "acc", "precision", "recall", "f1"}
    assert task.predict(["好棒的一天", "糟糕差劲"]) == ["positive", "negative"]
    probabilities = task.predict_proba(["好棒"])[0]
    assert len(probabilities) == 2 and sum(probabilities) == pytest.approx(1.0)


def test_text_classifier_on_the_review_sample(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    reader = make_reader("cls", toy_context, limit=64)
    task = TextClassifierTask(toy_context, reader, _config(tmp_path, strategy, num_epoch=1))
    summary = task.finetune()
    meta = json.loads((tmp_path / "run" / "best_model" / "task.json").read_text(encoding="utf-8"))
    assert meta["label_list"] == ["negative", "positive"]
    assert meta["metric"]["name"] == "acc" and meta["metric"]["value"] == summary["best_metric"]
    assert 0.0 <= summary["best_metric"] <= 1.0


def test_sequence_labelling_with_crf_improves_chunk_f1(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    reader = make_reader("seq", toy_context, limit=80)
    task = SequenceLabelTask(toy_context, reader, _config(tmp_path, strategy, num_epoch=3), use_crf=True)
    before = task.eval("dev")
    summary = task.finetune_and_eval()
    assert summary["best_metric"] > before["f1"] + 0.1
    assert set(summary["test"]) >= {"precision", "recall", "f1", "loss"}
    tags = task.predict(["我们爱北京"])[0]
    assert len(tags) == 5 and set(tags) <= {"B", "M", "E", "S"}
    # the CRF's transitions learnt something: B->B is discouraged against B->E
    transitions = task.model.head.crf.transitions
    b, e = reader.label_list.index("B"), reader.label_list.index("E")
    assert transitions[b, e] > transitions[b, b]


def test_sequence_labelling_softmax_predicts_per_character(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    reader = make_reader("seq", toy_context, limit=40)
    task = SequenceLabelTask(toy_context, reader, _config(tmp_path, strategy, num_epoch=1))
    task.finetune()
    texts = ["今天天气很好", ["北", "京"]]
    predictions = task.predict(texts)
    assert [len(p) for p in predictions] == [6, 2]


def test_multi_label_reports_mean_auc(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    sample = make_reader("multi", toy_context, limit=16)  # the review sample reads as multi-label too
    assert sample.label_list == ["negative", "positive", "long"]
    rows = _keyword_rows(2, multi=True)
    reader = make_reader("multi", toy_context, rows=rows)
    task = MultiLabelClassifierTask(toy_context, reader, _config(tmp_path, strategy, num_epoch=6))
    summary = task.finetune_and_eval()
    assert summary["test"]["auc"] > 0.9
    assert task.main_metric == "auc" and "f1" in summary["test"]
    predicted = task.predict([text for text, _ in rows["test"]])
    gold = [[name for name in reader.label_list if name in labels.split(",")] for _, labels in rows["test"]]
    assert sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold) >= 0.6


def test_regression_reports_pearson(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    reader = make_reader(
        "reg",
        toy_context,
        rows={
            k: [(t, "1.0" if lab == "positive" else "0.0") for t, lab in v]
            for k, v in _keyword_rows(1).items()
        },
    )
    task = RegressionTask(toy_context, reader, _config(tmp_path, strategy))
    summary = task.finetune_and_eval()
    assert summary["test"]["pearson"] > 0.8
    assert set(summary["test"]) >= {"pearson", "spearman", "mse"}
    values = task.predict(["好棒好棒", "糟糕差劲"])
    assert values[0] > values[1]


def _images(folder: Path) -> dict[str, Path]:
    from PIL import Image

    rng = random.Random(0)
    files = {}
    for phase, count in [("train", 24), ("dev", 8), ("test", 8)]:
        lines = []
        for index in range(count):
            label = ["red", "blue"][index % 2]
            colour = (
                (200 + rng.randint(0, 55), rng.randint(0, 60), 0)
                if label == "red"
                else (0, rng.randint(0, 60), 200)
            )
            name = f"{phase}_{index}.png"
            Image.new("RGB", (20, 16), colour).save(folder / name)
            lines.append(f"{name} {label}\n")
        files[phase] = folder / f"{phase}.txt"
        files[phase].write_text("".join(lines), encoding="utf-8")
    (folder / "labels.txt").write_text("red\nblue\n", encoding="utf-8")
    return files


def test_image_classifier_learns_colours_and_reloads(tmp_path: Path, strategy: Any) -> None:
    files = _images(tmp_path)
    dataset = ImageClassificationDataset(
        files["train"], files["dev"], files["test"], label_list_file=tmp_path / "labels.txt"
    )
    context = ToyImageModule(width=8).context(trainable=True)
    reader = ImageClassificationReader(dataset, image_size=16, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    task = ImageClassifierTask(context, reader, _config(tmp_path, strategy, batch_size=8, num_epoch=6))
    summary = task.finetune_and_eval()
    assert summary["test"]["acc"] == 1.0
    loaded = load_task(tmp_path / "run")
    paths = [str(tmp_path / "test_0.png"), str(tmp_path / "test_1.png")]
    assert loaded.predict(paths) == task.predict(paths) == ["red", "blue"]


def test_tasks_are_registered_through_the_plugin_hook() -> None:
    names = {
        "text_classification": TextClassifierTask,
        "sequence_label": SequenceLabelTask,
        "multi_label_classification": MultiLabelClassifierTask,
        "image_classification": ImageClassifierTask,
        "regression": RegressionTask,
    }
    for name, cls in names.items():
        assert hubcore.load_component("task", name) is cls
        assert hubcore.get_component_spec("task", name).plugin == "hubcore"


def test_bad_task_arguments_are_clear(toy_context: Any, make_reader: Any) -> None:
    reader = make_reader("cls", toy_context, limit=8)
    with pytest.raises(hubcore.HubcoreError, match="network 'rnn' is not one of bow, cnn, bilstm"):
        TextClassifierTask(toy_context, reader, network="rnn")
