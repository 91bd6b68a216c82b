"""``use_gpu`` and ``batch_size`` on lac's methods and command: the device path and its errors."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from click.testing import CliRunner
from hub_lac._lexer import _tokens
from hub_lac._network import tagger
from hub_lac._torch_tagger import TorchTagger
from hub_lac._vocab import vocab

from hubcore import HubcoreError
from hubcore.cli import build_cli
from hubcore.devices import DeviceUnavailableError


@pytest.mark.slow
@pytest.mark.parametrize("model", ["lac", "seg"])
def test_the_torch_tagger_decodes_the_engines_paths(golden: list[dict], model: str) -> None:
    """The path use_gpu=True takes, run here on torch's CPU device, against the inference engine."""
    texts = [record["text"] for record in golden[:100]]
    if model == "seg":
        voc = vocab("seg_word.dic")
        sequences = [[voc.token_id(ch) for ch in text] for text in texts]
    else:
        sequences = [_tokens(text)[0] for text in texts]
    engine = tagger(model).tag(sequences)
    on_torch = TorchTagger(model, "cpu").tag(sequences)
    same = sum(a.tolist() == b.tolist() for a, b in zip(engine, on_torch, strict=True))
    assert same == len(texts)


def test_use_gpu_without_cuda_fails_before_any_work(lac_modules: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    lac = lac_modules["lac"]
    calls: list[Any] = []
    monkeypatch.setattr(lac, "_analyse", lambda *a: calls.append(a))
    with pytest.raises(DeviceUnavailableError, match=r"lac\.lexical_analysis: use_gpu=True"):
        lac.lexical_analysis(texts=["今天"], use_gpu=True)
    with pytest.raises(HubcoreError, match="use_gpu must be True or False"):
        lac.cut("今天", use_gpu="yes")
    assert calls == []


def test_use_gpu_and_batch_size_on_the_command_line() -> None:
    runner = CliRunner()
    plain = runner.invoke(build_cli(), ["run", "lac", "--input_text", "今天是个好日子", "--batch_size", "2"])
    assert plain.exit_code == 0 and plain.output.strip() == "今天/TIME 是/v 个/q 好日子/n"
    off = runner.invoke(build_cli(), ["run", "lac", "--input_text", "今天是个好日子", "--use_gpu", "False"])
    assert off.exit_code == 0 and off.output == plain.output
    asked = runner.invoke(build_cli(), ["run", "lac", "--input_text", "今天是个好日子", "--use_gpu"])
    if torch.cuda.is_available():
        assert asked.exit_code == 0 and asked.output == plain.output
    else:
        assert asked.exit_code != 0
        assert "hubcore run lac: use_gpu=True" in asked.output and "Traceback" not in asked.output
