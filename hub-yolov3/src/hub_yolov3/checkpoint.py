"""Our own checkpoints: ``yolo.json`` (the network's shape and labels) beside ``yolo.safetensors``."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from hub_yolov3.model import YoloConfig, YOLOv3

CONFIG_FILE = "yolo.json"
WEIGHTS_FILE = "yolo.safetensors"


class CheckpointError(ValueError):
    """A checkpoint directory is missing a file or does not fit its own description."""


def save_checkpoint(model: YOLOv3, directory: str | os.PathLike[str], *, input_size: int) -> Path:
    """Write config and weights into ``directory`` through a temporary sibling folder and renames."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(tmp / WEIGHTS_FILE))
        meta = {"format": "hub-yolov3/1", "input_size": input_size, **model.config.to_dict()}
        (tmp / CONFIG_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        for name in (WEIGHTS_FILE, CONFIG_FILE):
            with open(tmp / name, "rb") as f:
                os.fsync(f.fileno())
        directory.mkdir(exist_ok=True)
        for name in (WEIGHTS_FILE, CONFIG_FILE):
            os.replace(tmp / name, directory / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return directory


TASK_FILE = "task.json"  # the Fine-tune API's best-model description
TASK_WEIGHTS = "model.safetensors"
TASK_PREFIX = "encoder."


def find_checkpoint(directory: str | os.PathLike[str]) -> Path:
    """Where ``yolo.json`` or a DetectionTask's ``task.json`` is: ``directory`` or its ``best_model``."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: no such checkpoint folder")
    for candidate in (directory, directory / "best_model"):
        if (candidate / CONFIG_FILE).is_file() or (candidate / TASK_FILE).is_file():
            return candidate
    raise CheckpointError(
        f"{directory}: no {CONFIG_FILE} or {TASK_FILE} here or in best_model/; "
        "is this a hub-yolov3 checkpoint?"
    )


def read_config(directory: Path) -> tuple[YoloConfig, int]:
    path = directory / CONFIG_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        return YoloConfig.from_dict(meta), int(meta.get("input_size", 416))
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read ({exc.strerror})") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: not a valid hub-yolov3 config ({exc})") from None


def _read_task_config(directory: Path) -> tuple[YoloConfig, int]:
    path = directory / TASK_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path}: unreadable ({exc})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("yolo"), dict):
        raise CheckpointError(f"{path}: has no 'yolo' section; it was not written by a DetectionTask")
    try:
        return YoloConfig.from_dict(meta["yolo"]), int(meta["yolo"].get("input_size", 416))
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: field 'yolo' is not a valid network description ({exc})") from None


def load_state(model: YOLOv3, weights: Path, prefix: str = "") -> None:
    """Load safetensors weights (keys under ``prefix``); a missing or misshapen tensor is named."""
    if not weights.is_file():
        raise CheckpointError(f"{weights}: no such file")
    try:
        stored = load_file(str(weights))
    except Exception as exc:  # safetensors raises its own error types for corrupt files
        raise CheckpointError(f"{weights}: not a readable safetensors file ({exc})") from None
    state = {k[len(prefix) :]: v for k, v in stored.items() if k.startswith(prefix)}
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    if missing:
        raise CheckpointError(
            f"{weights}: missing tensor {prefix + missing[0]!r} ({len(missing)} missing in all)"
        )
    for name, tensor in own.items():
        if tuple(state[name].shape) != tuple(tensor.shape):
            raise CheckpointError(
                f"{weights}: tensor {prefix + name!r} has shape {tuple(state[name].shape)}, "
                f"the network needs {tuple(tensor.shape)}"
            )
    with torch.no_grad():
        model.load_state_dict({k: state[k] for k in own}, strict=True)


def load_checkpoint(directory: str | os.PathLike[str]) -> tuple[YOLOv3, int]:
    """A network and its input size from our own checkpoint or a DetectionTask's best model."""
    folder = find_checkpoint(directory)
    if (folder / CONFIG_FILE).is_file():
        config, input_size = read_config(folder)
        model = YOLOv3(config)
        load_state(model, folder / WEIGHTS_FILE)
    else:
        config, input_size = _read_task_config(folder)
        model = YOLOv3(config)
        load_state(model, folder / TASK_WEIGHTS, prefix=TASK_PREFIX)
    return model.eval(), input_size
