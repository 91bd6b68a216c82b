"""PaddleHub's ``use_gpu`` on get_embedding and ``hubcore run ernie``: CUDA or a one-line error first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from hubcore.cli import build_cli
from hubcore.devices import DeviceUnavailableError


def test_use_gpu_false_is_the_cpu_and_true_without_cuda_fails_first(
    ernie_tiny_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = ernie_tiny_module.get_embedding(["这本书很好"], batch_size=1)
    on_cpu = ernie_tiny_module.get_embedding(["这本书很好"], use_gpu=False, batch_size=1)
    np.testing.assert_array_equal(default[0][0], on_cpu[0][0])
    assert ernie_tiny_module.device.type == "cpu"

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    monkeypatch.setattr(ernie_tiny_module, "_encode_all", lambda *a: pytest.fail("worked before failing"))
    with pytest.raises(DeviceUnavailableError, match=r"ernie\.get_embedding: use_gpu=True, but .* no CUDA"):
        ernie_tiny_module.get_embedding(["这本书很好"], use_gpu=True)
    assert ernie_tiny_module.device.type == "cpu"


def test_the_command_accepts_use_gpu(ernie_tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def run(*extra: str) -> Any:
        args = ["run", "ernie", "--directory", str(ernie_tiny_dir), "--input_text", "好书", *extra]
        return CliRunner().invoke(build_cli(), args)

    plain = run("--batch_size", "1")
    assert plain.exit_code == 0 and run("--use_gpu", "False").output == plain.output
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    asked = run("--use_gpu")
    assert asked.exit_code != 0 and "Traceback" not in asked.output
    assert "hubcore run ernie: use_gpu=True" in asked.output


def test_the_e5_command_accepts_use_gpu_and_fails_in_one_line_before_loading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hub_ernie.e5

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(hub_ernie.e5, "E5Module", lambda **kw: pytest.fail("loaded the model first"))
    asked = CliRunner().invoke(
        build_cli(), ["run", "multilingual-e5-small", "--input_text", "hi", "--use_gpu"]
    )
    assert asked.exit_code != 0 and "Traceback" not in asked.output
    assert len(asked.output.strip().splitlines()) == 1
    assert "hubcore run multilingual-e5-small: use_gpu=True, but" in asked.output
