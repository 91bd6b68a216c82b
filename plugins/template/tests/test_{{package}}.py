"""Tests of the {{name}} plugin through the hub, as a user reaches it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import hubcore
from hubcore.cli import build_cli


@pytest.fixture(autouse=True)
def fresh_registry():
    hubcore.reset_registry()
    yield
    hubcore.reset_registry()


def test_module_is_registered() -> None:
    spec = hubcore.get_module_spec("{{name}}")
    assert spec.plugin == "{{dist}}"
    assert spec.entry == "{{package}}.module:Module"


def test_predict_counts_characters_and_words() -> None:
    module = hubcore.Module(name="{{name}}", lowercase=True)
    assert module.predict(["Hello Hub"]) == [{"text": "hello hub", "characters": 9, "words": 2}]


def test_predict_rejects_non_strings_by_index() -> None:
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        hubcore.Module(name="{{name}}").predict(["ok", None])


def test_run_command_prints_json() -> None:
    result = CliRunner().invoke(build_cli(), ["run", "{{name}}", "--input_text", "a b c"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"text": "a b c", "characters": 5, "words": 3}]


def test_run_command_reads_texts_from_a_file_in_batches(tmp_path: Path) -> None:
    listing = tmp_path / "texts.txt"
    listing.write_text("x\nHello Hub\na b c\n", encoding="utf-8")
    args = ["run", "{{name}}", "--input_text", "one", "--input_file", str(listing), "--batch_size", "2"]
    result = CliRunner().invoke(build_cli(), [*args, "--lowercase"])
    assert result.exit_code == 0, result.output
    assert [r["text"] for r in json.loads(result.output)] == ["one", "x", "hello hub", "a b c"]
    assert json.loads(result.output)[2] == {"text": "hello hub", "characters": 9, "words": 2}


def test_predict_gives_the_same_results_whatever_the_batch_size() -> None:
    module = hubcore.Module(name="{{name}}")
    texts = ["a", "b c", "d e f", "g"]
    assert module.predict(texts, batch_size=3) == module.predict(texts, batch_size=1)
    with pytest.raises(hubcore.HubcoreError, match=r"{{name}}\.predict: batch_size must be a positive int"):
        module.predict(texts, batch_size=0)


def test_use_gpu_without_cuda_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        import torch

        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    except ImportError:
        pass  # without torch there is no CUDA either: the same one-line error
    result = CliRunner().invoke(build_cli(), ["run", "{{name}}", "--input_text", "a", "--use_gpu"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.startswith("Error: hubcore run {{name}}: use_gpu=True, but torch")
    assert len(result.output.strip().splitlines()) == 1
    assert (
        CliRunner()
        .invoke(build_cli(), ["run", "{{name}}", "--input_text", "a", "--use_gpu", "False"])
        .exit_code
        == 0
    )
