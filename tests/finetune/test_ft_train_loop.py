"""The training loop's schedule, its curves (metrics.jsonl, TensorBoard) and its settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import hubcore
from hubcore.finetune import RunConfig, TextClassifierTask
from hubcore.finetune.config import RunConfigError


def _lines(run: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_set_smaller_than_one_interval_is_still_evaluated_and_saved(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    reader = make_reader("cls", toy_context, limit=20)  # 2 steps an epoch at batch 16
    config = RunConfig(num_epoch=2, batch_size=16, checkpoint_dir=tmp_path / "run", strategy=strategy)
    assert config.eval_interval > 4 and config.log_interval > 4
    TextClassifierTask(toy_context, reader, config).finetune()
    lines = _lines(tmp_path / "run")
    assert [line["step"] for line in lines if line["event"] == "eval"] == [2, 4]
    assert [line["step"] for line in lines if line["event"] == "train"] == [4]  # the last step is logged
    assert [line["path"] for line in lines if line["event"] == "checkpoint"] == [
        "step_00000002",
        "step_00000004",
    ]
    assert (tmp_path / "run" / "best_model" / "model.safetensors").is_file()
    assert lines[0]["event"] == "start" and lines[0]["total_steps"] == 4 and lines[0]["steps_per_epoch"] == 2


def test_curves_reach_tensorboard_and_jsonl_line_by_line(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    run = tmp_path / "run"
    seen_while_training: list[int] = []

    def on_log(step: int, values: dict[str, float]) -> None:
        # the line is on disk already, before the run ends
        seen_while_training.append(_lines(run)[-1]["step"])

    reader = make_reader("cls", toy_context, limit=48)
    config = RunConfig(
        num_epoch=1, batch_size=8, checkpoint_dir=run, strategy=strategy, log_interval=2, eval_interval=3
    )
    watching = TextClassifierTask(toy_context, reader, config)
    watching.on_log = on_log  # type: ignore[method-assign]  # an event hook on one instance
    watching.finetune()
    assert seen_while_training == [2, 4, 6]
    train = [line for line in _lines(run) if line["event"] == "train"]
    assert all({"loss", "lr", "steps_per_s", "epoch"} <= set(line) for line in train)
    assert train[0]["lr"] != train[-1]["lr"]  # warm-up and decay move the rate

    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run / "visualization"))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    assert {"train/loss", "train/lr", "dev/loss", "dev/acc", "dev/f1"} <= tags
    assert [e.step for e in events.Scalars("dev/acc")] == [3, 6]
    assert [e.step for e in events.Scalars("train/loss")] == [2, 4, 6]


def test_progress_is_quiet_without_a_terminal(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    reader = make_reader("cls", toy_context, limit=16)
    config = RunConfig(num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy)
    TextClassifierTask(toy_context, reader, config).finetune()
    out = capsys.readouterr().out
    assert "━" not in out and "\r" not in out
    assert "step 2 [dev]" in out  # the evaluation summary is still printed


def test_progress_bar_shows_step_loss_and_speed(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from hubcore.finetune.training.log import TrainLogger

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    logger = TrainLogger(tmp_path, tensorboard=False, progress=True, console=console)
    logger.start(10)
    logger.advance(4, loss=0.5, steps_per_s=3.25)
    logger.close()
    text = buffer.getvalue()
    assert "4/10" in text and "loss 0.5000" in text and "3.25 step/s" in text


def test_no_dev_split_still_saves_a_best_model(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any, sentiment_rows: Any
) -> None:
    reader = make_reader("cls", toy_context, rows={"train": sentiment_rows["train"][:16]})
    config = RunConfig(num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy)
    summary = TextClassifierTask(toy_context, reader, config).finetune()
    assert summary["best_metric"] is None and summary["history"] == []
    meta = json.loads((tmp_path / "run" / "best_model" / "task.json").read_text(encoding="utf-8"))
    assert meta["metric"]["phase"] == "train" and meta["metric"]["step"] == 2


def test_max_train_steps_stops_early(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    reader = make_reader("cls", toy_context, limit=64)
    config = RunConfig(
        num_epoch=5, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy, max_train_steps=3
    )
    summary = TextClassifierTask(toy_context, reader, config).finetune()
    assert summary["steps"] == 3
    assert [line["step"] for line in _lines(tmp_path / "run") if line["event"] == "eval"] == [3]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("num_epoch", 0, "RunConfig.num_epoch must be a positive int, got 0"),
        ("batch_size", 2.5, "RunConfig.batch_size must be a positive int, got 2.5"),
        ("eval_interval", True, "RunConfig.eval_interval must be a positive int, got True"),
        ("save_ckpt_interval", -1, "RunConfig.save_ckpt_interval must be a positive int"),
        ("seed", -3, "RunConfig.seed must be a non-negative int"),
        ("strategy", "adam", "RunConfig.strategy str is not a Strategy: it lacks build"),
    ],
)
def test_run_config_rejects_bad_values(tmp_path: Path, field: str, value: Any, message: str) -> None:
    with pytest.raises(RunConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        RunConfig(checkpoint_dir=tmp_path, **{field: value})
    assert issubclass(RunConfigError, hubcore.HubcoreError)


def test_run_config_file_as_checkpoint_dir_and_missing_cuda(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunConfigError, match="is a file"):
        RunConfig(checkpoint_dir=tmp_path / "file")
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(RunConfigError, match="use_cuda=True, but torch sees no CUDA device"):
            _ = RunConfig(checkpoint_dir=tmp_path, use_cuda=True).device


def test_data_parallel_without_torchrun_is_a_clear_error(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RANK", raising=False)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    reader = make_reader("cls", toy_context, limit=8)
    config = RunConfig(checkpoint_dir=tmp_path / "run", strategy=strategy, use_data_parallel=True)
    with pytest.raises(hubcore.HubcoreError, match="needs a torchrun launch"):
        TextClassifierTask(toy_context, reader, config).finetune()


def test_an_unknown_main_metric_is_named(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    reader = make_reader("cls", toy_context, limit=8)
    config = RunConfig(num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy)
    wrong = TextClassifierTask(toy_context, reader, config)
    wrong.main_metric = "accuracy"
    with pytest.raises(hubcore.HubcoreError, match="main_metric 'accuracy' is not among its metrics"):
        wrong.finetune()
