"""ServingSpec.image_channels: a method that wants BGR arrays (PaddleHub's OCR convention) gets them."""

from __future__ import annotations

import base64
import io
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hubcore import ServingSpec, SpecError
from hubcore.serving._config import ModuleConfig, ServingConfig
from hubcore.serving._images import decode_images
from tests.serving.conftest import serving_client

CHANNELS_PLUGIN = """
from hubcore import ModuleSpec, ServingSpec, hookimpl

@hookimpl
def hubcore_register_modules(register):
    for order in ("RGB", "BGR"):
        serving = ServingSpec(method="first", inputs={"images": "images"}, images=("images",),
                              image_channels=order)
        register(ModuleSpec(name=f"first_pixel_{order.lower()}", version="1.0",
                            entry="channels_impl:FirstPixel", serving=serving))
"""

CHANNELS_IMPL = """
class FirstPixel:
    def first(self, images):
        return [{"pixel": [int(v) for v in a[0, 0]], "contiguous": bool(a.flags.c_contiguous)}
                for a in images]
"""


def _png(rgb: tuple[int, int, int]) -> str:
    picture = np.zeros((3, 5, 3), dtype=np.uint8)
    picture[...] = rgb
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_the_server_hands_each_method_its_channel_order(make_plugin: Callable[..., Path]) -> None:
    path = make_plugin("hub-channels", CHANNELS_PLUGIN)
    (path.parent / "channels_impl.py").write_text(CHANNELS_IMPL, encoding="utf-8")
    sys.modules.pop("channels_impl", None)
    config = ServingConfig(modules=(ModuleConfig("first_pixel_rgb"), ModuleConfig("first_pixel_bgr")))
    red = _png((200, 10, 30))
    with serving_client(config) as client:
        rgb = client.post("/predict/first_pixel_rgb", json={"images": [red]}).json()["results"]
        bgr = client.post("/predict/first_pixel_bgr", json={"images": [red]}).json()["results"]
    assert rgb == [{"pixel": [200, 10, 30], "contiguous": True}]
    assert bgr == [{"pixel": [30, 10, 200], "contiguous": True}]


def test_decode_images_orders_the_channels() -> None:
    (rgb,) = decode_images([_png((1, 2, 3))], "images", 10_000)
    (bgr,) = decode_images([_png((1, 2, 3))], "images", 10_000, "BGR")
    assert rgb[1, 1].tolist() == [1, 2, 3] and bgr[1, 1].tolist() == [3, 2, 1]
    assert np.array_equal(bgr, rgb[:, :, ::-1])


def test_image_channels_defaults_to_rgb_and_is_validated() -> None:
    spec = ServingSpec(method="m", inputs={"images": "images"}, images=("images",))
    assert spec.image_channels == "RGB"
    with pytest.raises(SpecError, match="image_channels must be 'RGB' or 'BGR', not 'bgr'"):
        ServingSpec(method="m", inputs={"images": "images"}, images=("images",), image_channels="bgr")
