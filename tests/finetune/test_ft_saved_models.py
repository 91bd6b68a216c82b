"""Saved models and checkpoints (issue 10): nothing runs code, damage is named, test scores are logged."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import torch

import hubcore
from hubcore.finetune import RunConfig, TextClassifierTask, load_task
from hubcore.finetune.training import checkpoint as ckpt

PAYLOAD = """
from pathlib import Path
Path({marker!r}).write_text("the saved model ran code")


class Task:
    pass
"""


@pytest.fixture
def trained(tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any) -> tuple[Path, Any]:
    """A finished run (best model saved) of the standard text classifier on the toy module."""
    reader = make_reader("cls", toy_context, limit=24)
    config = RunConfig(
        num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy, tensorboard=False
    )
    task = TextClassifierTask(toy_context, reader, config)
    task.finetune()
    return tmp_path / "run", task


@pytest.fixture
def payload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An importable module ``evil_payload`` that leaves a marker file when imported."""
    site = tmp_path / "evil-site"
    site.mkdir()
    marker = tmp_path / "RAN"
    (site / "evil_payload.py").write_text(PAYLOAD.format(marker=str(marker)), encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    sys.modules.pop("evil_payload", None)
    yield marker
    sys.modules.pop("evil_payload", None)


def _meta(run: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((run / "best_model" / "task.json").read_text(encoding="utf-8"))
    return loaded


def _write_meta(run: Path, meta: Any) -> None:
    (run / "best_model" / "task.json").write_text(json.dumps(meta), encoding="utf-8")


def _as_old_format(meta: dict[str, Any]) -> dict[str, Any]:
    """The same saved model as format 1 wrote it: import paths for the task, reader and module."""
    old = {k: v for k, v in meta.items() if k not in ("task", "reader")}
    old["format"] = "hubcore-task/1"
    # the paths the core's classes had when format 1 was written (before the subpackages)
    old["task_class"] = "hubcore.finetune._tasks:TextClassifierTask"
    old["reader_class"] = "hubcore.finetune._readers:ClassifyReader"
    old["reader_config"] = dict(meta["reader_config"], entry="hubcore.finetune._readers:ClassifyReader")
    module = meta["module"]
    old["module"] = {
        "entry": "hubcore.testing.toy_modules:ToyTextModule",
        "kwargs": module["kwargs"],
        "context_kwargs": module["context_kwargs"],
    }
    return old


@pytest.mark.parametrize("field", ["task_class", "reader_class", "module.entry", "reader_config.entry"])
def test_load_task_never_imports_a_path_named_by_task_json(
    trained: tuple[Path, Any], payload: Path, field: str
) -> None:
    run, _ = trained
    meta = _as_old_format(_meta(run))
    if field == "module.entry":
        meta["module"]["entry"] = "evil_payload:Task"
    elif field == "reader_config.entry":
        meta["reader_config"]["entry"] = "evil_payload:Task"
    else:
        meta[field] = "evil_payload:Task"
    _write_meta(run, meta)
    with pytest.raises(hubcore.HubcoreError, match="evil_payload:Task") as raised:
        load_task(run)
    assert "\n" not in str(raised.value) and "registered" in str(raised.value)
    assert not payload.exists() and "evil_payload" not in sys.modules


def test_a_new_format_names_registered_components_and_ignores_any_import_path(
    trained: tuple[Path, Any], payload: Path
) -> None:
    run, task = trained
    meta = _meta(run)
    assert meta["format"] == "hubcore-task/2"
    assert (meta["task"], meta["reader"]) == ("text_classification", "classify")
    assert meta["module"] == {
        "name": "toy_text",
        "version": "0.0.1",
        "kwargs": task.module_info["kwargs"],
        "context_kwargs": task.module_info["context_kwargs"],
    }
    meta["reader_config"]["entry"] = "evil_payload:Task"  # a hand-edited file: never imported
    meta["module"]["entry"] = "evil_payload:Task"
    _write_meta(run, meta)
    texts = ["质量很好", "太差了"]
    assert load_task(run).predict(texts) == task.predict(texts)
    assert not payload.exists()
    meta["task"] = "evil_payload:Task"
    _write_meta(run, meta)
    with pytest.raises(hubcore.HubcoreError, match="task 'evil_payload:Task' is not registered"):
        load_task(run)
    assert not payload.exists()


def test_the_old_format_is_read_where_everything_it_names_is_registered(trained: tuple[Path, Any]) -> None:
    run, task = trained
    _write_meta(run, _as_old_format(_meta(run)))
    texts = ["质量很好", "太差了"]
    assert load_task(run).predict(texts) == task.predict(texts)


class UnregisteredTask(TextClassifierTask):
    """A user's subclass that no plugin registered."""


def test_an_unregistered_task_class_is_refused_before_training_saying_how_to_register(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any, register_tasks: Any
) -> None:
    reader = make_reader("cls", toy_context, limit=16)
    config = RunConfig(num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy)
    with pytest.raises(hubcore.HubcoreError) as raised:
        UnregisteredTask(toy_context, reader, config).finetune()
    message = str(raised.value)
    assert "UnregisteredTask" in message and "not registered" in message
    assert "hubcore_register_tasks" in message and "hubcore.register_plugin" in message
    assert not (tmp_path / "run" / "best_model").exists()
    register_tasks(user_task=UnregisteredTask)
    UnregisteredTask(toy_context, reader, config).finetune()
    assert _meta(tmp_path / "run")["task"] == "user_task"


def test_an_unregistered_module_is_refused_at_save_time(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    import toy_plugin

    toy_plugin.uninstall()  # the toy module is no longer registered through the hooks
    reader = make_reader("cls", toy_context, limit=16)
    config = RunConfig(num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy)
    with pytest.raises(hubcore.HubcoreError, match="hubcore_register_modules"):
        TextClassifierTask(toy_context, reader, config).finetune()


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-100])


def _pickle_instead(path: Path) -> None:
    torch.save({"weights": torch.zeros(2)}, path)


@pytest.mark.parametrize(
    ("damage", "file_name", "problem"),
    [
        (
            lambda p: _truncate(p / "model.safetensors"),
            "model.safetensors",
            "truncated or corrupt safetensors",
        ),
        (lambda p: _pickle_instead(p / "model.safetensors"), "model.safetensors", "is a pickle"),
        (
            lambda p: (p / "task.json").write_text("[1, 2]", encoding="utf-8"),
            "task.json",
            "found a JSON array",
        ),
        (lambda p: (p / "task.json").write_bytes(b'{"format": "\xff\xfe"}'), "task.json", "not UTF-8"),
    ],
    ids=["truncated-weights", "pickled-weights", "json-array", "not-utf8"],
)
def test_a_damaged_saved_model_is_one_line_naming_the_file(
    trained: tuple[Path, Any], damage: Any, file_name: str, problem: str
) -> None:
    run, _ = trained
    damage(run / "best_model")
    with pytest.raises(hubcore.HubcoreError) as raised:
        load_task(run)
    message = str(raised.value)
    assert str(run / "best_model" / file_name) in message and problem in message
    assert "\n" not in message


@pytest.mark.parametrize("key", ["task", "reader", "task_config", "module"])
def test_a_task_json_lacking_a_key_is_one_line_naming_it(trained: tuple[Path, Any], key: str) -> None:
    run, _ = trained
    meta = _meta(run)
    del meta[key]
    _write_meta(run, meta)
    with pytest.raises(hubcore.HubcoreError) as raised:
        load_task(run)
    message = str(raised.value)
    assert str(run / "best_model" / "task.json") in message and f"lacks '{key}'" in message
    assert "\n" not in message


def test_a_pickle_that_would_run_code_in_a_checkpoint_is_refused_in_one_line(
    trained: tuple[Path, Any], payload: Path
) -> None:
    run, _ = trained
    folder = ckpt.latest_checkpoint(run)
    assert folder is not None
    import pickle

    class Exploit:
        def __reduce__(self) -> Any:
            return (__import__, ("evil_payload",))

    (folder / "state.pt").write_bytes(pickle.dumps(Exploit(), protocol=2))
    with pytest.raises(hubcore.HubcoreError) as raised:
        ckpt.read_state(folder)
    assert str(folder / "state.pt") in str(raised.value) and "\n" not in str(raised.value)
    assert not payload.exists()


def test_resume_falls_back_past_a_damaged_newest_checkpoint_and_logs_it(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    reader = make_reader("cls", toy_context, limit=32)  # 4 steps an epoch
    config = RunConfig(
        num_epoch=1,
        batch_size=8,
        checkpoint_dir=tmp_path / "run",
        strategy=strategy,
        save_ckpt_interval=2,
        keep_checkpoints=3,
        tensorboard=False,
    )
    TextClassifierTask(toy_context, reader, config).finetune()
    run = tmp_path / "run"
    assert [folder.name for _, folder in ckpt.complete_checkpoints(run)] == ["step_00000002", "step_00000004"]
    _truncate(run / "step_00000004" / "model.safetensors")  # damaged, though marked complete
    capsys.readouterr()
    longer = RunConfig(**{**config.__dict__, "num_epoch": 2})
    summary = TextClassifierTask(toy_context, reader, longer).finetune()
    assert summary["steps"] == 8
    events = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    starts = [e for e in events if e["event"] == "start"]
    assert starts[-1]["resumed_from"] == "step_00000002"
    fallbacks = [e for e in events if e["event"] == "resume_fallback"]
    assert len(fallbacks) == 1 and "step_00000004 is damaged" in fallbacks[0]["note"]
    assert "falling back to the previous complete one" in capsys.readouterr().out
    assert ckpt.load_weights(run / "step_00000004" / "model.safetensors")  # rewritten whole


def test_finetune_and_eval_logs_the_test_scores_to_console_jsonl_and_tensorboard(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    reader = make_reader("cls", toy_context, limit=24)
    config = RunConfig(num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy)
    summary = TextClassifierTask(toy_context, reader, config).finetune_and_eval()
    test = summary["test"]
    out = capsys.readouterr().out
    assert f"[test] loss={test['loss']:.4f}" in out and f"acc={test['acc']:.4f}" in out
    events = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    logged = [e for e in events if e["event"] == "eval" and e.get("phase") == "test"]
    assert len(logged) == 1 and logged[0]["acc"] == test["acc"] and logged[0]["loss"] == test["loss"]
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    board = EventAccumulator(str(tmp_path / "run" / "visualization"))
    board.Reload()
    assert "test/acc" in board.Tags()["scalars"]
    assert board.Scalars("test/acc")[-1].value == pytest.approx(test["acc"])
