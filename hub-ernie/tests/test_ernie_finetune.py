"""Fine-tuning a tiny ERNIE on real reviews with the Fine-tune API, then predicting in a new process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hubcore
from hubcore.finetune import (
    AdamWeightDecayStrategy,
    ClassifyReader,
    RunConfig,
    TextClassificationDataset,
    TextClassifierTask,
)

PREDICT = """
import json, sys, torch
torch.set_num_threads(1)
from hubcore.finetune import load_task
task = load_task(sys.argv[1])
texts = json.loads(sys.stdin.read())
print(json.dumps(task.predict(texts, batch_size=32), ensure_ascii=False))
"""


def _split(path: Path) -> tuple[list[str], list[str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    return [row[0] for row in rows], [row[1] for row in rows]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::hub_ernie._tokenizer.TruncationWarning")  # reviews run past 64 tokens
def test_text_classifier_learns_sentiment_saves_the_best_model_and_predicts_in_a_new_process(
    ernie_tiny_dir: Path, ernie_sentiment_dir: Path, tmp_path: Path
) -> None:
    module = hubcore.Module("ernie", directory=ernie_tiny_dir)  # its own copy: training changes it
    context = module.context(trainable=True, max_seq_len=64)
    files = [ernie_sentiment_dir / f"{phase}.tsv" for phase in ("train", "dev", "test")]
    dataset = TextClassificationDataset(*files)
    reader = ClassifyReader(dataset, context.tokenizer, max_seq_len=64)
    config = RunConfig(
        num_epoch=5,
        batch_size=32,
        checkpoint_dir=tmp_path / "run",
        eval_interval=32,
        log_interval=1000,
        strategy=AdamWeightDecayStrategy(learning_rate=2e-3),
        tensorboard=False,
        progress=False,
        seed=0,
    )
    summary = TextClassifierTask(context, reader, config).finetune()

    assert summary["best_metric"] >= 0.65, summary  # 300 balanced dev reviews: chance is 0.5
    best = tmp_path / "run" / "best_model"
    saved = json.loads((best / "task.json").read_text(encoding="utf-8"))
    assert saved["module"]["name"] == "ernie"
    assert saved["metric"]["value"] == pytest.approx(summary["best_metric"])

    texts, labels = _split(files[1])
    done = subprocess.run(
        [sys.executable, "-c", PREDICT, str(tmp_path / "run")],
        input=json.dumps(texts, ensure_ascii=False),
        capture_output=True,
        text=True,
        env={**os.environ, "HUBCORE_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore"},
        check=True,
    )
    predicted = json.loads(done.stdout)
    assert set(predicted) <= {"positive", "negative"}
    accuracy = sum(p == y for p, y in zip(predicted, labels, strict=True)) / len(labels)
    assert accuracy == pytest.approx(saved["metric"]["value"], abs=1.5 / len(labels))
