"""style_transfer(): PaddleHub's calling convention, per-image errors, atomic PNGs, style checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hub_style.styles import StyleError
from PIL import Image

import hubcore


@pytest.fixture()
def small_photo(tmp_path: Path, photo) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "eagle.png"
    Image.fromarray(photo("eagle.jpg", 96)).save(path)
    return path


def test_results_are_uint8_pictures_saved_as_png(stylist, small_photo: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    results = stylist.style_transfer(paths=[small_photo], style=19, output_dir=out_dir)
    (result,) = results
    assert result["path"] == str(small_photo)
    assert result["data"].dtype == np.uint8 and result["data"].shape == (64, 96, 3)
    assert result["save_path"] == str(out_dir / "eagle_style19.png")
    saved = np.asarray(Image.open(result["save_path"]))
    assert np.array_equal(saved, result["data"])
    assert sorted(p.name for p in out_dir.iterdir()) == ["eagle_style19.png"]  # no temporary file left


def test_arrays_and_paths_in_one_call_keep_their_order(stylist, small_photo: Path, photo, tmp_path) -> None:
    pixels = photo("dog.jpg", 80)
    results = stylist.style_transfer(
        images=[pixels, pixels[:, :, 0]], paths=[small_photo], style=3, output_dir=tmp_path
    )
    assert [r["data"].shape[:2] for r in results] == [(64, 96), pixels.shape[:2], pixels.shape[:2]]
    assert [Path(r["save_path"]).name for r in results] == [
        "eagle_style3.png",
        "image_numpy_0_style3.png",
        "image_numpy_1_style3.png",
    ]
    # The grey copy is stylised as a grey RGB picture: same network, different input, different output.
    assert not np.array_equal(results[1]["data"], results[2]["data"])


def test_visualization_false_writes_nothing(stylist, small_photo: Path, tmp_path: Path) -> None:
    (result,) = stylist.style_transfer(paths=[small_photo], visualization=False, output_dir=tmp_path / "none")
    assert result["save_path"] is None and result["data"].shape == (64, 96, 3)
    assert not (tmp_path / "none").exists()


def test_max_side_shrinks_large_photos_only(stylist, photos: Path) -> None:
    (big,) = stylist.style_transfer(paths=[photos / "rocket.jpg"], max_side=128, visualization=False)
    assert max(big["data"].shape[:2]) == 128
    tiny = np.full((40, 30, 3), 128, np.uint8)
    (kept,) = stylist.style_transfer(images=[tiny], max_side=128, visualization=False)
    assert kept["data"].shape == (40, 30, 3)  # never enlarged


def test_blend_mapping_equals_the_same_weight_list(stylist, photo) -> None:
    pixels = photo("chelsea.png", 72)
    weights = [0.0] * 26
    weights[3], weights[19] = 2.0, 6.0  # weights are rescaled to sum to one
    by_list = stylist.stylize_float(pixels, weights)
    by_mapping = stylist.stylize_float(pixels, {3: 0.25, 19: 0.75})
    assert np.array_equal(by_list, by_mapping)
    assert np.abs(by_mapping - stylist.stylize_float(pixels, 19)).max() > 0.05


def test_bad_images_fail_one_by_one(stylist, small_photo: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.jpg").write_text("not a picture")
    results = stylist.style_transfer(
        paths=[tmp_path / "missing.png", small_photo, tmp_path / "notes.jpg"],
        images=[np.zeros((8, 8, 3), np.uint8), np.zeros((20, 20, 5), np.uint8), "pixels"],
        output_dir=tmp_path / "out",
    )
    errors = [r.get("error") for r in results]
    assert "missing.png: no such file" in errors[0]
    assert errors[1] is None and results[1]["data"].shape == (64, 96, 3)
    assert "notes.jpg: not an image file" in errors[2]
    assert "images[0]: image of 8 x 8 is too small" in errors[3]
    assert "images[1]: array of shape (20, 20, 5)" in errors[4]
    assert "images[2]: expected a NumPy array, got str" in errors[5]
    assert all(r["data"] is None for i, r in enumerate(results) if i != 1)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["eagle_style0.png"]


@pytest.mark.parametrize(
    ("style", "message"),
    [
        (26, "style: style index must be 0 to 25, got 26"),
        (-1, "style: style index must be 0 to 25, got -1"),
        (True, "style index must be an integer"),
        (2.5, "style index must be an integer"),
        ("19", "is a string"),
        ([1.0] * 25, "a weight list needs 26 values"),
        ([0.0] * 26, "the style weights are all zero"),
        ({3: -1.0, 4: 2.0}, "weights must be finite and non-negative"),
        ({3: float("nan")}, "weights must be finite and non-negative"),
        ({30: 1.0}, "style index must be 0 to 25, got 30"),
        ({}, "the blend is empty"),
    ],
)
def test_bad_styles_are_refused_before_any_work(stylist, style: object, message: str, tmp_path: Path) -> None:
    with pytest.raises(StyleError, match=message):
        stylist.style_transfer(paths=[tmp_path / "never-read.png"], style=style, output_dir=tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_bad_call_arguments_are_hub_errors(stylist) -> None:
    with pytest.raises(hubcore.HubcoreError, match="needs images"):
        stylist.style_transfer()
    with pytest.raises(hubcore.HubcoreError, match="max_side must be at least 16"):
        stylist.style_transfer(images=[np.zeros((32, 32, 3), np.uint8)], max_side=8)
    with pytest.raises(hubcore.HubcoreError, match="max_side must be an integer or None"):
        stylist.style_transfer(images=[np.zeros((32, 32, 3), np.uint8)], max_side="big")


def test_a_failed_save_is_reported_and_leaves_no_file(stylist, small_photo: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file where the output folder should be")
    (result,) = stylist.style_transfer(paths=[small_photo], output_dir=blocker)
    assert "could not save the result" in result["error"] and result["data"].shape == (64, 96, 3)
    assert blocker.read_text().startswith("a file")
