"""Every kind of bad input is converted or refused with a message naming it; the rest still run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hubcore.images import ImageInputError, load_array, load_path


def _mode_image(tmp_path: Path, mode: str, name: str, **save: object) -> Path:
    rgb = Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 60, 3), dtype=np.uint8))
    image = rgb.convert(mode) if mode != "P" else rgb.convert("P", palette=Image.ADAPTIVE, colors=16)
    path = tmp_path / name
    image.save(path, **save)
    return path


def test_grey_rgba_palette_and_cmyk_are_converted(tmp_path: Path) -> None:
    for mode, name in (
        ("L", "grey.png"),
        ("RGBA", "rgba.png"),
        ("P", "palette.png"),
        ("LA", "la.png"),
        ("CMYK", "cmyk.jpg"),
        ("1", "bw.png"),
    ):
        loaded = load_path(_mode_image(tmp_path, mode, name))
        assert loaded.image.mode == "RGB" and loaded.image.size == (60, 40), name


def test_transparency_is_flattened_on_white(tmp_path: Path) -> None:
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 0] = 255  # red, fully transparent on the left half
    rgba[:, 5:, 3] = 255
    Image.fromarray(rgba, "RGBA").save(tmp_path / "half.png")
    pixels = np.asarray(load_path(tmp_path / "half.png").image)
    assert pixels[0, 0].tolist() == [255, 255, 255] and pixels[0, 9].tolist() == [255, 0, 0]
    palette = Image.new("P", (4, 4), 1)
    palette.putpalette([0, 0, 0, 0, 255, 0] + [0] * 762)
    palette.save(tmp_path / "ptrans.png", transparency=1)
    assert np.asarray(load_path(tmp_path / "ptrans.png").image)[0, 0].tolist() == [255, 255, 255]


def test_sixteen_bit_is_scaled_not_clipped(tmp_path: Path) -> None:
    values = np.array([[0, 257 * 100, 65535]], dtype=np.uint16)
    Image.fromarray(values).save(tmp_path / "deep.png")
    opened = Image.open(tmp_path / "deep.png")
    assert opened.mode.startswith("I")  # really a 16-bit file
    pixels = np.asarray(load_path(tmp_path / "deep.png").image)
    assert pixels[0, :, 0].tolist() == [0, 100, 255]
    assert np.asarray(load_array(values, "images[0]").image)[0, :, 0].tolist() == [0, 100, 255]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.jpg", "missing.jpg: no such file"),
        (lambda d: d, "not a regular file"),
        (
            lambda d: _write(d / "notes.jpg", b"these are words, not pixels\n" * 10),
            "notes.jpg: not an image file",
        ),
        (lambda d: _truncated(d, "cut.jpg", "JPEG"), "cut.jpg: truncated or corrupt image"),
        (lambda d: _truncated(d, "cut.png", "PNG"), "cut.png: truncated or corrupt image"),
        (lambda d: _write(d / "empty.png", b""), "empty.png: not an image file"),
    ],
)
def test_unreadable_files_are_refused_with_their_name(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(ImageInputError, match=message):
        load_path(make(tmp_path))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _truncated(directory: Path, name: str, fmt: str) -> Path:
    image = Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    whole = directory / f"whole-{name}"
    image.save(whole, format=fmt)
    data = whole.read_bytes()
    return _write(directory / name, data[: len(data) // 2])


def test_huge_png_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    Image.new("L", (10_000, 10_000), 200).save(path, optimize=False, compress_level=1)
    with pytest.raises(
        ImageInputError, match=r"huge.png: image is 10000 x 10000 \(100.0 Mpx\), above the limit"
    ):
        load_path(path)


def test_huge_jpeg_is_decoded_at_reduced_scale(tmp_path: Path) -> None:
    path = tmp_path / "huge.jpg"
    Image.new("L", (10_000, 10_000), 200).save(path, quality=50)
    loaded = load_path(path)
    assert loaded.original_size == (10_000, 10_000)
    assert (
        loaded.image.size == (5000, 5000) and loaded.scale_to_original == 2.0
    )  # 1/2 scale: 25 Mpx, under 40


def test_bad_arrays_are_refused() -> None:
    cases = [
        (np.zeros((10, 10, 2), np.uint8), "shape"),
        (np.zeros((0, 10, 3), np.uint8), "no pixels"),
        (np.zeros((10,), np.uint8), "shape"),
        (np.array([["a"]]), "dtype"),
        (np.full((4, 4, 3), np.nan), "NaN"),
        ("picture.jpg", "expected a NumPy array"),
    ]
    for array, message in cases:
        with pytest.raises(ImageInputError, match=message):
            load_array(array, "images[3]")
    floats = load_array(np.full((4, 4, 3), 0.5), "images[0]")
    assert np.asarray(floats.image)[0, 0].tolist() == [128, 128, 128]
    big = load_array(np.zeros((10_000, 10_000), np.uint8), "images[0]")
    assert big.original_size == (10_000, 10_000) and big.image.width * big.image.height <= 40_000_000


def test_a_batch_with_every_bad_input_still_processes_the_good_ones(
    tiny_detector, tmp_path: Path, scene: np.ndarray
) -> None:
    good = tmp_path / "good.png"
    Image.fromarray(scene).save(good)
    paths = [
        tmp_path / "missing.jpg",
        _write(tmp_path / "notes.jpg", b"not an image"),
        _truncated(tmp_path, "cut.jpg", "JPEG"),
        _mode_image(tmp_path, "L", "grey.png"),
        _mode_image(tmp_path, "RGBA", "rgba.png"),
        _mode_image(tmp_path, "P", "palette.png"),
        good,
    ]
    Image.fromarray(np.full((30, 30), 40000, np.uint16)).save(tmp_path / "deep.png")
    paths.append(tmp_path / "deep.png")
    arrays = [np.zeros((5, 5, 7), np.uint8), scene]
    out = tmp_path / "out"
    results = tiny_detector.object_detection(
        paths=[str(p) for p in paths], images=arrays, batch_size=3, score_thresh=0.0, output_dir=str(out)
    )
    assert len(results) == len(paths) + len(arrays)
    failed = {i: r["error"] for i, r in enumerate(results) if "error" in r}
    assert sorted(failed) == [0, 1, 2, 8]
    assert "missing.jpg: no such file" in failed[0]
    assert "notes.jpg: not an image file" in failed[1]
    assert "cut.jpg: truncated or corrupt image" in failed[2]
    assert failed[8].startswith("images[0]: array of shape (5, 5, 7)")
    for i, result in enumerate(results):
        if i in failed:
            assert result["data"] == [] and result["save_path"] is None
        else:
            assert result["data"], i  # score_thresh 0: every processed image yields boxes
            assert Path(result["save_path"]).is_file()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["grey.jpg", "rgba.jpg", "palette.jpg", "good.jpg", "deep.jpg", "image_numpy_1.jpg"]
    )


def test_cli_reports_each_failure_and_exits_non_zero(
    tiny_weights: Path, scene_png: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from hubcore.cli import build_cli

    runner = CliRunner()
    args = [
        "run",
        "yolov3_tiny",
        "--weights",
        str(tiny_weights),
        "--input_size",
        "128",
        "--score_thresh",
        "0.2",
    ]
    args += ["--input_path", str(scene_png), "--input_path", str(tmp_path / "gone.png")]
    args += ["--input_path", str(_write(tmp_path / "fake.png", b"nope"))]
    result = runner.invoke(build_cli(), args)
    assert result.exit_code == 1, result.output
    assert f"{scene_png}: " in result.stdout and "object(s)" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2
    assert "gone.png: no such file" in errors[0] and "fake.png: not an image file" in errors[1]


def test_exif_rotation_is_applied_without_skewing_the_scale(tmp_path: Path) -> None:
    image = Image.new("RGB", (60, 40), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    image.save(tmp_path / "turned.jpg", exif=exif.tobytes())
    loaded = load_path(tmp_path / "turned.jpg")
    assert loaded.image.size == (40, 60) and loaded.scale_to_original == 1.0
