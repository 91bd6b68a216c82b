"""PaddleHub's ``use_gpu`` and ``batch_size`` on sentiment_classify and ``hubcore run sentiment_zh``,
and the streamed ``--input_file``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from hubcore import HubcoreError
from hubcore.cli import build_cli
from hubcore.devices import DeviceUnavailableError

TEXTS = ["物流很快，东西很好，推荐！", "质量太差，非常失望。", "还行吧"]


def test_use_gpu_false_and_batch_size_equal_the_default(senta: Any) -> None:
    default = senta.sentiment_classify(texts=TEXTS)
    assert senta.sentiment_classify(texts=TEXTS, use_gpu=False, batch_size=2) == default
    assert senta.sentiment_classify(data={"text": TEXTS}, use_gpu=False, batch_size=3) == default


def test_the_torch_encoder_path_gives_the_engines_probabilities(senta: Any) -> None:
    """What use_gpu=True runs (hub-lac's torch encoder), on the device "cpu:0", against the engine."""
    engine = senta.probabilities(TEXTS, 2)
    on_device = senta.probabilities(TEXTS, 2, device="cpu:0")
    np.testing.assert_allclose(on_device, engine, atol=1e-5)
    from hub_senta._features import _ENCODERS

    assert "cpu:0" in _ENCODERS  # the torch path really ran


def test_use_gpu_without_cuda_fails_before_any_work(senta: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    calls: list[Any] = []
    monkeypatch.setattr(senta, "probabilities", lambda *a: calls.append(a))
    with pytest.raises(DeviceUnavailableError, match=r"sentiment_zh\.sentiment_classify: use_gpu=True"):
        senta.sentiment_classify(texts=TEXTS, use_gpu=True)
    with pytest.raises(HubcoreError, match="use_gpu must be True or False"):
        senta.sentiment_classify(texts=TEXTS, use_gpu="yes")
    with pytest.raises(HubcoreError, match="batch_size must be a positive int"):
        senta.sentiment_classify(texts=TEXTS, batch_size=0)
    assert calls == []


def test_use_gpu_batch_size_and_a_streamed_input_file_on_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    reviews = tmp_path / "reviews.txt"
    reviews.write_text("\n".join([TEXTS[0], "", *TEXTS[1:]]) + "\n", encoding="utf-8")
    plain = runner.invoke(
        build_cli(), ["run", "sentiment_zh", "--input_file", str(reviews), "--output", "json"]
    )
    assert plain.exit_code == 0, plain.output
    assert [row["text"] for row in json.loads(plain.output)] == TEXTS  # blank line skipped, order kept
    batched = runner.invoke(
        build_cli(),
        ["run", "sentiment_zh", "--input_file", str(reviews), "--output", "json", "--batch_size", "2",
         "--use_gpu", "False"],
    )  # fmt: skip
    assert batched.exit_code == 0 and batched.output == plain.output
    asked = runner.invoke(build_cli(), ["run", "sentiment_zh", "--input_text", TEXTS[0], "--use_gpu"])
    if torch.cuda.is_available():
        assert asked.exit_code == 0
    else:
        assert asked.exit_code != 0
        assert "hubcore run sentiment_zh: use_gpu=True" in asked.output and "Traceback" not in asked.output
        assert len(asked.output.strip().splitlines()) == 1
