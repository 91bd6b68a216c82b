"""The context's character encoding drives SequenceLabelTask: word segmentation on People's Daily."""

from __future__ import annotations

from pathlib import Path

import pytest

import hubcore
from hubcore.finetune import (
    AdamWeightDecayStrategy,
    RunConfig,
    SequenceLabelDataset,
    SequenceLabelReader,
    SequenceLabelTask,
)

PKU = Path(__file__).resolve().parents[2] / "tests" / "finetune" / "fixtures" / "pku_seg"


@pytest.mark.slow
@pytest.mark.filterwarnings(
    "ignore::hub_ernie._tokenizer.TruncationWarning"
)  # sentences run past 64 characters
def test_sequence_label_task_learns_word_boundaries_with_a_tiny_ernie(tmp_path: Path) -> None:
    from hub_ernie.testing import build_tiny_checkpoint

    files = [PKU / f"{phase}.tsv" for phase in ("train", "dev")]
    sentences = [
        line.split("\t")[0].replace("\x02", "") for f in files for line in f.read_text("utf-8").splitlines()
    ]
    checkpoint = build_tiny_checkpoint(tmp_path / "tiny-seg", sentences, layers=2, hidden=48, heads=2)
    context = hubcore.Module("ernie", directory=checkpoint).context(trainable=True, max_seq_len=64)
    reader = SequenceLabelReader(SequenceLabelDataset(*files), context.tokenizer, max_seq_len=64)
    config = RunConfig(
        num_epoch=3,
        batch_size=32,
        checkpoint_dir=tmp_path / "run",
        eval_interval=10_000,
        log_interval=10_000,
        strategy=AdamWeightDecayStrategy(learning_rate=3e-3),
        tensorboard=False,
        progress=False,
    )
    task = SequenceLabelTask(context, reader, config)
    untrained = task.eval("dev")["f1"]
    summary = task.finetune()
    # Untrained chunk F1 is about 0.33 here; three short epochs reach about 0.58.
    assert summary["best_metric"] >= 0.5 and summary["best_metric"] > untrained + 0.15, (untrained, summary)

    text = "中国人民银行发布新政策"
    (tags,) = task.predict([text])
    assert len(tags) == len(text) and set(tags) <= {"B", "M", "E", "S"}
