"""The shipped data is exactly what tools/convert_paddle.py makes from Baidu's files."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file

HUB_LAC = Path(__file__).resolve().parents[1]
DATA = HUB_LAC / "src" / "hub_lac" / "data"


def _converter():
    spec = importlib.util.spec_from_file_location(
        "lac_convert_paddle", HUB_LAC / "tools" / "convert_paddle.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lac_shipped_files_match_their_manifest() -> None:
    manifest = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["license"] == "Apache-2.0"
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


def test_lac_converter_reproduces_the_shipped_data(shared_dir: Path, tmp_path: Path) -> None:
    _converter().convert(shared_dir / "lac-2.1.2", tmp_path / "data")
    made = json.loads((tmp_path / "data" / "manifest.json").read_text(encoding="utf-8"))
    shipped = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    assert made == shipped


def test_lac_paddle_reader_knows_the_gru_layout(shared_dir: Path) -> None:
    from_paddle = _converter()
    reader = from_paddle.read_lod_tensor
    weight = reader(shared_dir / "lac-2.1.2" / "seg_model" / "model" / "gru_0.w_0")
    converted = load_file(DATA / "seg.safetensors")
    hidden = weight.shape[0]
    flat = weight.reshape(-1)
    np.testing.assert_array_equal(converted["gru0.fwd.gate_w"].reshape(-1), flat[: 2 * hidden * hidden])
    np.testing.assert_array_equal(converted["gru0.fwd.cand_w"].reshape(-1), flat[2 * hidden * hidden :])
    ops = from_paddle.parse_program(shared_dir / "lac-2.1.2" / "lac_model" / "model" / "__model__")
    grus = [op for op in ops if op.type == "gru"]
    assert [op.attrs["is_reverse"] for op in grus] == [False, True, False, True]
    assert all(op.attrs["origin_mode"] is False for op in grus)
