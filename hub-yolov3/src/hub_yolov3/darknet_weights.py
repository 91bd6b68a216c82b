"""Darknet's ``.weights`` format: a small header, then every convolution's float32 values in cfg order.

Per convolution with batch norm: beta, gamma, running mean, running variance, then the kernel;
without batch norm: the bias, then the kernel.  Nothing in the file names a layer, so a file
fits a network only if the total count matches exactly; we check that and say which layer
ran short, rather than loading a shifted stream silently.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import torch

from hub_yolov3.model import YOLOv3

_HEADER_INTS = 3  # major, minor, revision


class DarknetWeightsError(ValueError):
    """A weights file does not fit the network it is loaded into."""


def _seen_is_64bit(major: int, minor: int) -> bool:
    return (major * 10 + minor) >= 2 and major < 1000 and minor < 1000


def _tensors(layer: torch.nn.Module) -> list[torch.Tensor]:
    """The tensors of one ConvUnit in file order."""
    conv, bn = layer.conv, layer.bn
    if layer.head:
        return [conv.bias, conv.weight]
    if bn is None:
        raise DarknetWeightsError("a network with folded batch norm has no Darknet layout; use the original")
    return [bn.bias, bn.weight, bn.running_mean, bn.running_var, conv.weight]


def expected_size(model: YOLOv3, major: int = 0, minor: int = 2) -> int:
    """Bytes of a weights file for ``model``: the header plus four bytes per value."""
    header = 4 * _HEADER_INTS + (8 if _seen_is_64bit(major, minor) else 4)
    return header + 4 * sum(t.numel() for layer in model.conv_layers() for t in _tensors(layer))


def load_darknet_weights(model: YOLOv3, path: str | os.PathLike[str]) -> dict[str, int]:
    """Fill ``model`` from a Darknet weights file; returns the header."""
    path = Path(path)
    raw = path.read_bytes()
    if len(raw) < 16:
        raise DarknetWeightsError(f"{path}: {len(raw)} bytes is too short for a Darknet weights header")
    major, minor, revision = (int(v) for v in np.frombuffer(raw, np.int32, _HEADER_INTS))
    if _seen_is_64bit(major, minor):
        seen, offset = int(np.frombuffer(raw, np.int64, 1, 12)[0]), 20
    else:
        seen, offset = int(np.frombuffer(raw, np.int32, 1, 12)[0]), 16
    if (len(raw) - offset) % 4:
        raise DarknetWeightsError(f"{path}: the body is not a whole number of float32 values")
    values = np.frombuffer(raw, np.float32, offset=offset)
    wanted = (expected_size(model, major, minor) - offset) // 4
    if values.size != wanted:
        raise DarknetWeightsError(
            f"{path}: holds {values.size} values but this {model.config.arch} network with "
            f"{model.config.num_classes} classes needs {wanted}; the file is for another architecture"
        )
    position = 0
    with torch.no_grad():
        for layer in model.conv_layers():
            for tensor in _tensors(layer):
                n = tensor.numel()
                chunk = torch.from_numpy(values[position : position + n].copy()).view_as(tensor)
                tensor.copy_(chunk)
                position += n
    return {"major": major, "minor": minor, "revision": revision, "seen": seen}


def save_darknet_weights(model: YOLOv3, path: str | os.PathLike[str], *, seen: int = 0) -> Path:
    """Write ``model`` in Darknet's format (version 0.2, 64-bit ``seen``), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(np.array([0, 2, 0], np.int32).tobytes())
            out.write(np.array([seen], np.int64).tobytes())
            for layer in model.conv_layers():
                for tensor in _tensors(layer):
                    out.write(tensor.detach().cpu().float().contiguous().numpy().tobytes())
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
