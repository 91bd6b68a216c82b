"""The tasks on hub-lac's real pretrained encoder, and load_task rebuilding it by module name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

import hubcore
from hubcore.finetune import (
    AdamWeightDecayStrategy,
    RunConfig,
    SequenceLabelTask,
    TextClassifierTask,
    load_task,
)

pytest.importorskip("hub_lac", reason="hub-lac is installed with the workspace (nox -s tests)")


@pytest.fixture(scope="module")
def lac_context() -> Any:
    return hubcore.Module("lac").context(trainable=True, max_seq_len=32)


def test_lac_encoder_fine_tunes_and_reloads_by_module_name(
    tmp_path: Path, lac_context: Any, make_reader: Any
) -> None:
    reader = make_reader("cls", lac_context, limit=16)
    config = RunConfig(
        num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=AdamWeightDecayStrategy(1e-3)
    )
    module = {"name": "lac", "kwargs": {}, "context_kwargs": {"max_seq_len": 32}}
    task = TextClassifierTask(lac_context, reader, config, network="bow", module=module)
    embedding_before = lac_context.encoder.embedding.weight.detach().clone()
    task.finetune()
    assert not torch.equal(embedding_before, lac_context.encoder.embedding.weight)  # the encoder trained too
    texts = ["很好用，推荐", "太差了"]
    loaded = load_task(tmp_path / "run")  # hubcore.Module("lac").context(max_seq_len=32), then the weights
    assert type(loaded.context.encoder).__name__ == type(lac_context.encoder).__name__
    best = load_task(tmp_path / "run", context=lac_context)
    assert torch.allclose(torch.tensor(loaded.predict_proba(texts)), torch.tensor(best.predict_proba(texts)))


def test_lac_sequence_labelling_with_crf_runs_on_segmentation(
    tmp_path: Path, lac_context: Any, make_reader: Any
) -> None:
    reader = make_reader("seq", lac_context, limit=16)
    config = RunConfig(
        num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=AdamWeightDecayStrategy(1e-3)
    )
    task = SequenceLabelTask(lac_context, reader, config, use_crf=True)
    summary = task.finetune()
    assert 0.0 < summary["best_metric"] <= 1.0  # the pretrained features segment from the start
    assert len(task.predict(["我爱北京天安门"])[0]) == 7
