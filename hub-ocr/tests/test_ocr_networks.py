"""Each network equals ONNX Runtime on the same ONNX graph, on real inputs, within 1e-4."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hub_ocr.pipeline import _line_tensor, _normalise, _resize_to_multiple_of_32, crop_line


def _onnx_run(path: Path, batch: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: batch})[0]


def _torch_run(key: str, batch: np.ndarray, runtime: bool) -> np.ndarray:
    """As converted (NCHW, every layer as in the graph), or as the pipeline runs it (folded, NHWC)."""
    from hub_ocr.pipeline import _nhwc, runtime_network
    from hub_ocr.weights import load_network

    with torch.inference_mode():
        if runtime:
            return runtime_network(key)(_nhwc(batch)).contiguous().numpy()
        return load_network(key, fold=False)(torch.from_numpy(batch)).numpy()


@pytest.fixture(scope="module")
def line_crops(pipeline, page_bgr: np.ndarray) -> list[np.ndarray]:  # type: ignore[no-untyped-def]
    """Text-line crops of a real page, as the pipeline cuts them, one of them turned 180 degrees."""
    crops = [crop_line(page_bgr, box) for box in pipeline.detect(page_bgr, 0.5)]
    crops[1] = np.ascontiguousarray(crops[1][::-1, ::-1])
    return crops


@pytest.mark.parametrize("runtime", [False, True], ids=["as-converted", "folded-nhwc"])
def test_detector_equals_onnx_runtime(onnx_models, page_bgr: np.ndarray, runtime: bool) -> None:  # type: ignore[no-untyped-def]
    batch = _normalise(_resize_to_multiple_of_32(page_bgr, 736 / 191))[None]
    assert batch.shape == (1, 3, 736, 1472)
    expected = _onnx_run(onnx_models["det"], batch)
    ours = _torch_run("det", batch, runtime)
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() < 1e-4
    assert (expected > 0.3).sum() > 1000  # the page really has text: the map is not trivially empty


@pytest.mark.parametrize("runtime", [False, True], ids=["as-converted", "folded-nhwc"])
def test_classifier_equals_onnx_runtime(onnx_models, line_crops, runtime: bool) -> None:  # type: ignore[no-untyped-def]
    batch = np.stack([_line_tensor(c, 48, 192) for c in line_crops])
    expected = _onnx_run(onnx_models["cls"], batch)
    ours = _torch_run("cls", batch, runtime)
    assert np.abs(ours - expected).max() < 1e-4
    assert expected[1].argmax() == 1 and expected[0].argmax() == 0  # the turned line is seen as 180


@pytest.mark.parametrize("runtime", [False, True], ids=["as-converted", "folded-nhwc"])
def test_recogniser_equals_onnx_runtime(onnx_models, line_crops, runtime: bool) -> None:  # type: ignore[no-untyped-def]
    widest = max(c.shape[1] / c.shape[0] for c in line_crops)
    batch = np.stack([_line_tensor(c, 48, int(48 * widest)) for c in line_crops])
    expected = _onnx_run(onnx_models["rec"], batch)
    ours = _torch_run("rec", batch, runtime)
    assert ours.shape == expected.shape and ours.shape[2] == 6625
    assert np.abs(ours - expected).max() < 1e-4


def test_shipped_weights_are_what_the_converter_makes(onnx_models, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The converter, run on the reference's classifier graph, reproduces the shipped file exactly."""
    import importlib.util
    import sys

    import onnx
    from hub_ocr.cls_net import DirectionClassifier
    from safetensors.torch import load_file

    tool = Path(__file__).resolve().parents[1] / "tools" / "convert_onnx.py"
    spec = importlib.util.spec_from_file_location("hub_ocr_convert_onnx", tool)
    assert spec is not None and spec.loader is not None
    converter = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = converter
    spec.loader.exec_module(converter)
    network = DirectionClassifier()
    converter.fill(
        network, converter.graph_parameters(onnx.load(str(onnx_models["cls"]))), torch.zeros(1, 3, 48, 192)
    )
    shipped = load_file(
        str(Path(converter.__file__).parents[1] / "src" / "hub_ocr" / "data" / "cls.safetensors")
    )
    made = {k: v for k, v in network.state_dict().items() if "num_batches" not in k}
    assert sorted(made) == sorted(shipped)
    assert all(torch.equal(made[k], shipped[k]) for k in made)


def test_dictionary_and_settings_come_from_the_reference(onnx_models) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    import onnxruntime as ort
    import yaml
    from hub_ocr.weights import dictionary, pipeline_settings

    session = ort.InferenceSession(str(onnx_models["rec"]), providers=["CPUExecutionProvider"])
    characters = session.get_modelmeta().custom_metadata_map["character"].splitlines()
    assert dictionary() == ("blank", *characters, " ") and len(characters) == 6623
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    assert spec is not None and spec.submodule_search_locations
    config = yaml.safe_load((Path(spec.submodule_search_locations[0]) / "config.yaml").read_text())
    settings = pipeline_settings()
    for section in ("Global", "Det", "Cls", "Rec"):
        for key, value in settings[section].items():
            assert config[section][key] == value, (section, key)
