"""hubcore.Module(directory=...): a saved best model, or a folder of weights a named module reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import hubcore
import hubcore.compat as hub
from hubcore import HubcoreError, ModuleSpec, hookimpl


class FolderModule:
    """A module that loads its 'weights' (here: a number in a file) from a folder."""

    def __init__(self, directory: str | None = None, scale: int = 1) -> None:
        self.directory = directory
        self.value = int(Path(directory, "weights.txt").read_text()) * scale if directory else 0


class NoFolderModule:
    def __init__(self) -> None:
        self.value = 1


class _Plugin:
    @hookimpl
    def hubcore_register_modules(self, register: Any) -> None:
        register(ModuleSpec(name="folder_toy", version="1.0", entry=f"{__name__}:FolderModule"))
        register(ModuleSpec(name="plain_toy", version="1.0", entry=f"{__name__}:NoFolderModule"))


@pytest.fixture
def toys() -> Any:
    plugin = _Plugin()
    hubcore.register_plugin(plugin, "toy-folders")
    yield
    hubcore.unregister_plugin(plugin)


def test_a_named_module_reads_its_weights_from_the_folder(tmp_path: Path, toys: None) -> None:
    (tmp_path / "weights.txt").write_text("21")
    module = hubcore.Module(name="folder_toy", directory=tmp_path, scale=2)
    assert isinstance(module, FolderModule) and module.value == 42 and module.directory == tmp_path
    assert hub.Module(name="folder_toy", directory=str(tmp_path), version="1.0").value == 21


def test_folder_errors_name_the_fault(tmp_path: Path, toys: None) -> None:
    with pytest.raises(HubcoreError, match="the folder does not exist"):
        hubcore.Module(directory=tmp_path / "missing")
    with pytest.raises(HubcoreError, match=r"no task\.json .* also pass name="):
        hubcore.Module(directory=tmp_path)
    with pytest.raises(HubcoreError, match="'plain_toy' does not load weights from a folder"):
        hubcore.Module(name="plain_toy", directory=tmp_path)
    with pytest.raises(hubcore.VersionMismatchError):
        hubcore.Module(name="folder_toy", directory=tmp_path, version=">=2")
    with pytest.raises(HubcoreError, match="needs name="):
        hubcore.Module()


@pytest.mark.slow
def test_a_saved_best_model_folder_is_rebuilt(tmp_path: Path) -> None:
    context = hubcore.Module("lac").context(trainable=False, max_seq_len=16)
    (tmp_path / "train.tsv").write_text("label\ttext_a\n1\t很好\n0\t很差\n", encoding="utf-8")
    dataset = hubcore.TextClassificationDataset(
        tmp_path / "train.tsv", tmp_path / "train.tsv", label_list=["0", "1"]
    )
    reader = hubcore.ClassifyReader(dataset, context.tokenizer, max_seq_len=16)
    config = hubcore.RunConfig(num_epoch=1, batch_size=2, checkpoint_dir=tmp_path / "run", progress=False)
    task = hubcore.TextClassifierTask(context, reader, config)
    task.finetune()
    for folder in (tmp_path / "run", tmp_path / "run" / "best_model"):
        loaded = hubcore.Module(directory=folder)
        assert type(loaded).__name__ == "TextClassifierTask"
        assert loaded.predict_proba(["很好"])[0] == pytest.approx(task.predict_proba(["很好"])[0], abs=1e-6)
    assert (
        json.loads((tmp_path / "run" / "best_model" / "task.json").read_text())["task"]
        == "text_classification"
    )
    with pytest.raises(HubcoreError, match="pass directory= alone"):
        hubcore.Module(directory=tmp_path / "run", mode="seg")
    with pytest.raises(HubcoreError, match="'lac' does not load weights from a folder"):
        hubcore.Module(name="lac", directory=tmp_path / "run")  # with name=, the module reads the folder


class ImageContextModule:
    """A module whose context() takes no max_seq_len and is not a text encoder's."""

    def context(self, trainable: bool = True) -> dict[str, bool]:
        return {"trainable": trainable}


class _ImagePlugin:
    @hookimpl
    def hubcore_register_modules(self, register: Any) -> None:
        register(ModuleSpec(name="image_toy", version="1.0", entry=f"{__name__}:ImageContextModule"))


def test_compat_context_of_a_module_without_max_seq_len() -> None:
    plugin = _ImagePlugin()
    hubcore.register_plugin(plugin, "toy-image")
    try:
        inputs, outputs, program = hub.Module(name="image_toy").context(trainable=False, max_seq_len=64)
    finally:
        hubcore.unregister_plugin(plugin)
    assert program == {"trainable": False} and outputs == {} and "input_ids" in inputs
