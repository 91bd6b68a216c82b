"""PaddleHub's recognize_text: result shape, arrays and paths, visualisation, and every bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ocr_samples import FIXTURES
from PIL import Image


def test_module_alias_and_spec_name_the_real_networks() -> None:
    import hubcore

    spec = hubcore.get_module_spec("chinese_ocr_db_crnn_mobile")
    assert spec.name == "chinese_ocr" and spec.entry == "hub_ocr.module:ChineseOCR"
    for network in ("PP-OCRv4 mobile DB detector", "v2.0 direction classifier", "PP-OCRv4 SVTR-LCNet"):
        assert network in spec.summary
    assert "971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf" in spec.license


def test_plugin_and_command_import_nothing_heavy() -> None:
    code = (
        "import sys, hub_ocr.plugin, hub_ocr.cli;"
        "heavy = ('torch', 'numpy', 'PIL', 'cv2', 'onnx', 'onnxruntime');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_inference_imports_neither_onnx_nor_onnxruntime() -> None:
    code = (
        "import sys, numpy as np, hubcore; m = hubcore.Module('chinese_ocr');"
        "m.recognize_text(images=[np.full((40, 60, 3), 255, np.uint8)]);"
        "print(sorted(k for k in ('onnx', 'onnxruntime', 'rapidocr_onnxruntime') if k in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_results_follow_paddlehub_and_arrays_equal_paths(ocr, page_bgr: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    from_array, from_path = ocr.recognize_text(images=[page_bgr], paths=[FIXTURES / "page.png"])
    assert set(from_array) == {"save_path", "data"} and from_path["path"] == str(FIXTURES / "page.png")
    assert from_array["data"] == from_path["data"] and from_array["save_path"] == ""
    first = from_array["data"][0]
    assert set(first) == {"text", "confidence", "text_box_position"}
    assert first["text"] == "Region-basedsegmentation" and 0.5 <= first["confidence"] <= 1.0
    box = first["text_box_position"]
    assert len(box) == 4 and all(len(p) == 2 and all(isinstance(v, int) for v in p) for p in box)
    # corners in order: top-left, top-right, bottom-right, bottom-left
    assert box[0][0] < box[1][0] and box[3][0] < box[2][0] and box[0][1] < box[3][1]


def test_same_boxes_as_the_pipeline_on_the_original_pixels(ocr, page_bgr: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    (result,) = ocr.recognize_text(images=[page_bgr])
    lines = ocr.pipeline(page_bgr)
    assert [d["text"] for d in result["data"]] == [line.text for line in lines]
    for d, line in zip(result["data"], lines, strict=True):
        assert d["text_box_position"] == line.box.astype(int).tolist()


def test_an_image_without_text_gives_empty_data(ocr) -> None:  # type: ignore[no-untyped-def]
    blank = np.full((120, 200, 3), 255, np.uint8)
    noise = np.random.default_rng(0).integers(100, 140, (64, 64, 3), dtype=np.uint8)
    results = ocr.recognize_text(images=[blank, noise])
    assert [r["data"] for r in results] == [[], []] and not any("error" in r for r in results)


def test_thresholds_are_checked(ocr, page_bgr: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    from hubcore import HubcoreError

    with pytest.raises(HubcoreError, match="box_thresh"):
        ocr.recognize_text(images=[page_bgr], box_thresh=1.5)
    with pytest.raises(HubcoreError, match="text_thresh"):
        ocr.recognize_text(images=[page_bgr], text_thresh=-0.1)
    with pytest.raises(HubcoreError, match=r"images=.*paths="):
        ocr.recognize_text()
    strict = ocr.recognize_text(images=[page_bgr], text_thresh=0.99)[0]["data"]
    assert all(d["confidence"] >= 0.99 for d in strict) and len(strict) < 5


def test_bad_inputs_are_refused_one_by_one(ocr, tmp_path: Path, text_bgr: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    huge = tmp_path / "huge.png"
    Image.new("L", (8000, 6000)).save(huge)
    opaque = np.full((*text_bgr.shape[:2], 1), 255, np.uint8)
    results = ocr.recognize_text(
        images=[np.zeros((5, 5, 7), np.uint8), "not an array", text_bgr],
        paths=[tmp_path / "missing.png", corrupt, huge, FIXTURES / "text.png"],
    )
    (bgra,) = ocr.recognize_text(images=[np.concatenate([text_bgr, opaque], axis=2)])
    assert bgra["data"] == results[2]["data"]  # BGRA arrays are read as PaddleHub's BGR plus alpha
    errors = [r.get("error", "") for r in results]
    assert "images[0]" in errors[0] and "shape" in errors[0]
    assert "images[1]" in errors[1] and "NumPy array" in errors[1]
    assert errors[2] == "" and [d["text"] for d in results[2]["data"]] == ["S=", "2"]
    assert "missing.png: no such file" in errors[3]
    assert "corrupt.png" in errors[4] and "huge.png" in errors[5] and "Mpx" in errors[5]
    assert errors[6] == "" and results[6]["data"] == results[2]["data"]
    assert all(r["data"] == [] for r in results if "error" in r)


def test_visualisation_draws_text_beside_the_boxes(ocr, tmp_path: Path, page_bgr: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    results = ocr.recognize_text(
        images=[page_bgr], paths=[FIXTURES / "page.png"], visualization=True, output_dir=tmp_path / "out"
    )
    saved = [Path(r["save_path"]) for r in results]
    assert [p.name for p in saved] == ["image_numpy_0.jpg", "page.jpg"]
    picture = Image.open(saved[1])
    assert picture.size == (2 * 384, 191)  # boxes on the left, the texts on a white panel on the right
    panel = np.asarray(picture.convert("L"))[:, 384:]
    assert (panel < 128).mean() > 0.01  # text was drawn on the panel
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["image_numpy_0.jpg", "page.jpg"]


def test_without_a_cjk_font_only_boxes_are_drawn(
    ocr, tmp_path: Path, page_bgr: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HUBCORE_OCR_FONT", str(tmp_path / "no-such-font.ttf"))
    (result,) = ocr.recognize_text(images=[page_bgr], visualization=True, output_dir=tmp_path)
    picture = Image.open(result["save_path"])
    assert picture.size == (384, 191)
    original = page_bgr[:, :, ::-1].astype(int)
    changed = np.abs(np.asarray(picture.convert("RGB")).astype(int) - original).max(axis=2) > 60
    assert 0.005 < changed.mean() < 0.2  # box outlines, not a blank or repainted picture


def test_chinese_text_is_drawn_with_the_cjk_font(ocr, tmp_path: Path, cjk_font: Path) -> None:  # type: ignore[no-untyped-def]
    from hub_ocr.fonts import find_cjk_font
    from hub_ocr.visualize import draw_results

    assert find_cjk_font() == cjk_font
    canvas = Image.new("RGB", (200, 60), (255, 255, 255))
    line = {"text": "今天是个好日子", "text_box_position": [[10, 10], [190, 10], [190, 50], [10, 50]]}
    drawn = np.asarray(draw_results(canvas, [line]).convert("L"))[:, 200:]
    tofu = np.asarray(draw_results(canvas, [{**line, "text": "\uffff" * 7}]).convert("L"))[:, 200:]
    assert (drawn < 128).sum() > 200 and not np.array_equal(drawn, tofu)


def test_cli_prints_text_and_json_and_reports_bad_files(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from hubcore.cli import build_cli

    runner = CliRunner()
    page = str(FIXTURES / "page.png")
    result = runner.invoke(build_cli(), ["run", "chinese_ocr", "--input_path", page, "--output", "json"])
    assert result.exit_code == 0, result.output
    (parsed,) = json.loads(result.stdout)
    assert parsed["data"][0]["text"] == "Region-basedsegmentation"
    gone, shown = str(tmp_path / "gone.png"), str(tmp_path / "vis")
    args = ["run", "chinese_ocr_db_crnn_mobile", "--input_path", page, "--input_path", gone]
    result = runner.invoke(build_cli(), [*args, "--visualization", "--output_dir", shown])
    assert result.exit_code == 1
    assert (
        "Region-basedsegmentation" in result.stdout
        and f"saved {tmp_path / 'vis' / 'page.jpg'}" in result.stdout
    )
    assert result.stderr.strip() == f"Error: {tmp_path / 'gone.png'}: no such file"
