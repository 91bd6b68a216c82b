"""The image classification reader: Pillow decoding and torch tensors, no torchvision.

Images are decoded to RGB, resized to ``image_size`` and normalised with
``mean``/``std`` per channel; the encoded feature is ``"pixel_values"``, a float
tensor (3, H, W).  Augmentation (a random resized crop and a horizontal flip,
drawn from the reader's ``torch.Generator`` so that a seed reproduces them) works
on those tensors at collate time: :meth:`ImageClassificationReader.encoded` marks
training items with ``"augment": True`` and :meth:`~ImageClassificationReader.collate`
draws a fresh crop and flip for each marked item, so a training loop that encodes
once and collates every epoch still sees new augmentations each epoch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import torch

from hubcore._errors import HubcoreError
from hubcore.finetune.contract import Tokenizer
from hubcore.finetune.data.datasets import BaseDataset, InputExample
from hubcore.finetune.readers.base import BaseReader, batch_indices

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageClassificationReader(BaseReader):
    """Image paths and labels to normalised pixel tensors.

    ``augment=True`` applies a random resized crop (``crop_scale`` of the area,
    aspect kept) and a random horizontal flip to training batches only, drawn
    from ``generator`` (seeded by ``seed``; a checkpoint may save its
    ``get_state()`` to resume the same draws).
    """

    registered_name = "image_classification"

    def __init__(
        self,
        dataset: BaseDataset | None = None,
        tokenizer: Tokenizer | None = None,
        max_seq_len: int = 128,
        label_list: Sequence[str] | None = None,
        *,
        image_size: int | Sequence[int] = 224,
        mean: Sequence[float] = IMAGENET_MEAN,
        std: Sequence[float] = IMAGENET_STD,
        augment: bool = False,
        crop_scale: Sequence[float] = (0.64, 1.0),
        seed: int = 0,
    ) -> None:
        super().__init__(dataset, tokenizer, max_seq_len, label_list)
        size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
        if len(size) != 2 or min(size) < 1:
            raise HubcoreError(f"image_size must be a positive int or (height, width), not {image_size!r}")
        if len(mean) != 3 or len(std) != 3 or min(std) <= 0:
            raise HubcoreError("mean and std need three values each, std positive")
        low, high = crop_scale
        if not 0 < low <= high <= 1:
            raise HubcoreError(f"crop_scale must satisfy 0 < low <= high <= 1, not {crop_scale!r}")
        self.image_size: tuple[int, int] = (int(size[0]), int(size[1]))
        self.mean = [float(v) for v in mean]
        self.std = [float(v) for v in std]
        self.augment = augment
        self.crop_scale = (float(low), float(high))
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed)

    def encode(self, examples: Sequence[InputExample], *, augment: bool = False) -> list[dict[str, Any]]:
        """``pixel_values`` (and the label id) of each example; ``augment`` draws random crops and flips."""
        return [self._encode_image(example, augment) for example in examples]

    def encode_texts(self, data: Sequence[str] | Sequence[Sequence[str]]) -> list[dict[str, Any]]:
        """Encode images given by path, for prediction."""
        return self.encode([InputExample(guid=f"input-{i}", text_a=str(path)) for i, path in enumerate(data)])

    def encoded(self, phase: str) -> list[dict[str, Any]]:
        """The examples of ``phase`` decoded; training items marked for augmentation when it is on."""
        items = self.encode(self.examples(phase))
        if self.augment and phase == "train":
            for item in items:
                item["augment"] = True
        return items

    def collate(self, encoded: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        """Stack pixels and labels, augmenting the items marked ``"augment"`` afresh."""
        items = []
        for item in encoded:
            if item.get("augment"):
                item = {k: v for k, v in item.items() if k != "augment"}
                item["pixel_values"] = self.augment_pixels(item["pixel_values"])
            items.append(item)
        return super().collate(items)

    def batches(
        self, phase: str, batch_size: int, shuffle: bool = False, seed: int = 0, drop_last: bool = False
    ) -> Iterator[dict[str, torch.Tensor]]:
        """Batches of ``phase``, each decoded when it is reached."""
        examples = self.examples(phase)
        augment = self.augment and phase == "train"
        orders = batch_indices(len(examples), batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last)
        for chosen in orders:
            yield super().collate(self.encode([examples[i] for i in chosen], augment=augment))

    def load_image(self, path: str, *, augment: bool = False) -> torch.Tensor:
        """One image as a normalised (3, H, W) float tensor."""
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as opened:
                image = opened.convert("RGB")
        except (OSError, UnidentifiedImageError) as exc:
            raise HubcoreError(f"{path}: cannot read the image ({exc})") from None
        height, width = self.image_size
        image = image.resize((width, height), Image.Resampling.BILINEAR)
        pixels = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).view(height, width, 3)
        mean = torch.tensor(self.mean).view(3, 1, 1)
        std = torch.tensor(self.std).view(3, 1, 1)
        tensor = (pixels.permute(2, 0, 1).float().div_(255.0) - mean) / std
        return self.augment_pixels(tensor) if augment else tensor

    def augment_pixels(self, pixels: torch.Tensor) -> torch.Tensor:
        """A random resized crop (``crop_scale`` of the area, aspect kept) and a coin-flip mirror."""
        _, height, width = pixels.shape
        low, high = self.crop_scale
        scale = low + (high - low) * torch.rand((), generator=self.generator).item()
        crop_h = max(1, round(height * scale**0.5))
        crop_w = max(1, round(width * scale**0.5))
        top = int(torch.randint(0, height - crop_h + 1, (), generator=self.generator))
        left = int(torch.randint(0, width - crop_w + 1, (), generator=self.generator))
        crop = pixels[:, top : top + crop_h, left : left + crop_w]
        if (crop_h, crop_w) != (height, width):
            crop = torch.nn.functional.interpolate(
                crop[None], size=(height, width), mode="bilinear", align_corners=False
            )[0]
        if torch.rand((), generator=self.generator).item() < 0.5:
            crop = crop.flip(-1)
        return crop.contiguous()

    def _encode_image(self, example: InputExample, augment: bool) -> dict[str, Any]:
        item: dict[str, Any] = {"pixel_values": self.load_image(example.text_a, augment=augment)}
        if example.label is not None:
            if not isinstance(example.label, str):
                raise HubcoreError(f"example {example.guid}: an image label must be one string")
            item["labels"] = self.label_id(example, example.label)
        return item

    def collate_labels(self, labels: list[Any]) -> torch.Tensor:
        return torch.tensor(labels, dtype=torch.long)

    def options(self) -> dict[str, Any]:
        return {
            "image_size": list(self.image_size),
            "mean": self.mean,
            "std": self.std,
            "augment": self.augment,
            "crop_scale": list(self.crop_scale),
            "seed": self.seed,
        }
