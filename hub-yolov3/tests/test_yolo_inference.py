"""The inference copy of the network: folded, fused with oneDNN, and always in step with the weights."""

from __future__ import annotations

import torch
from hub_yolov3.inference import InferenceNetwork
from hub_yolov3.model import TINY_ANCHORS, YoloConfig, YOLOv3, max_pool_2x2
from torch.nn import functional as F  # noqa: N812 - the usual spelling


def _tiny(randomise_batch_norm) -> YOLOv3:  # type: ignore[no-untyped-def]
    torch.manual_seed(5)
    model = YOLOv3(YoloConfig(arch="tiny", anchors=TINY_ANCHORS, num_classes=3, width=0.5)).eval()
    randomise_batch_norm(model)
    return model


def test_fused_and_folded_networks_equal_the_model(randomise_batch_norm) -> None:  # type: ignore[no-untyped-def]
    model = _tiny(randomise_batch_norm)
    pixels = torch.rand(2, 3, 96, 96, generator=torch.Generator().manual_seed(0))
    fused, folded = InferenceNetwork(model), InferenceNetwork(model, fuse=False)

    with torch.inference_mode():
        expected = model(pixels)
    assert fused.fused and not folded.fused  # PyTorch's CPU wheels carry oneDNN
    for network in (fused, folded):
        outputs = network(pixels)
        assert [o.shape for o in outputs] == [(2, 24, 6, 6), (2, 24, 3, 3)]
        for ours, theirs in zip(outputs, expected, strict=True):
            assert torch.allclose(ours, theirs, atol=1e-4), (ours - theirs).abs().max()


def test_inference_copy_follows_weight_changes(randomise_batch_norm) -> None:  # type: ignore[no-untyped-def]
    model = _tiny(randomise_batch_norm)
    network = InferenceNetwork(model)
    pixels = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    before = network(pixels)[0]
    assert network.network() is network.network()  # unchanged weights: the copy is reused

    with torch.no_grad():
        model.tiny_convs[0].conv.weight.mul_(-1.0)  # as an optimiser step would, in place
        model.tiny_convs[3].bn.running_mean.add_(0.5)
    after = network(pixels)[0]

    with torch.inference_mode():
        expected = model(pixels)[0]
    assert not torch.allclose(before, after, atol=1e-3)
    assert torch.allclose(after, expected, atol=1e-4)


def test_quarter_max_pool_equals_max_pool2d() -> None:
    x = torch.randn(2, 5, 8, 6, generator=torch.Generator().manual_seed(2))
    channels_last = x.contiguous(memory_format=torch.channels_last)

    assert torch.equal(max_pool_2x2(x), F.max_pool2d(x, 2, 2))
    assert torch.equal(max_pool_2x2(channels_last), F.max_pool2d(x, 2, 2))
    odd = torch.randn(1, 2, 7, 7)
    assert torch.equal(max_pool_2x2(odd), F.max_pool2d(odd, 2, 2))  # odd sizes: the pooling kernel
