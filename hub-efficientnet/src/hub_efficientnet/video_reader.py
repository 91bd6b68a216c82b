"""Video data for the Fine-tune API: ``path<TAB>label`` list files and the reader that samples clips.

The list format is PaddleHub's video data sets' (one clip per line, path relative to the list
file's folder, then a tab and the label).  The reader decodes each clip once (PyAV), keeps its
frames small, and at batching time picks ``num_segments`` frames per clip: random offsets within
each segment for training batches (from the reader's seeded generator, so a seed reproduces a
run), segment centres for evaluation and prediction.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hub_efficientnet.video_io import DEFAULT_MAX_FRAMES, decode_clip, segment_indices
from hubcore import HubcoreError
from hubcore.finetune import BaseDataset, BaseReader, DatasetFormatError, InputExample

# EfficientNet-Lite's normalisation ((x - 127) / 128) in the [0, 1] pixel scale.
LITE_MEAN = (127.0 / 255.0,) * 3
LITE_STD = (128.0 / 255.0,) * 3


class VideoClassificationDataset(BaseDataset):
    """Clips listed as ``relative/path.mp4<TAB>label`` lines; labels from ``label_list_file`` or training."""

    def __init__(
        self,
        train_list: str | os.PathLike[str] | None = None,
        dev_list: str | os.PathLike[str] | None = None,
        test_list: str | os.PathLike[str] | None = None,
        *,
        label_list_file: str | os.PathLike[str] | None = None,
        label_list: Sequence[str] | None = None,
        base_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        if label_list is None and label_list_file is not None:
            label_list = read_label_list(Path(label_list_file))
        super().__init__(train_list, dev_list, test_list, label_list=label_list)
        self.base_dir = None if base_dir is None else Path(base_dir)

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        root = self.base_dir or path.parent
        for line_no, line in _numbered_lines(path):
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                raise DatasetFormatError(f"{path}, line {line_no}: expected 'relative/path<TAB>label'")
            clip = (root / parts[0].strip()).resolve()
            if not clip.is_file():
                raise DatasetFormatError(f"{path}, line {line_no}: video {clip} does not exist")
            yield line_no, InputExample(guid=f"{phase}-{line_no}", text_a=str(clip), label=parts[1].strip())


def read_label_list(path: Path) -> list[str]:
    if not path.is_file():
        raise DatasetFormatError(f"{path}: no such label list file")
    labels: list[str] = []
    for line_no, line in _numbered_lines(path):
        if line.strip() in labels:
            raise DatasetFormatError(f"{path}, line {line_no}: label {line.strip()!r} is listed twice")
        labels.append(line.strip())
    if not labels:
        raise DatasetFormatError(f"{path}: the label list is empty")
    return labels


def _numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, "rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8").removeprefix("\ufeff").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise DatasetFormatError(f"{path}, line {line_no}: not UTF-8 ({exc.reason})") from None
            if line.strip():
                yield line_no, line


class VideoClassificationReader(BaseReader):
    """Clips to ``pixel_values`` batches of shape (batch, num_segments, 3, frame_size, frame_size)."""

    registered_name = "video_classification"

    def __init__(
        self,
        dataset: BaseDataset | None = None,
        tokenizer: Any = None,
        max_seq_len: int = 128,
        label_list: Sequence[str] | None = None,
        *,
        num_segments: int = 8,
        frame_size: int = 128,
        mean: Sequence[float] = LITE_MEAN,
        std: Sequence[float] = LITE_STD,
        max_frames: int = DEFAULT_MAX_FRAMES,
        seed: int = 0,
    ) -> None:
        super().__init__(dataset, tokenizer, max_seq_len, label_list)
        if num_segments < 1 or frame_size < 32 or max_frames < 1:
            raise HubcoreError("num_segments and max_frames must be at least 1, frame_size at least 32")
        if len(mean) != 3 or len(std) != 3 or min(std) <= 0:
            raise HubcoreError("mean and std need three values each, std positive")
        self.num_segments = num_segments
        self.frame_size = frame_size
        self.mean = [float(v) for v in mean]
        self.std = [float(v) for v in std]
        self.max_frames = max_frames
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed)
        self._clip_ids = itertools.count()

    def encode(self, examples: Sequence[InputExample]) -> list[dict[str, Any]]:
        """Each clip's decoded frames (uint8) and label id; frames are picked when batches are made."""
        return [self._encode_clip(example) for example in examples]

    def encode_texts(self, data: Sequence[str] | Sequence[Sequence[str]]) -> list[dict[str, Any]]:
        """Clips given by path, for prediction (segment centres)."""
        return self.encode([InputExample(guid=f"input-{i}", text_a=str(path)) for i, path in enumerate(data)])

    def encoded(self, phase: str) -> list[dict[str, Any]]:
        """The clips of ``phase``, decoded once; training clips marked for random segment offsets."""
        if phase not in self._encoded:
            items = self.encode(self.examples(phase))
            for item in items:
                item["random_offsets"] = phase == "train"
                item["clip_id"] = next(self._clip_ids)
            self._encoded[phase] = items
        return self._encoded[phase]

    def collate(self, encoded: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        """Sample each clip's frames (random offsets where marked), normalise and stack them.

        Clips of the data set's phases also get ``frame_ids`` (clip id, frame index) per sampled
        frame, which lets a task with a frozen encoder compute each frame's features once.
        """
        items = []
        identified = all("clip_id" in item for item in encoded)
        for item in encoded:
            generator = self.generator if item.get("random_offsets") else None
            indices = segment_indices(item["frames"].shape[0], self.num_segments, generator)
            chosen = {"pixel_values": self._normalise(item["frames"][indices])}
            if identified:
                chosen["frame_ids"] = torch.tensor([[item["clip_id"], i] for i in indices], dtype=torch.long)
            if "labels" in item:
                chosen["labels"] = item["labels"]
            items.append(chosen)
        return super().collate(items)

    def sample(self, frames: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """``num_segments`` frames of a (N, H, W, 3) uint8 clip as a normalised (K, 3, H, W) float tensor."""
        return self._normalise(frames[segment_indices(frames.shape[0], self.num_segments, generator)])

    def _normalise(self, picked: torch.Tensor) -> torch.Tensor:
        pixels = picked.permute(0, 3, 1, 2).float().div_(255.0)
        mean = torch.tensor(self.mean).view(1, 3, 1, 1)
        std = torch.tensor(self.std).view(1, 3, 1, 1)
        return (pixels - mean) / std

    def _encode_clip(self, example: InputExample) -> dict[str, Any]:
        frames = decode_clip(example.text_a, self.frame_size, self.max_frames)
        item: dict[str, Any] = {"frames": torch.from_numpy(np.ascontiguousarray(frames))}
        if example.label is not None:
            if not isinstance(example.label, str):
                raise HubcoreError(f"example {example.guid}: a video label must be one string")
            item["labels"] = self.label_id(example, example.label)
        return item

    def collate_labels(self, labels: list[Any]) -> torch.Tensor:
        return torch.tensor(labels, dtype=torch.long)

    def options(self) -> dict[str, Any]:
        return {
            "num_segments": self.num_segments,
            "frame_size": self.frame_size,
            "mean": self.mean,
            "std": self.std,
            "max_frames": self.max_frames,
            "seed": self.seed,
        }
