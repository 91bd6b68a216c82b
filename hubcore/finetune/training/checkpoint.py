"""Checkpoints that are either complete or ignored.

A checkpoint is a folder ``step_00000123`` holding ``model.safetensors`` (the
weights), ``state.pt`` (optimiser, scheduler, strategy, progress and RNG states,
loadable with ``torch.load(weights_only=True)``) and, written last, an empty
``COMPLETE`` file.  It is built in a hidden temporary folder beside its final
place, every file fsynced, then renamed into place; a folder without
``COMPLETE`` is the trace of a crash and is swept on the next start.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from hubcore._errors import HubcoreError

WEIGHTS = "model.safetensors"
STATE = "state.pt"
COMPLETE = "COMPLETE"
TASK_JSON = "task.json"
BEST_MODEL = "best_model"
_STEP_DIR = re.compile(r"^step_(\d+)$")
_TEMP_PREFIX = ".tmp-"
_OLD_PREFIX = ".old-"


def checkpoint_name(step: int) -> str:
    """The folder name of the checkpoint taken after ``step`` optimiser steps."""
    return f"step_{step:08d}"


def save_weights(path: Path, state_dict: dict[str, torch.Tensor]) -> None:
    """Weights as safetensors (shared storage is copied apart first), fsynced."""
    tensors = {name: tensor.detach().cpu().contiguous().clone() for name, tensor in state_dict.items()}
    save_file(tensors, str(path))
    _fsync_file(path)


class CheckpointError(HubcoreError):
    """A checkpoint or saved-model file that is missing, truncated, corrupt or of the wrong kind."""


def load_weights(path: Path) -> dict[str, torch.Tensor]:
    """Weights saved by :func:`save_weights`; a bad file is one :class:`CheckpointError` line."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read the weights ({exc.strerror or exc})") from None
    try:
        return load_file(str(path))
    except Exception as exc:  # safetensors raises its own error types for truncated or corrupt files
        if head.startswith(b"PK\x03\x04") or (
            head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")
        ):
            raise CheckpointError(
                f"{path}: is a pickle (torch.save), not a safetensors file; pickles are never loaded here"
            ) from None
        raise CheckpointError(f"{path}: truncated or corrupt safetensors file ({_one_line(exc)})") from None


def write_checkpoint(root: Path, step: int, weights: dict[str, torch.Tensor], state: dict[str, Any]) -> Path:
    """Write a complete checkpoint under ``root`` and return its folder."""
    final = root / checkpoint_name(step)
    temp = _build_folder(root, final.name, lambda folder: _fill(folder, weights, state))
    if final.exists():  # an earlier attempt at the same step
        shutil.rmtree(final)
    os.replace(temp, final)
    _fsync_dir(root)
    _mark_complete(final)
    return final


