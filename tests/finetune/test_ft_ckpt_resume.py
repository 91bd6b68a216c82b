"""Checkpoints: their contents, crash leftovers, SIGKILL and resume, and loading in a new process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from hubcore.finetune import RunConfig, TextClassifierTask, load_task
from hubcore.finetune.training import checkpoint as ckpt

TRAIN_SCRIPT = """
import sys, time
import torch
torch.set_num_threads(1)
import hubcore
import toy_plugin
from hubcore.finetune import (
    AdamWeightDecayStrategy, ClassifyReader, RunConfig, TextClassificationDataset, TextClassifierTask,
)
from hubcore.testing.toy_modules import ToyTextModule

data, run, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])


class Slow(TextClassifierTask):
    def compute_loss(self, outputs, batch):
        if self.model.training:
            time.sleep(pause)  # leaves time to kill the run between checkpoints
        return super().compute_loss(outputs, batch)


toy_plugin.install()
hubcore.register_plugin(toy_plugin.TaskPlugin({"slow_classification": Slow}), "train-script")
context = ToyTextModule(seed=0, dropout=0.3).context(trainable=True, max_seq_len=48)
dataset = TextClassificationDataset(f"{data}/train.tsv", f"{data}/dev.tsv")
reader = ClassifyReader(dataset, context.tokenizer, 48)
config = RunConfig(
    num_epoch=3, batch_size=8, checkpoint_dir=run, strategy=AdamWeightDecayStrategy(learning_rate=3e-2),
    save_ckpt_interval=2, eval_interval=3, log_interval=1, keep_checkpoints=2, seed=7,
)
summary = Slow(context, reader, config, network="bilstm", dropout=0.3).finetune()
print("DONE", summary["steps"], flush=True)
"""

PREDICT_SCRIPT = """
import json, sys
import torch
torch.set_num_threads(1)
from hubcore.finetune import load_task

