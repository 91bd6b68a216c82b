"""The video task: temporal heads that see order (and one that cannot), fine-tuning, reloading, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from hub_efficientnet.motion import DIRECTIONS, generate
from hub_efficientnet.temporal import TemporalHead

import hubcore


def _moving_blob(direction: int, segments: int, generator: torch.Generator) -> torch.Tensor:
    """(segments, 8, 4, 4) feature maps: a blob crossing a row left-to-right (1) or right-to-left (0)."""
    maps = torch.randn(segments, 8, 4, 4, generator=generator) * 0.1
    row = int(torch.randint(0, 4, (), generator=generator))
    columns = range(segments) if direction else reversed(range(segments))
    for t, column in enumerate(columns):
        maps[t, :, row, column] += 1.0
    return maps


def _train_head(kind: str) -> float:
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    head = TemporalHead(8, 2, kind=kind, hidden=32, dropout=0.0)
    optimiser = torch.optim.Adam(head.parameters(), lr=1e-2)
    for _ in range(150):
        labels = torch.randint(0, 2, (16,), generator=generator)
        maps = torch.cat([_moving_blob(int(y), 4, generator) for y in labels])
        loss = torch.nn.functional.cross_entropy(head(maps, 4), labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    labels = torch.randint(0, 2, (200,), generator=generator)
    with torch.no_grad():
        maps = torch.cat([_moving_blob(int(y), 4, generator) for y in labels])
        return (head.eval()(maps, 4).argmax(1) == labels).float().mean().item()


def test_order_aware_heads_learn_direction_and_averaging_cannot() -> None:
    # left and right show the same frames, only in opposite order
    assert _train_head("conv") >= 0.95
    assert _train_head("gru") >= 0.95
    assert _train_head("mean") <= 0.65


def test_averaging_is_exactly_blind_to_order() -> None:
    torch.manual_seed(0)
    maps = torch.randn(2 * 5, 16, 3, 3)
    reversed_maps = maps.view(2, 5, 16, 3, 3).flip(1).reshape(10, 16, 3, 3)
    for kind, blind in (("mean", True), ("conv", False), ("gru", False)):
        head = TemporalHead(16, 4, kind=kind, hidden=8).eval()
        with torch.no_grad():
            same = torch.allclose(head(maps, 5), head(reversed_maps, 5), atol=1e-6)
        assert same is blind, kind


@pytest.fixture(scope="module")
def tiny_run(hub_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One epoch of the video task on a tiny generated set: lite0 frames (frozen), conv head."""
    from hub_efficientnet.demo_video import finetune_video

    root = tmp_path_factory.mktemp("video")
    data = generate(root / "motion", train_per_class=2, eval_per_class=1, frames=8, size=64, seed=1)
    finetune_video(
        data["train"].parent, root / "ckpt", epochs=1, num_segments=4, frame_size=64, batch_size=4, seed=0
    )
    return {"ckpt": root / "ckpt", **data}


def test_a_fine_tuned_video_classifier_reloads_and_classifies_clips(tiny_run: dict[str, Path]) -> None:
    from hubcore.finetune import load_task

    ckpt = tiny_run["ckpt"]
    meta = json.loads((ckpt / "best_model" / "task.json").read_text())
    assert meta["module"]["name"] == "efficientnet_lite0" and meta["task_config"]["temporal"] == "conv"
    clips = [line.split("\t")[0] for line in tiny_run["test"].read_text().splitlines()]
    paths = [str(tiny_run["test"].parent / c) for c in clips]
    task = load_task(ckpt)
    raw = task.predict(paths, raw=True)
    classifier = hubcore.Module(name="video_classifier", directory=str(ckpt))
    results = classifier.classification(paths=[*paths, str(ckpt / "missing.mp4")], top_k=2)
    for probabilities, result in zip(raw, results, strict=False):
        assert list(result) == [list(DIRECTIONS)[i] for i in torch.tensor(probabilities).topk(2).indices]
        assert abs(max(probabilities) - next(iter(result.values()))) < 1e-5
    assert results[-1] == {"error": f"{ckpt / 'missing.mp4'}: no such video file"}


def test_video_classifier_without_a_checkpoint_says_it_must_be_fine_tuned() -> None:
    with pytest.raises(hubcore.HubcoreError, match="no pretrained weights"):
        hubcore.Module(name="video_classifier")


def test_cli_classifies_a_clip(tiny_run: dict[str, Path], hub_home: Path) -> None:
    clip = tiny_run["test"].parent / tiny_run["test"].read_text().split("\t")[0]
    env = {"HUBCORE_HOME": str(hub_home), "HUBCORE_OFFLINE": "1", "PATH": str(Path(sys.executable).parent)}
    command = [str(Path(sys.executable).parent / "hubcore"), "run", "video_classifier"]
    done = subprocess.run(
        [*command, "--directory", str(tiny_run["ckpt"]), "--input_path", str(clip), "--output", "json"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)
    assert result["path"] == str(clip) and set(result["data"]) <= set(DIRECTIONS)
    failed = subprocess.run(
        [*command, "--directory", str(tiny_run["ckpt"] / "nowhere"), "--input_path", str(clip)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert failed.returncode != 0 and "Traceback" not in failed.stderr and "nowhere" in failed.stderr


def test_video_classifier_takes_use_gpu_and_batch_size(tiny_run: dict[str, Path], monkeypatch: Any) -> None:
    from hubcore.devices import DeviceUnavailableError

    clips = [line.split("\t")[0] for line in tiny_run["test"].read_text().splitlines()]
    paths = [str(tiny_run["test"].parent / c) for c in clips]
    classifier = hubcore.Module(name="video_classifier", directory=str(tiny_run["ckpt"]))
    default = classifier.classification(paths=paths, top_k=2)
    assert classifier.classification(paths=paths, use_gpu=False, top_k=2) == default
    batched = classifier.classification(paths=paths, batch_size=2, use_gpu=False, top_k=2)
    for one, two in zip(default, batched, strict=True):
        assert list(one) == list(two) and max(abs(one[k] - two[k]) for k in one) <= 2e-6
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    read: list[Any] = []
    monkeypatch.setattr(classifier.task.reader, "encode_texts", lambda *a: read.append(a))
    with pytest.raises(DeviceUnavailableError, match=r"video_classifier\.classification: use_gpu=True"):
        classifier.classification(paths=paths, use_gpu=True)
    assert read == []


def test_cli_takes_a_list_file_of_clips_like_input_paths(
    tiny_run: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from hubcore.cli import build_cli

    monkeypatch.chdir(tiny_run["test"].parent)  # relative lines are relative to the current directory
    clips = [line.split("\t")[0] for line in tiny_run["test"].read_text().splitlines()][:2]
    listing = tmp_path / "clips.txt"
    listing.write_text(f"{clips[0]}\n\n{clips[1]}\nmissing.mp4\n", encoding="utf-8")
    common = ["run", "video_classifier", "--directory", str(tiny_run["ckpt"]), "--output", "json"]
    listed = CliRunner().invoke(build_cli(), [*common, "--input_file", str(listing), "--batch_size", "2"])
    options = [arg for clip in [*clips, "missing.mp4"] for arg in ("--input_path", clip)]
    by_path = CliRunner().invoke(build_cli(), [*common, *options, "--batch_size", "2"])
    assert listed.exit_code == by_path.exit_code == 1
    assert listed.stdout == by_path.stdout and [r["path"] for r in json.loads(listed.stdout)] == clips
    assert listed.stderr.strip() == "Error: missing.mp4: no such video file"
