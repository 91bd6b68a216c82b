"""Our EfficientNet-Lite equals the reference package efficientnet-lite-pytorch 0.1.0, layer by layer."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from efficientnet_lite_pytorch import EfficientNet
from hub_efficientnet.model import VARIANTS, LiteNet
from hub_efficientnet.preprocess import to_tensor
from hub_efficientnet.sources import SOURCES
from hub_efficientnet.weights import dependency_file, load_into, rename_reference
from PIL import Image


def _photo_batch(photos: Path, resolution: int) -> torch.Tensor:
    return to_tensor([Image.open(p).convert("RGB") for p in sorted(photos.iterdir())], resolution)


@pytest.fixture(scope="module")
def reference_lite0() -> EfficientNet:
    source = SOURCES["efficientnet_lite0"]
    path = dependency_file(source.package, source.member, source.sha256)
    return EfficientNet.from_pretrained("efficientnet-lite0", weights_path=str(path)).eval()


def test_lite0_logits_equal_the_reference_on_real_photos(lite0, reference_lite0, photos: Path) -> None:  # type: ignore[no-untyped-def]
    batch = _photo_batch(photos, 224)
    assert batch.shape[0] >= 6
    with torch.no_grad():
        ours, theirs = lite0.net(batch), reference_lite0(batch)
        fused = lite0.inference_net()(batch)
    assert (ours - theirs).abs().max().item() <= 1e-5
    assert (fused - theirs).abs().max().item() <= 1e-4  # batch norms folded: rounding only
    assert torch.equal(ours.argmax(1), theirs.argmax(1))


def test_lite0_layer_outputs_equal_the_reference(lite0, reference_lite0, photos: Path) -> None:  # type: ignore[no-untyped-def]
    batch = _photo_batch(photos, 224)[:2]
    ref, ours = reference_lite0, lite0.net
    with torch.no_grad():
        theirs_x = ref._swish(ref._bn0(ref._conv_stem(batch)))
        ours_x = ours.stem(batch)
        assert (theirs_x - ours_x).abs().max().item() <= 1e-5
        for index, (their_block, our_block) in enumerate(zip(ref._blocks, ours.blocks, strict=True)):
            theirs_x, ours_x = their_block(theirs_x), our_block(ours_x)
            assert theirs_x.shape == ours_x.shape, index
            assert (theirs_x - ours_x).abs().max().item() <= 1e-4, index
        assert (ref.extract_features(batch) - ours.feature_map(batch)).abs().max().item() <= 1e-5


@pytest.mark.parametrize("name", ["efficientnet_lite1", "efficientnet_lite2"])
def test_lite1_lite2_architectures_equal_the_reference(name: str) -> None:
    """Same shapes, same function: the reference's randomly initialised network copied into ours.

    (The real lite1/lite2 weights come from the network on first use; CI does not download.)
    """
    torch.manual_seed(0)
    reference = EfficientNet.from_name(name.replace("_", "-")).eval()
    generator = torch.Generator().manual_seed(1)
    for module in reference.modules():
        if isinstance(module, torch.nn.BatchNorm2d):  # non-trivial statistics, so mixing them up would show
            module.running_mean.uniform_(-0.1, 0.1, generator=generator)
            module.running_var.uniform_(0.5, 2.0, generator=generator)
    ours = LiteNet(VARIANTS[name]).eval()
    load_into(ours, rename_reference(dict(reference.state_dict())), name)
    resolution = VARIANTS[name].resolution
    x = torch.randn(2, 3, resolution, resolution, generator=generator)
    with torch.no_grad():
        assert (ours(x) - reference(x)).abs().max().item() <= 1e-5
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in reference.parameters())
