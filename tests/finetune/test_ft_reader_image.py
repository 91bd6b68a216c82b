"""The image reader: resizing, normalisation, seeded augmentation, batches and its saved config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PIL import Image

import hubcore
from hubcore import HubcoreError
from hubcore.finetune import BaseReader, ImageClassificationDataset, ImageClassificationReader


def gradient(path: Path, width: int = 12, height: int = 8) -> Path:
    """An image whose red channel rises left to right, so a flip is visible."""
    image = Image.new("RGB", (width, height))
    image.putdata([(x * 20, y * 30, 100) for y in range(height) for x in range(width)])
    image.save(path)
    return path


@pytest.fixture
def flowers(tmp_path: Path) -> ImageClassificationDataset:
    (tmp_path / "jpg").mkdir()
    Image.new("RGB", (10, 6), (255, 0, 51)).save(tmp_path / "jpg" / "red.png")
    Image.new("RGB", (7, 9), (0, 102, 255)).save(tmp_path / "jpg" / "blue.png")
    gradient(tmp_path / "jpg" / "grad.png")
    (tmp_path / "labels.txt").write_text("rose\niris\n", encoding="utf-8")
    (tmp_path / "train.txt").write_text(
        "jpg/red.png rose\njpg/blue.png 1\njpg/grad.png rose\n", encoding="utf-8"
    )
    (tmp_path / "dev.txt").write_text("jpg/grad.png iris\n", encoding="utf-8")
    return ImageClassificationDataset(
        tmp_path / "train.txt", tmp_path / "dev.txt", label_list_file=tmp_path / "labels.txt"
    )


def test_pixels_are_resized_and_normalised(flowers: ImageClassificationDataset) -> None:
    mean, std = (0.5, 0.4, 0.3), (0.25, 0.5, 0.2)
    reader = ImageClassificationReader(flowers, image_size=(4, 5), mean=mean, std=std)
    items = reader.encode(flowers.get_train_examples()[:2])
    red, blue = items[0]["pixel_values"], items[1]["pixel_values"]
    assert red.shape == (3, 4, 5) and red.dtype == torch.float32
    for tensor, rgb in ((red, (255, 0, 51)), (blue, (0, 102, 255))):
        expected = torch.tensor([(c / 255 - m) / s for c, m, s in zip(rgb, mean, std, strict=True)])
        assert torch.allclose(tensor, expected.view(3, 1, 1).expand(3, 4, 5), atol=1e-6)
    assert [item["labels"] for item in items] == [0, 1]


def test_batches_stack_pixels_and_labels(flowers: ImageClassificationDataset) -> None:
    reader = ImageClassificationReader(flowers, image_size=8)
    batch = next(reader.batches("train", 3))
    assert batch["pixel_values"].shape == (3, 3, 8, 8) and batch["labels"].tolist() == [0, 1, 0]
    assert "attention_mask" not in batch


def test_augmentation_is_seeded_and_only_for_training(flowers: ImageClassificationDataset) -> None:
    def train_pixels(seed: int) -> list[torch.Tensor]:
        reader = ImageClassificationReader(flowers, image_size=8, augment=True, seed=seed)
        return [b["pixel_values"] for _ in range(4) for b in reader.batches("train", 3)]

    first, again = train_pixels(3), train_pixels(3)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    plain = ImageClassificationReader(flowers, image_size=8)
    unaugmented = next(plain.batches("train", 3))["pixel_values"]
    assert any(not torch.allclose(batch[2], unaugmented[2]) for batch in first)  # the gradient image changes
    augmenting = ImageClassificationReader(flowers, image_size=8, augment=True)
    assert torch.equal(
        next(augmenting.batches("dev", 1))["pixel_values"], next(plain.batches("dev", 1))["pixel_values"]
    )


def test_encode_once_then_collate_draws_new_augmentations_each_time(
    flowers: ImageClassificationDataset,
) -> None:
    reader = ImageClassificationReader(flowers, image_size=8, augment=True, seed=1)
    train = reader.encoded("train")
    assert all(item["augment"] for item in train) and not any(
        "augment" in item for item in reader.encoded("dev")
    )
    plain = ImageClassificationReader(flowers, image_size=8).encoded("train")
    assert all(torch.equal(a["pixel_values"], b["pixel_values"]) for a, b in zip(train, plain, strict=True))
    epochs = [reader.collate(train)["pixel_values"] for _ in range(3)]
    assert set(reader.collate(train)) == {"pixel_values", "labels"}
    assert not torch.equal(epochs[0][2], epochs[1][2]) or not torch.equal(epochs[1][2], epochs[2][2])
    # a solid colour stays that colour whatever the crop and flip
    assert torch.allclose(epochs[0][0], plain[0]["pixel_values"], atol=1e-5)
    again = ImageClassificationReader(flowers, image_size=8, augment=True, seed=1)
    assert torch.equal(again.collate(again.encoded("train"))["pixel_values"], epochs[0])


def test_flip_without_crop_mirrors_the_image(tmp_path: Path) -> None:
    path = str(gradient(tmp_path / "g.png"))
    reader = ImageClassificationReader(
        None, label_list=["x"], image_size=(8, 12), augment=True, crop_scale=(1.0, 1.0)
    )
    plain = reader.load_image(path)
    draws = [reader.load_image(path, augment=True) for _ in range(12)]
    assert all(torch.allclose(d, plain) or torch.allclose(d, plain.flip(-1)) for d in draws)
    assert any(torch.allclose(d, plain.flip(-1)) for d in draws) and any(
        torch.allclose(d, plain) for d in draws
    )


def test_config_round_trip_and_prediction_by_path(
    flowers: ImageClassificationDataset, tmp_path: Path
) -> None:
    reader = ImageClassificationReader(
        flowers, image_size=(6, 4), mean=(0.1, 0.2, 0.3), std=(1, 1, 1), augment=True
    )
    rebuilt = BaseReader.from_config(json.loads(json.dumps(reader.to_config())))
    assert isinstance(rebuilt, ImageClassificationReader)
    assert (rebuilt.image_size, rebuilt.mean, rebuilt.label_list) == (
        (6, 4),
        [0.1, 0.2, 0.3],
        ["rose", "iris"],
    )
    path = str(tmp_path / "jpg" / "red.png")
    assert torch.equal(
        rebuilt.encode_texts([path])[0]["pixel_values"], reader.encode_texts([path])[0]["pixel_values"]
    )
    assert hubcore.load_component("reader", "image_classification") is ImageClassificationReader


def test_bad_images_and_options_are_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    reader = ImageClassificationReader(None, label_list=["x"])
    with pytest.raises(HubcoreError, match=r"broken\.png: cannot read the image"):
        reader.encode_texts([str(broken)])
    with pytest.raises(HubcoreError, match="crop_scale"):
        ImageClassificationReader(None, label_list=["x"], crop_scale=(0.0, 1.0))
    with pytest.raises(HubcoreError, match="image_size"):
        ImageClassificationReader(None, label_list=["x"], image_size=(3, 4, 5))
