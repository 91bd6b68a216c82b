"""The shapes generator and the VOC / COCO readers, with their error messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hub_yolov3.data import DetectionDataError, load_split
from hub_yolov3.shapes import generate
from PIL import Image


@pytest.fixture(scope="module")
def voc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("d") / "voc", splits={"train": 6, "val": 2}, size=64, seed=7)


def test_voc_and_coco_hold_the_same_boxes(voc: Path, tmp_path: Path) -> None:
    coco = generate(tmp_path / "coco", splits={"train": 6, "val": 2}, size=64, seed=7, fmt="coco")
    for split in ("train", "val"):
        a, labels_a = load_split(voc, split)
        b, labels_b = load_split(coco, split)
        assert labels_a == labels_b == ["circle", "square", "triangle"]
        assert [s.labels for s in a] == [s.labels for s in b]
        for x, y in zip(a, b, strict=True):
            assert np.allclose(x.boxes, y.boxes, atol=1e-6)
            assert Image.open(x.image).tobytes() == Image.open(y.image).tobytes()
    assert load_split(voc, "test")[0] == []  # an absent split is empty, not an error


def test_boxes_are_tight_around_the_drawn_shapes(voc: Path) -> None:
    samples, _ = load_split(voc, "train")
    for sample in samples:
        assert 1 <= len(sample.boxes) <= 3
        for x1, y1, x2, y2 in sample.boxes:
            assert 0 <= x1 < x2 <= 64 and 0 <= y1 < y2 <= 64 and x2 - x1 >= 5
    # A single-shape picture on a flat background: the pixels that differ from the corner colour
    # lie inside the annotated box, and reach within 1.5 pixels of each side.
    single = generate(voc.parent / "single", splits={"train": 30}, size=64, seed=3, max_objects=1)
    checked = 0
    for sample in load_split(single, "train")[0]:
        pixels = np.asarray(Image.open(sample.image), dtype=np.int16)
        if np.abs(pixels[0] - pixels[0, 0]).max() > 0 or np.abs(pixels[:, 0] - pixels[0, 0]).max() > 0:
            continue  # not a flat background (gradient, noise, stripes)
        ys, xs = np.nonzero(np.abs(pixels - pixels[0, 0]).sum(-1) > 30)
        x1, y1, x2, y2 = sample.boxes[0]
        assert (
            xs.min() >= x1 - 1.5
            and xs.max() + 1 <= x2 + 1.5
            and ys.min() >= y1 - 1.5
            and ys.max() + 1 <= y2 + 1.5
        )
        assert xs.min() <= x1 + 1.5 and xs.max() + 1 >= x2 - 1.5
        checked += 1
    assert checked >= 3


def test_generator_refuses_an_existing_folder(voc: Path) -> None:
    with pytest.raises(FileExistsError):
        generate(voc, splits={"train": 1})


def test_voc_errors_name_the_file(voc: Path, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(voc, broken)
    xml = broken / "Annotations" / "train_00001.xml"
    xml.write_text(xml.read_text().replace("<name>", "<name>hexagon", 1))
    with pytest.raises(
        DetectionDataError, match=r"train_00001\.xml: object 1: <name> '\w*hexagon\w*' is not a known label"
    ):
        load_split(broken, "train")
    xml.write_text("<annotation><filename>")
    with pytest.raises(DetectionDataError, match=r"train_00001\.xml: not well-formed XML"):
        load_split(broken, "train")
    (broken / "ImageSets" / "Main" / "val.txt").write_text("val_00000\nnowhere\n")
    with pytest.raises(DetectionDataError, match=r"val.txt:2: annotation .*nowhere.xml does not exist"):
        load_split(broken, "val")


def test_coco_errors_name_the_field(tmp_path: Path) -> None:
    import json

    coco = generate(tmp_path / "coco", splits={"train": 2}, size=64, fmt="coco")
    path = coco / "annotations" / "instances_train.json"
    data = json.loads(path.read_text())
    data["annotations"][0]["bbox"] = [1, 2, 0, 5]
    path.write_text(json.dumps(data))
    with pytest.raises(
        DetectionDataError, match=r"instances_train.json: annotations\[0\]: box .* has no area"
    ):
        load_split(coco, "train")
    data["annotations"][0]["bbox"] = [1, 2, 3, 5]
    data["annotations"][0]["category_id"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(DetectionDataError, match=r"annotations\[0\]: category_id 99 is not a known category"):
        load_split(coco, "train")
    path.write_text("{ not json")
    with pytest.raises(DetectionDataError, match=r"instances_train\.json: not valid JSON"):
        load_split(coco, "train")


def test_generator_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hub_yolov3.shapes import main

    options = ["--format", "coco", "--train", "3", "--val", "1", "--test", "0", "--size", "48"]
    main([str(tmp_path / "cli"), *options])
    assert "wrote" in capsys.readouterr().out
    samples, labels = load_split(tmp_path / "cli", "train")
    assert len(samples) == 3 and labels == ["circle", "square", "triangle"]
    assert Image.open(samples[0].image).size == (48, 48)
    assert not (tmp_path / "cli" / "annotations" / "instances_test.json").exists()
