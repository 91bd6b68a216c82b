"""PaddleHub's ``use_gpu`` and ``batch_size`` on generate and perplexity, ``--use_gpu``/``--batch_size``
and the streamed ``--input_file`` of ``hubcore run textgen_lstm``."""

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

TEXTS = ["the quick brown fox", "hello world"]


def run(*args: str) -> Any:
    return CliRunner().invoke(build_cli(), ["run", "textgen_lstm", *args])


def test_use_gpu_false_and_batch_size_equal_the_default(lm: Any) -> None:
    default = lm.generate(prefix="the", n=5, max_length=30, seed=7)
    assert lm.generate(prefix="the", n=5, max_length=30, seed=7, use_gpu=False, batch_size=2) == default
    scored = lm.perplexity(TEXTS)
    assert lm.perplexity(TEXTS, use_gpu=False) == scored


def test_the_device_path_gives_the_same_texts_and_scores(lm: Any) -> None:
    """What use_gpu=True runs (a copy of the network on the device), on the device "cpu:0"."""
    from hub_textgen.module import _joined
    from hub_textgen.vocab import META_TOKEN

    default = lm.generate(prefix="the", n=3, max_length=30, seed=7)
    rows = [[META_TOKEN, *"the"] for _ in range(3)]
    lm._continue(rows, [np.random.RandomState(7 + i) for i in range(3)], 0.5, 31, "cpu:0")
    assert lm.network_on("cpu:0") is not lm.network
    assert [_joined(row) for row in rows] == default
    windows = [(tuple([0] * 39 + [5]), 6, 0), (tuple([0] * 38 + [5, 6]), 7, 1)]
    on_device, on_cpu = np.zeros(2), np.zeros(2)
    lm._score(windows, on_device, np.zeros(2, dtype=np.int64), "cpu:0")
    lm._score(windows, on_cpu, np.zeros(2, dtype=np.int64))
    np.testing.assert_allclose(on_device, on_cpu, rtol=1e-6)


def test_use_gpu_without_cuda_fails_before_any_work(lm: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    calls: list[Any] = []
    monkeypatch.setattr(lm, "_continue", lambda *a: calls.append(a))
    monkeypatch.setattr(lm, "_score", lambda *a: calls.append(a))
    with pytest.raises(DeviceUnavailableError, match=r"textgen_lstm\.generate: use_gpu=True"):
        lm.generate(prefix="the", use_gpu=True)
    with pytest.raises(DeviceUnavailableError, match=r"textgen_lstm\.perplexity: use_gpu=True"):
        lm.perplexity(TEXTS, use_gpu=True)
    with pytest.raises(HubcoreError, match="batch_size must be a positive int"):
        lm.generate(prefix="the", batch_size=0)
    assert calls == []


def test_streamed_input_files_and_use_gpu_on_the_command_line(lm: Any, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text(f"{TEXTS[0]}\n\n{TEXTS[1]}\n", encoding="utf-8")
    scored = run("--input_file", str(texts), "--score", "--output", "json", "--batch_size", "3")
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.output) == json.loads(json.dumps(lm.perplexity(TEXTS, batch_size=3)))
    prefixes = tmp_path / "prefixes.txt"
    prefixes.write_text("the\nhello\n", encoding="utf-8")
    made = run(
        "--input_file", str(prefixes), "-n", "2", "--seed", "3", "--max_length", "20", "--output", "json"
    )
    assert made.exit_code == 0, made.output
    expected = [
        {"prefix": p, "texts": lm.generate(prefix=p, n=2, seed=3, max_length=20)} for p in ("the", "hello")
    ]
    assert json.loads(made.output) == expected
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine\n\xffbad\n")
    broken = run("--input_file", str(bad), "--score")
    assert broken.exit_code != 0 and "line 2: not valid UTF-8" in broken.output
    asked = run("--prefix", "the", "--use_gpu")
    if not torch.cuda.is_available():
        assert asked.exit_code != 0 and "Traceback" not in asked.output
        assert asked.output.strip().splitlines() == [asked.output.strip()]
        assert "hubcore run textgen_lstm: use_gpu=True" in asked.output