def write_best_model(root: Path, weights: dict[str, torch.Tensor], meta: dict[str, Any]) -> Path:
    """Replace ``root/best_model`` with new weights and ``task.json``, never leaving none behind."""
    final = root / BEST_MODEL

    def fill(folder: Path) -> None:
        save_weights(folder / WEIGHTS, weights)
        write_json(folder / TASK_JSON, meta)

    temp = _build_folder(root, BEST_MODEL, fill)
    old = None
    if final.exists():
        old = root / f"{_OLD_PREFIX}{BEST_MODEL}-{uuid.uuid4().hex[:8]}"
        os.replace(final, old)
    os.replace(temp, final)
    _fsync_dir(root)
    _mark_complete(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return final


def complete_checkpoints(root: Path) -> list[tuple[int, Path]]:
    """Complete checkpoints as ``(step, folder)``, oldest first."""
    found = []
    if root.is_dir():
        for child in root.iterdir():
            match = _STEP_DIR.match(child.name)
            if match and (child / COMPLETE).is_file():
                found.append((int(match.group(1)), child))
    return sorted(found)


def latest_checkpoint(root: Path) -> Path | None:
    """The newest complete checkpoint, or None."""
    found = complete_checkpoints(root)
    return found[-1][1] if found else None


def sweep(root: Path, keep: int) -> None:
    """Remove crash leftovers and all but the ``keep`` newest complete checkpoints."""
    if not root.is_dir():
        return
    best = root / BEST_MODEL
    for child in root.iterdir():
        if child.name.startswith(_OLD_PREFIX) and child.name[len(_OLD_PREFIX) :].startswith(BEST_MODEL):
            if not (best / COMPLETE).is_file() and (child / COMPLETE).is_file():
                if best.exists():
                    shutil.rmtree(best)
                os.replace(child, best)  # the crash fell between the two renames
            else:
                shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(_TEMP_PREFIX) or _is_incomplete(child):
            shutil.rmtree(child, ignore_errors=True)
    for _, folder in complete_checkpoints(root)[:-keep]:
        shutil.rmtree(folder, ignore_errors=True)


def _is_incomplete(folder: Path) -> bool:
    return bool(_STEP_DIR.match(folder.name)) and not (folder / COMPLETE).is_file()


def read_state(folder: Path) -> dict[str, Any]:
    """A checkpoint's non-weight state, loaded without executing code (a bad file: CheckpointError)."""
    path = folder / STATE
    try:
        state: Any = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such file") from None
    except Exception as exc:  # UnpicklingError for a pickle that would run code, RuntimeError if truncated
        raise CheckpointError(f"{path}: not a readable checkpoint state ({_one_line(exc)})") from None
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: holds a {type(state).__name__}, not a checkpoint state")
    return state


_STATE_KEYS = (
    "step",
    "epoch",
    "position",
    "best_metric",
    "best_step",
    "history_json",
    "optimizer",
    "scheduler",
    "strategy",
    "sampler",
    "rng",
)


def check_state(state: dict[str, Any], folder: Path) -> None:
    """That a checkpoint state has every entry resuming needs."""
    missing = [key for key in _STATE_KEYS if key not in state]
    if missing:
        raise CheckpointError(f"{folder / STATE}: lacks {', '.join(missing)}")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text[:200]}"


def write_json(path: Path, data: Any) -> None:
    """JSON, fsynced."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def rng_state() -> dict[str, Any]:
    """Python, NumPy and torch RNG states, in types ``weights_only`` accepts."""
    numpy_state: Any = np.random.get_state()
    kind, keys, pos, has_gauss, cached = numpy_state
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": {
            "kind": kind,
            "keys": torch.from_numpy(keys.astype(np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Undo :func:`rng_state`."""
    random.setstate(_as_tuples(state["python"]))
    numpy_state = state["numpy"]
    np.random.set_state(
        (
            numpy_state["kind"],
            numpy_state["keys"].numpy().astype(np.uint32),
            numpy_state["pos"],
            numpy_state["has_gauss"],
            numpy_state["cached_gaussian"],
        )
    )
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _as_tuples(value: Any) -> Any:
    # random.setstate wants tuples; a round trip may give lists.
    if isinstance(value, (list, tuple)):
        return tuple(_as_tuples(v) for v in value)
    return value


def _fill(folder: Path, weights: dict[str, torch.Tensor], state: dict[str, Any]) -> None:
    save_weights(folder / WEIGHTS, weights)
    with open(folder / STATE, "wb") as handle:
        torch.save(state, handle)
        handle.flush()
        os.fsync(handle.fileno())


def _build_folder(root: Path, name: str, fill: Any) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    temp = root / f"{_TEMP_PREFIX}{name}-{uuid.uuid4().hex[:8]}"
    temp.mkdir()
    try:
        fill(temp)
        _fsync_dir(temp)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return temp


def _mark_complete(folder: Path) -> None:
    with open(folder / COMPLETE, "w") as handle:
        handle.flush()
        os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
