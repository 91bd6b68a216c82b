"""Darknet's letterbox, checked against values worked out by hand from its resampling rules."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hub_yolov3.letterbox import Letterbox, darknet_resize, fitted_size, letterbox, to_network, unletterbox
from PIL import Image


def test_resize_is_corner_aligned_two_pass_bilinear() -> None:
    pixels = np.array([[0, 51, 102], [153, 204, 255]], np.uint8)[:, :, None]  # 2 rows, 3 columns

    resized = darknet_resize(pixels, 2, 3)[:, :, 0]

    # Columns: output 0 reads input 0, the last output column copies the last input column.
    # Rows: position r * (2 - 1) / (3 - 1): 0, 0.5 (halfway), 1 (the last row).
    assert resized.dtype == np.float32
    np.testing.assert_allclose(resized, [[0.0, 0.4], [0.3, 0.7], [0.6, 1.0]], atol=1e-7)


def test_resize_interpolates_between_neighbours_without_antialiasing() -> None:
    pixels = np.array([[0, 255, 0, 255, 0, 255, 0, 255, 0]], np.uint8)[:, :, None].repeat(2, 0)

    resized = darknet_resize(pixels, 5, 2)[0, :, 0]

    # Positions 0, 2, 4, 6, 8 land on the zeros: a filter with support wider than a pixel
    # (Pillow's reducing bilinear) would average the 255s in.
    assert resized.tolist() == [0.0, 0.0, 0.0, 0.0, 0.0]


def test_resize_keeps_darknets_float32_last_row() -> None:
    # float32(13) / 11 * 11 falls just short of 13, so Darknet's last row weighs the row above
    # by (1 - 0.99999905) and adds nothing from below: it comes out black.
    white = np.full((14, 3, 3), 255, np.uint8)

    resized = darknet_resize(white, 3, 12)

    assert resized[:-1].min() == pytest.approx(1.0, abs=1e-6)
    assert resized[-1].max() < 1e-5


def test_new_size_truncates_and_the_picture_sits_on_mid_grey() -> None:
    assert fitted_size(768, 576, 416) == (416, 312)
    assert fitted_size(451, 300, 416) == (416, 276)  # 300 * 416 / 451 = 276.6
    assert fitted_size(300, 451, 416) == (276, 416)
    image = Image.new("RGB", (451, 300), (255, 0, 0))

    array, box = letterbox(image, 416)

    assert array.shape == (3, 416, 416) and array.dtype == np.float32
    assert box == Letterbox(416, 451, 300, 416, 276)
    assert array[:, 69, 200].tolist() == [0.5, 0.5, 0.5]  # above the picture: rows 0..69
    assert array[:, 70, 200].tolist() == pytest.approx([1.0, 0.0, 0.0], abs=1e-6)
    assert array[:, 345, 200].tolist() == pytest.approx([1.0, 0.0, 0.0], abs=1e-6)
    assert array[:, 346, 200].tolist() == [0.5, 0.5, 0.5]


def test_boxes_map_back_as_darknet_maps_them() -> None:
    box = Letterbox(416, 451, 300, 416, 276)
    # Darknet: x = (x_net - (416 - 416) / 2) * 451 / 416, y = (y_net - (416 - 276) / 2) * 300 / 276.
    net = torch.tensor([[41.6, 70.0 + 27.6, 208.0, 70.0 + 138.0]])

    original = unletterbox(net, box)

    assert original.tolist()[0] == pytest.approx([45.1, 30.0, 225.5, 150.0], abs=1e-3)
    assert to_network(original.numpy(), box).tolist()[0] == pytest.approx(net.tolist()[0], abs=1e-3)
    beyond = torch.tensor([[-50.0, 0.0, 500.0, 416.0]])
    assert unletterbox(beyond, box).tolist()[0] == pytest.approx([0, 0, 451, 300])
    assert unletterbox(beyond, box, clip=False).tolist()[0][0] == pytest.approx(-50 * 451 / 416)
