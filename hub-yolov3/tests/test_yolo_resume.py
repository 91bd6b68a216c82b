"""DetectionTask on the Fine-tune API's checkpoints: a run stopped mid-way and resumed ends where
an unbroken run does, augmentation draws included."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch


class _StopError(Exception):
    pass


def _task(data: Path, ckpt: Path, stop_at: int | None = None):  # type: ignore[no-untyped-def]
    from hub_yolov3.task import DetectionReader, DetectionTask

    import hubcore
    from hubcore.finetune import CombinedStrategy, RunConfig

    torch.manual_seed(0)  # the from-scratch network's initial weights
    detector = hubcore.Module("yolov3_tiny", pretrained=False, width=0.25, input_size=64)
    config = RunConfig(
        num_epoch=2,
        batch_size=8,
        checkpoint_dir=ckpt,
        save_ckpt_interval=2,
        eval_interval=100,
        strategy=CombinedStrategy("adam", 1e-3, scheduler={"decay": "linear"}),
        tensorboard=False,
        progress=False,
    )
    task = DetectionTask(detector.context(), DetectionReader(data, input_size=64), config)

    def on_checkpoint(folder: Path, step: int) -> None:
        if step == stop_at:
            raise _StopError(step)

    task.on_checkpoint = on_checkpoint  # type: ignore[method-assign]  # stops this one run
    return task


def test_resumed_run_matches_an_unbroken_one(tmp_path: Path) -> None:
    from hub_yolov3.shapes import generate

    data = generate(tmp_path / "data", splits={"train": 24, "val": 8}, size=64, classes=("circle", "square"))
    unbroken = _task(data, tmp_path / "a")
    unbroken.finetune()
    with pytest.raises(_StopError):
        _task(data, tmp_path / "b", stop_at=2).finetune()
    assert (tmp_path / "b" / "step_00000002").is_dir()
    resumed = _task(data, tmp_path / "b")
    summary = resumed.finetune()
    assert summary["steps"] == 6
    a, b = unbroken.model.state_dict(), resumed.model.state_dict()
    assert a.keys() == b.keys()
    for name in a:
        assert torch.allclose(a[name].float(), b[name].float(), atol=1e-6), name
    assert (tmp_path / "b" / "best_model" / "task.json").is_file()
