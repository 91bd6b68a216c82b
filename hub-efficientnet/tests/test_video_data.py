"""Video data: PyAV decoding, TSN segment sampling, PaddleHub-style list files, the reader's batches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hub_efficientnet.motion import DIRECTIONS, generate, make_clip
from hub_efficientnet.video_io import VideoInputError, decode_clip, segment_indices, write_clip
from hub_efficientnet.video_reader import VideoClassificationDataset, VideoClassificationReader

import hubcore
from hubcore.finetune import DatasetFormatError


@pytest.fixture(scope="module")
def motion(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(
        tmp_path_factory.mktemp("motion"), train_per_class=2, eval_per_class=1, frames=8, size=64, seed=3
    )


def test_centred_segments_are_fixed_and_random_ones_stay_in_their_segment() -> None:
    assert segment_indices(16, 4) == [2, 6, 10, 14]
    assert segment_indices(3, 6) == [0, 0, 1, 1, 2, 2]  # short clips repeat frames, in order
    draws = [segment_indices(16, 4, torch.Generator().manual_seed(s)) for s in range(20)]
    for drawn in draws:
        assert [i // 4 for i in drawn] == [0, 1, 2, 3]
    assert len({tuple(d) for d in draws}) > 1  # offsets really vary
    again = [segment_indices(16, 4, torch.Generator().manual_seed(s)) for s in range(20)]
    assert again == draws  # and a seed reproduces them
    with pytest.raises(hubcore.HubcoreError):
        segment_indices(0, 4)


def test_a_written_clip_decodes_to_its_frames(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    background = np.full((64, 64, 3), 120, np.uint8)
    frames = make_clip("right", background, 6, rng)
    path = write_clip(tmp_path / "clip.mp4", frames)
    decoded = decode_clip(path, 64)
    assert decoded.shape == (6, 64, 64, 3) and decoded.dtype == np.uint8
    assert np.abs(decoded.astype(int) - np.stack(frames).astype(int)).mean() < 4  # lossy, but close
    # the shape moves right: the column of its centre of difference from the background grows
    columns = [np.nonzero(np.abs(f.astype(int) - 120).sum((0, 2)) > 200)[0].mean() for f in decoded]
    assert columns == sorted(columns) and columns[-1] - columns[0] > 15
    assert decode_clip(path, 32).shape == (6, 32, 32, 3)
    assert decode_clip(path, 32, max_frames=4).shape[0] == 4


def test_unusable_clips_are_named(tmp_path: Path) -> None:
    with pytest.raises(VideoInputError, match="no such video file"):
        decode_clip(tmp_path / "missing.mp4", 64)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x01 not a video" * 10)
    with pytest.raises(VideoInputError, match=r"junk.mp4: not a video PyAV can decode"):
        decode_clip(junk, 64)


def test_list_files_read_and_their_errors_name_the_line(motion: dict[str, Path], tmp_path: Path) -> None:
    dataset = VideoClassificationDataset(
        motion["train"], motion["dev"], motion["test"], label_list_file=motion["label_list"]
    )
    assert dataset.get_labels() == list(DIRECTIONS)
    train = dataset.get_train_examples()
    assert len(train) == 8 and all(Path(e.text_a).is_file() for e in train)
    assert [e.label for e in train[:4]] == list(DIRECTIONS)
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{train[0].text_a}\tleft\nclip-without-label.mp4\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError, match=r"bad.txt, line 2: expected 'relative/path<TAB>label'"):
        VideoClassificationDataset(bad).get_train_examples()
    bad.write_text("nowhere.mp4\tleft\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError, match=r"line 1: video .*nowhere.mp4 does not exist"):
        VideoClassificationDataset(bad).get_train_examples()
    bad.write_text(f"{train[0].text_a}\tsideways\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError, match="label 'sideways' is not in the label list"):
        VideoClassificationDataset(None, bad, label_list_file=motion["label_list"]).get_dev_examples()


def test_reader_batches_random_in_training_centred_otherwise(motion: dict[str, Path]) -> None:
    dataset = VideoClassificationDataset(
        motion["train"], motion["dev"], motion["test"], label_list_file=motion["label_list"]
    )
    reader = VideoClassificationReader(dataset, num_segments=4, frame_size=48, seed=5)
    train = reader.encoded("train")
    assert train[0]["frames"].shape == (8, 48, 48, 3)
    batch = reader.collate(train[:3])
    assert batch["pixel_values"].shape == (3, 4, 3, 48, 48) and batch["labels"].tolist() == [0, 1, 2]
    assert batch["pixel_values"].min() >= -1.01 and batch["pixel_values"].max() <= 1.0
    draws = [reader.collate(train[:1])["pixel_values"] for _ in range(6)]
    assert any(not torch.equal(draws[0], d) for d in draws[1:])
    dev = reader.encoded("dev")
    assert torch.equal(reader.collate(dev[:2])["pixel_values"], reader.collate(dev[:2])["pixel_values"])
    expected = reader.sample(dev[0]["frames"])  # centred: frames 1, 3, 5, 7 of 8
    assert torch.equal(expected[0], reader.sample(dev[0]["frames"][1:2])[0])
    rebuilt = VideoClassificationReader.from_config(reader.to_config())
    assert rebuilt.num_segments == 4 and rebuilt.frame_size == 48 and rebuilt.label_list == list(DIRECTIONS)


def test_task_and_reader_are_registered_by_the_plugin() -> None:
    from hub_efficientnet.video_reader import VideoClassificationReader as Reader
    from hub_efficientnet.video_task import VideoClassifierTask

    assert hubcore.load_component("task", "video_classification") is VideoClassifierTask
    assert hubcore.load_component("reader", "video_classification") is Reader
    assert hubcore.get_component_spec("task", "video_classification").plugin == "hub-efficientnet"
