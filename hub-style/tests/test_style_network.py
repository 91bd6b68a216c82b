"""The fast inference path against the op-for-op definition, and its buffer reuse between calls."""

from __future__ import annotations

import numpy as np
import torch
from hub_style.kernels import CENTRE_STRIDE, BufferPool, centred_reflect_pad
from hub_style.network import MultiStyleNet


def _batch(pixels: np.ndarray) -> torch.Tensor:
    height, width = pixels.shape[:2]
    pixels = pixels[: height - height % 4, : width - width % 4]
    return torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1)[None] / 255.0)).float()


def test_fast_path_equals_the_float64_definition(stylist, photo) -> None:
    image = _batch(photo("rocket.jpg", 300))
    style = torch.zeros(1, 26)
    style[0, [4, 11]] = 0.5
    exact = MultiStyleNet().double()
    exact.load_state_dict(stylist.network.state_dict())
    with torch.inference_mode():
        fast = stylist.network(image, style)
        truth = exact.reference(image.double(), style.double())
    assert fast.dtype == torch.float32 and fast.shape == truth.shape
    assert (fast.double() - truth).abs().max() < 1e-4


def test_centred_reflect_pad_is_pad_of_the_centred_input() -> None:
    x = torch.randn(2, 3, 7, 9).contiguous(memory_format=torch.channels_last)
    centred = x - x[:, :, ::CENTRE_STRIDE, ::CENTRE_STRIDE].mean(dim=(2, 3), keepdim=True)
    for pad in (1, 4):
        for upsample in (False, True):
            source = torch.nn.functional.interpolate(centred, scale_factor=2.0) if upsample else centred
            expected = torch.nn.functional.pad(source, (pad,) * 4, mode="reflect")
            got = centred_reflect_pad(x, pad, upsample, BufferPool())
            assert torch.equal(got, expected), (pad, upsample)


def test_buffers_are_reused_without_leaking_between_calls(stylist, photo) -> None:
    """Same-sized photos share pooled buffers; a returned picture is never overwritten later."""
    first, second = _batch(photo("dog.jpg", 120)), _batch(photo("coffee.png", 120))
    second = second[:, :, : first.shape[2], : first.shape[3]].contiguous()
    style = torch.zeros(1, 26)
    style[0, 7] = 1.0
    network = stylist.network
    with torch.inference_mode():
        network.release_buffers()
        alone = network(second, style).clone()
        out_first = network(first, style)
        kept = out_first.clone()
        out_second = network(second, style)
        assert torch.equal(out_first, kept)
        assert torch.equal(out_second, alone)
        assert torch.equal(network(first, style), kept)


def test_results_do_not_depend_on_band_size(stylist, photo, monkeypatch) -> None:
    import hub_style.kernels as kernels

    image = _batch(photo("eagle.jpg", 200))
    style = torch.zeros(1, 26)
    style[0, 2] = 1.0
    with torch.inference_mode():
        whole = stylist.network(image, style)
        monkeypatch.setattr(kernels, "BAND_BYTES", 4096)  # a few rows per band
        stylist.network.release_buffers()
        banded = stylist.network(image, style)
    assert (whole - banded).abs().max() < 1e-5


def test_every_layer_fast_path_equals_its_reference_at_odd_sizes(stylist) -> None:
    """Folded, upsampling, strided and plain layers, on sizes that are not multiples of 4."""
    generator = torch.Generator().manual_seed(0)
    style = torch.rand(1, 26, generator=generator)
    style /= style.sum()
    layers = [m for m in stylist.network.modules() if hasattr(m, "reference") and hasattr(m, "fold")]
    assert len(layers) == 3 + 12 + 3 and any(m.fold > 1 for m in layers)
    for height, width in ((37, 50), (36, 52)):
        for layer in layers:
            x = torch.rand(1, layer.weight.shape[1], height, width, generator=generator) * 3
            with torch.inference_mode():
                fast, reference = layer(x, style), layer.reference(x, style)
            assert fast.shape == reference.shape
            assert (fast - reference).abs().max() < 1e-4 * max(1.0, float(reference.abs().max()))


def test_threaded_bands_give_the_same_picture_and_restore_torch_threads(stylist, photo) -> None:
    image = _batch(photo("astronaut.png", 240))
    style = torch.zeros(1, 26)
    style[0, 9] = 1.0
    with torch.inference_mode():
        alone = stylist.network(image, style)
        torch.set_num_threads(2)
        shared = stylist.network(image, style)
        assert torch.get_num_threads() == 2
        torch.set_num_threads(1)
    assert (alone - shared).abs().max() < 1e-5
