"""A user's own task, written by subclassing BasicTask and overriding the documented points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from hubcore.finetune import BasicTask, RunConfig, load_task
from hubcore.finetune.contract import POOLED_OUTPUT


class MLPHead(nn.Module):
    def __init__(self, dim: int, hidden: int, classes: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, classes))

    def forward(self, features: dict[str, torch.Tensor], batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        return {"logits": self.net(features[POOLED_OUTPUT])}


class BalancedSentimentTask(BasicTask):
    """Label-smoothed classification picked by balanced accuracy, predicting label and confidence."""

    main_metric = "balanced_acc"
    greater_is_better = True

    def __init__(
        self, context: Any, reader: Any, config: RunConfig | None = None, *, hidden: int = 24
    ) -> None:
        super().__init__(context, reader, config)
        self.hidden = hidden
        self.hparams = {"hidden": hidden}
        self.events: list[tuple[str, int]] = []

    def build_head(self) -> nn.Module:
        return MLPHead(self.context.sentence_dim, self.hidden, len(self.label_list))

    def compute_loss(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> torch.Tensor:
        return F.cross_entropy(outputs["logits"], batch["labels"], label_smoothing=0.1)

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        probabilities = torch.softmax(outputs["logits"], -1)
        confidence, index = probabilities.max(-1)
        return list(zip(index.tolist(), confidence.tolist(), strict=True))

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        recalls = []
        for label in set(labels):
            chosen = [p for (p, _), g in zip(predictions, labels, strict=True) if g == label]
            recalls.append(sum(p == label for p in chosen) / len(chosen))
        return {"balanced_acc": sum(recalls) / len(recalls)}

    def postprocess(self, prediction: Any) -> Any:
        index, confidence = prediction
        return {"label": self.label_list[index], "confidence": round(confidence, 6)}

    def on_eval_end(self, phase: str, metrics: dict[str, float], step: int) -> None:
        self.events.append((f"eval:{phase}", step))

    def on_checkpoint(self, folder: Path, step: int) -> None:
        self.events.append(("checkpoint", step))

    def on_best_model(self, folder: Path, metrics: dict[str, float], step: int) -> None:
        self.events.append(("best", step))

    def on_log(self, step: int, values: dict[str, float]) -> None:
        self.events.append(("log", step))


def test_a_user_subclass_trains_saves_and_reloads(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any, register_tasks: Any
) -> None:
    register_tasks(balanced_sentiment=BalancedSentimentTask)  # a saved model names registered classes
    reader = make_reader("cls", toy_context, limit=40)  # 3 steps an epoch
    config = RunConfig(
        num_epoch=2,
        batch_size=16,
        checkpoint_dir=tmp_path / "run",
        strategy=strategy,
        log_interval=2,
        eval_interval=2,
    )
    task = BalancedSentimentTask(toy_context, reader, config, hidden=7)
    summary = task.finetune()
    assert summary["steps"] == 6 and summary["main_metric"] == "balanced_acc"
    evals = [step for name, step in task.events if name == "eval:dev"]
    assert evals == [2, 3, 4, 6]  # every 2 steps and at each epoch's end, once per step
    assert [step for name, step in task.events if name == "checkpoint"] == [3, 6]
    assert [step for name, step in task.events if name == "log"] == [2, 4, 6]
    history = {entry["step"]: entry["balanced_acc"] for entry in summary["history"]}
    best_step = max(history, key=lambda s: (history[s], -s))
    assert summary["best_step"] == best_step and summary["best_metric"] == history[best_step]
    assert ("best", best_step) in task.events

    texts = ["质量很好，非常满意", "太差了，不会再买"]
    loaded = load_task(tmp_path / "run")  # module rebuilt from the context's own record
    assert isinstance(loaded, BalancedSentimentTask) and loaded.hidden == 7
    result = loaded.predict(texts)
    assert set(result[0]) == {"label", "confidence"} and result[0]["label"] in reader.label_list
    best = BalancedSentimentTask(toy_context, reader, config, hidden=7)
    from safetensors.torch import load_file

    best.model.load_state_dict(load_file(tmp_path / "run" / "best_model" / "model.safetensors"))
    assert best.predict(texts) == result


def test_missing_overrides_say_what_to_implement(toy_context: Any, make_reader: Any) -> None:
    reader = make_reader("cls", toy_context, limit=8)
    with pytest.raises(NotImplementedError, match="must implement build_head"):
        _ = BasicTask(toy_context, reader).model


def test_help_of_basictask_lists_every_override_point() -> None:
    import pydoc

    import hubcore

    text = pydoc.render_doc(hubcore.BasicTask, renderer=pydoc.plaintext)
    documented = text.split("Methods defined here")[0]
    points = [
        "build_head()", "encoder_inputs(batch)", "forward(model, batch)", "compute_loss(outputs, batch)",
        "batch_predictions(outputs, batch)", "batch_labels(batch)", "compute_metrics(predictions, labels)",
        "main_metric", "greater_is_better", "postprocess(prediction)", "move_batch(batch, device)",
        "encode_inputs(data)", "task_config()", "from_config()", "random_state()", "load_random_state()",
        "on_log", "on_eval_end", "on_checkpoint", "on_best_model", "on_train_end",
    ]  # fmt: skip
    assert [p for p in points if p not in documented] == []
    for name in ("build_head", "forward", "compute_metrics", "postprocess", "on_train_end"):
        assert callable(getattr(hubcore.BasicTask, name))