task = load_task(sys.argv[1])
texts = json.loads(sys.argv[2])
print(json.dumps({"labels": task.predict(texts), "probs": task.predict_proba(texts)}))
"""


def _data(tmp_path: Path, rows: dict[str, list[tuple[str, str]]], n: int) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for phase, count in (("train", n), ("dev", 16)):
        lines = "".join(f"{t}\t{lab}\n" for t, lab in rows[phase][:count])
        (folder / f"{phase}.tsv").write_text("text_a\tlabel\n" + lines, encoding="utf-8")
    return folder


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    return load_file(folder / "model.safetensors")


def test_sigkill_then_restart_ends_with_identical_weights(
    tmp_path: Path, sentiment_rows: Any, run_script: Any
) -> None:
    data = _data(tmp_path, sentiment_rows, 40)  # 5 steps an epoch, 15 in all
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    run_script(TRAIN_SCRIPT, str(data), str(reference), "0")

    script = tmp_path / "train.py"
    script.write_text(TRAIN_SCRIPT, encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).parent)}
    process = subprocess.Popen(
        [sys.executable, str(script), str(data), str(killed), "0.15"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        # step 4 is mid-epoch: the restart must skip the 4 batches already consumed
        while not (killed / "step_00000004" / ckpt.COMPLETE).exists():
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no checkpoint appeared"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert not (killed / "step_00000015").exists()
    last_before_restart = ckpt.latest_checkpoint(killed)
    assert last_before_restart is not None

    done = run_script(TRAIN_SCRIPT, str(data), str(killed), "0")
    assert "DONE 15" in done.stdout
    starts = [json.loads(line) for line in (killed / "metrics.jsonl").read_text().splitlines()]
    starts = [line for line in starts if line["event"] == "start"]
    assert starts[-1]["resumed_from"] == last_before_restart.name

    final_ref, final = _weights(reference / "step_00000015"), _weights(killed / "step_00000015")
    assert final_ref.keys() == final.keys()
    assert all(torch.equal(final_ref[name], final[name]) for name in final_ref)
    best_ref, best = _weights(reference / "best_model"), _weights(killed / "best_model")
    assert all(torch.equal(best_ref[name], best[name]) for name in best_ref)
    assert not [p for p in killed.iterdir() if p.name.startswith(".")]  # crash leftovers swept
    assert [p.name for p in sorted(killed.glob("step_*"))] == ["step_00000014", "step_00000015"]


def test_checkpoint_contents_load_without_pickled_code(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    reader = make_reader("cls", toy_context, limit=24)
    config = RunConfig(num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy)
    task = TextClassifierTask(toy_context, reader, config)
    task.finetune()
    folder = tmp_path / "run" / "step_00000003"
    assert sorted(p.name for p in folder.iterdir()) == ["COMPLETE", "model.safetensors", "state.pt"]
    state = torch.load(folder / "state.pt", weights_only=True)
    assert state["step"] == 3 and state["epoch"] == 1 and state["position"] == 0
    assert {"optimizer", "scheduler", "strategy", "sampler", "rng", "best_metric"} <= set(state)
    assert set(state["rng"][0]) >= {"python", "numpy", "torch"}
    assert state["optimizer"]["state"]  # Adam moments are there
    saved = _weights(folder)
    assert all(torch.equal(saved[k], v) for k, v in task.model.state_dict().items())


def test_incomplete_checkpoints_are_ignored_and_swept(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any
) -> None:
    run = tmp_path / "run"
    reader = make_reader("cls", toy_context, limit=24)

    def config() -> RunConfig:
        return RunConfig(
            num_epoch=2, batch_size=8, checkpoint_dir=run, strategy=strategy, save_ckpt_interval=1
        )

    TextClassifierTask(toy_context, reader, config()).finetune()
    assert [p.name for p in sorted(run.glob("step_*"))] == ["step_00000005", "step_00000006"]  # keep 2
    # what a crash leaves: a later step folder never marked complete, and a half-built temp folder
    (run / "step_00000099").mkdir()
    (run / "step_00000099" / "model.safetensors").write_bytes(b"partial")
    (run / ".tmp-step_00000100-abcd").mkdir()
    assert ckpt.latest_checkpoint(run) == run / "step_00000006"
    summary = TextClassifierTask(
        toy_context, reader, config()
    ).finetune()  # resumes at the end: nothing to do
    assert summary["steps"] == 6
    assert sorted(p.name for p in run.iterdir() if "step" in p.name) == ["step_00000005", "step_00000006"]


def test_best_model_replacement_survives_a_crash_between_renames(tmp_path: Path) -> None:
    weights = {"w": torch.ones(2)}
    ckpt.write_best_model(tmp_path, weights, {"v": 1})
    # simulate: the old best moved aside, the new one never renamed into place
    os.replace(tmp_path / "best_model", tmp_path / ".old-best_model-1234")
    ckpt.sweep(tmp_path, keep=2)
    assert json.loads((tmp_path / "best_model" / "task.json").read_text())["v"] == 1


def test_load_task_predicts_in_a_new_process(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any, run_script: Any
) -> None:
    reader = make_reader("cls", toy_context, limit=48)
    config = RunConfig(num_epoch=2, batch_size=16, checkpoint_dir=tmp_path / "run", strategy=strategy)
    TextClassifierTask(toy_context, reader, config, network="cnn").finetune()
    texts = ["这本书写得真好，推荐", "质量太差，退货了", "一般般"]
    here = load_task(tmp_path / "run" / "best_model")
    done = run_script(PREDICT_SCRIPT, str(tmp_path / "run"), json.dumps(texts, ensure_ascii=False))
    there = json.loads(done.stdout.strip().splitlines()[-1])
    assert there["labels"] == here.predict(texts)
    flat = [p for row in here.predict_proba(texts) for p in row]
    assert [p for row in there["probs"] for p in row] == pytest.approx(flat, abs=1e-6)
    meta = json.loads((tmp_path / "run" / "best_model" / "task.json").read_text(encoding="utf-8"))
    assert meta["format"] == "hubcore-task/2"
    assert (meta["task"], meta["reader"]) == ("text_classification", "classify")
    assert (meta["module"]["name"], meta["module"]["version"]) == ("toy_text", "0.0.1")
    assert meta["reader_config"]["label_list"] == ["negative", "positive"]
    saved = (tmp_path / "run" / "best_model" / "task.json").read_text(encoding="utf-8")
    assert "hubcore.finetune." not in saved and "entry" not in saved  # registered names, no import paths


def test_load_task_names_what_is_missing(tmp_path: Path) -> None:
    import hubcore

    with pytest.raises(hubcore.HubcoreError, match="no saved task at"):
        load_task(tmp_path)
    (tmp_path / "task.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(hubcore.HubcoreError, match="unreadable task description"):
        load_task(tmp_path)
    (tmp_path / "task.json").write_text(
        json.dumps(
            {
                "format": "hubcore-task/2",
                "task": "text_classification",
                "task_config": {},
                "reader": "classify",
                "reader_config": None,
                "module": None,
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(hubcore.HubcoreError, match="does not say how to rebuild its module"):
        load_task(tmp_path)


class Augmenting(TextClassifierTask):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._generator = torch.Generator().manual_seed(3)

    def compute_loss(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> torch.Tensor:
        torch.rand((), generator=self._generator)  # an augmentation would draw like this
        return super().compute_loss(outputs, batch)


def test_private_generators_are_checkpointed_and_restored(
    tmp_path: Path, toy_context: Any, make_reader: Any, strategy: Any, register_tasks: Any
) -> None:
    register_tasks(augmenting=Augmenting)
    reader = make_reader("cls", toy_context, limit=16)
    config = RunConfig(num_epoch=1, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy)
    task = Augmenting(toy_context, reader, config)
    task.finetune()
    saved = torch.load(tmp_path / "run" / "step_00000002" / "state.pt", weights_only=True)["rng"][0]["task"]
    assert torch.equal(saved["task._generator"], task._generator.get_state())
    fresh = Augmenting(toy_context, reader, config)
    assert not torch.equal(fresh._generator.get_state(), task._generator.get_state())
    fresh.load_random_state(saved)
    assert (
        torch.rand(4, generator=fresh._generator).tolist()
        == torch.rand(4, generator=task._generator).tolist()
    )
