"""Fine-tuning {{name}} through the Fine-tune API, then reloading the best model in a new process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import hubcore

POSITIVE = ("很好", "不错", "喜欢", "满意", "GOOD", "Nice")
NEGATIVE = ("很差", "失望", "讨厌", "糟糕", "BAD", "Awful")
FILLER = "这个东西用了三天我觉得"


def _rows(count: int, offset: int) -> list[str]:
    rows = ["text_a\tlabel"]
    for index in range(offset, offset + count):
        words, label = (POSITIVE, "pos") if index % 2 == 0 else (NEGATIVE, "neg")
        rows.append(f"{FILLER[: index % len(FILLER)]}{words[index % len(words)]}\t{label}")
    return rows


@pytest.fixture(autouse=True)
def fresh_registry():
    hubcore.reset_registry()
    yield
    hubcore.reset_registry()


@pytest.fixture
def dataset(tmp_path: Path) -> hubcore.TextClassificationDataset:
    files = {}
    for split, (count, offset) in {"train": (48, 0), "dev": (12, 100), "test": (12, 200)}.items():
        files[split] = tmp_path / f"{split}.tsv"
        files[split].write_text("\n".join(_rows(count, offset)) + "\n", encoding="utf-8")
    return hubcore.TextClassificationDataset(
        files["train"], files["dev"], files["test"], label_list=["neg", "pos"]
    )


def test_the_context_names_its_encoder_parameters_and_how_to_rebuild_it() -> None:
    context = hubcore.Module(name="{{name}}", lowercase=True).context(trainable=False, max_seq_len=16)
    assert isinstance(context, hubcore.ModuleContext) and isinstance(context.tokenizer, hubcore.Tokenizer)
    assert set(context.params_layer) == {name for name, _ in context.encoder.named_parameters()}
    assert not any(p.requires_grad for p in context.encoder.parameters())
    assert context.extra["module"]["kwargs"] == {"lowercase": True}


def test_finetune_with_the_plugins_own_task_reader_and_strategy_then_reload_elsewhere(
    tmp_path: Path, dataset: hubcore.TextClassificationDataset
) -> None:
    from {{package}}.finetune import CentroidClassifierTask, LowercaseReader, PlainSGDStrategy

    context = hubcore.Module(name="{{name}}").context(trainable=True, max_seq_len=16)
    reader = LowercaseReader(dataset, context.tokenizer, max_seq_len=16)
    config = hubcore.RunConfig(
        num_epoch=6,
        batch_size=8,
        checkpoint_dir=tmp_path / "run",
        strategy=PlainSGDStrategy(learning_rate=0.5),
        eval_interval=6,
        tensorboard=False,
        progress=False,
    )
    task = CentroidClassifierTask(context, reader, config)
    before = task.eval("dev")["acc"]
    summary = task.finetune_and_eval()
    assert summary["test"]["acc"] == 1.0 and summary["best_metric"] == 1.0 > before

    texts = ["我很喜欢", "太糟糕了", "good", "awful"]
    expected = task.predict(texts)
    assert expected == ["pos", "neg", "pos", "neg"]
    saved = json.loads((tmp_path / "run" / "best_model" / "task.json").read_text(encoding="utf-8"))
    assert (saved["task"], saved["reader"]) == ("{{name}}_classifier", "{{name}}_lowercase")
    assert saved["reader_config"]["options"] == {"lowercase": True}

    script = (
        "import json, sys, hubcore; "
        "print(json.dumps(hubcore.load_task(sys.argv[1]).predict(json.loads(sys.argv[2]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "run"), json.dumps(texts)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == expected


def test_the_plugins_components_are_registered_under_its_names() -> None:
    registry = hubcore.get_registry()
    assert registry.components["task"]["{{name}}_classifier"].entry.endswith(":CentroidClassifierTask")
    assert registry.components["reader"]["{{name}}_lowercase"].entry.endswith(":LowercaseReader")
    assert registry.components["strategy"]["{{name}}_sgd"].entry.endswith(":PlainSGDStrategy")
