"""``resolve_device``: the CPU for use_gpu=False, and a one-line error when CUDA cannot be had."""

from __future__ import annotations

import sys

import pytest

from hubcore.devices import DeviceUnavailableError, resolve_device


def test_use_gpu_without_torch_installed_is_a_device_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails, as where it is not installed
    assert resolve_device(False, owner="toy.predict") == "cpu"
    with pytest.raises(
        DeviceUnavailableError, match=r"^toy\.predict: use_gpu=True, but torch is not installed"
    ):
        resolve_device(True, owner="toy.predict")
