"""Turning whatever a user passes into an 8-bit RGB Pillow image, or one clear reason why not.

Shared by every image plugin so that a missing, corrupt, huge or oddly typed image is refused
the same way everywhere: per image, with a message naming it, the rest of a batch going on.
Needs NumPy and Pillow (the ``finetune`` extra); the core never imports this module itself.

Every accepted input is converted to RGB (grey, palette, alpha, CMYK, 16-bit and float inputs
included); inputs that cannot be read are refused with an :class:`ImageInputError` naming the
file or array and the problem, so a caller can report it and go on with the next image.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "ImageInputError",
    "LoadedImage",
    "load_array",
    "load_path",
    "save_atomically",
    "to_rgb",
    "unique_name",
]

# Above this many pixels an image is decoded at reduced scale (JPEG) or refused: a 10,000 x 10,000
# RGB image is 300 MB decoded, and the network sees at most 608 x 608 of it anyway.
DEFAULT_MAX_PIXELS = 40_000_000
_BACKGROUND = (255, 255, 255)  # transparent pixels are shown on white


class ImageInputError(ValueError):
    """One input image cannot be used; the message says which and why."""


@dataclass
class LoadedImage:
    """An RGB image and the factor from its pixels to the original's (1.0 unless decoded reduced)."""

    image: Image.Image
    scale_to_original: float
    original_size: tuple[int, int]


def load_path(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Open, check and convert one image file."""
    path = Path(path)
    if not path.exists():
        raise ImageInputError(f"{path}: no such file")
    if not path.is_file():
        raise ImageInputError(f"{path}: not a regular file")
    original: tuple[int, int] | None = None  # unknown until the header is read
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                original = opened.size
                _reduce_if_huge(opened, path, max_pixels)
                opened.load()
                # The reduction factor is taken before any EXIF rotation swaps width and height.
                reduction = original[0] / opened.size[0]
                image = ImageOps.exif_transpose(opened) if opened.getexif() else opened.copy()
    except ImageInputError:
        raise
    except UnidentifiedImageError:
        raise ImageInputError(f"{path}: not an image file Pillow can read") from None
    except Image.DecompressionBombError as exc:
        # Pillow refuses in open() when the header declares over twice its own limit.
        declared = re.search(r"\((\d+) pixels\)", str(exc))
        size = _mpx(original) if original else f"{int(declared.group(1)) / 1e6:.1f} Mpx" if declared else "?"
        raise ImageInputError(
            f"{path}: image header declares {size}, far above the limit of "
            f"{max_pixels / 1e6:.0f} Mpx; refused"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageInputError(f"{path}: truncated or corrupt image ({_one_line(exc)})") from None
    return LoadedImage(to_rgb(image, str(path)), reduction, original)


def _reduce_if_huge(image: Image.Image, path: Path, max_pixels: int) -> None:
    width, height = image.size
    if width * height <= max_pixels:
        return
    if image.format == "JPEG":
        # JPEG decodes at 1/2, 1/4 or 1/8 scale for free: take the mildest reduction under the limit.
        for factor in (2, 4, 8):
            if math.ceil(width / factor) * math.ceil(height / factor) <= max_pixels:
                image.draft(image.mode, (math.ceil(width / factor), math.ceil(height / factor)))
                break
        if image.size[0] * image.size[1] <= max_pixels:
            return
    raise ImageInputError(
        f"{path}: image is {width} x {height} ({_mpx(image.size)}), above the limit of "
        f"{max_pixels / 1e6:.0f} Mpx; downscale it first"
    )


def _mpx(size: tuple[int, int]) -> str:
    return f"{size[0] * size[1] / 1e6:.1f} Mpx"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def to_rgb(image: Image.Image, where: str) -> Image.Image:
    """Any Pillow mode to 8-bit RGB; transparency is flattened onto white."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return Image.fromarray(
            _to_uint8(np.asarray(image), where, sixteen_bit=mode.startswith("I;16"))
        ).convert("RGB")
    if mode == "P" and "transparency" in image.info:
        image, mode = image.convert("RGBA"), "RGBA"
    if mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*_BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    try:
        return image.convert("RGB")
    except (ValueError, OSError) as exc:
        raise ImageInputError(f"{where}: cannot convert {mode!r} pixels to RGB ({_one_line(exc)})") from None


def _to_uint8(values: np.ndarray, where: str, *, sixteen_bit: bool = False) -> np.ndarray:
    """Integer or float pixels to 0..255: 16-bit by /257, floats in [0, 1] by x255."""
    if values.size == 0:
        raise ImageInputError(f"{where}: image has no pixels")
    if values.dtype == np.uint8:
        return values
    data = values.astype(np.float64)
    if not np.isfinite(data).all():
        raise ImageInputError(f"{where}: pixel values include NaN or infinity")
    if np.issubdtype(values.dtype, np.floating):
        peak = data.max()
        data = data * 255.0 if peak <= 1.0 else data
    elif sixteen_bit or values.dtype == np.uint16 or data.max() > 255:
        data = data / 257.0
    return np.clip(np.rint(data), 0, 255).astype(np.uint8)


def load_array(array: object, where: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """An HWC (or HW) RGB(A) NumPy array to an RGB image; large arrays are downscaled."""
    if not isinstance(array, np.ndarray):
        raise ImageInputError(f"{where}: expected a NumPy array, got {type(array).__name__}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ImageInputError(f"{where}: array of shape {array.shape} is not HxW, HxWx3 or HxWx4")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ImageInputError(f"{where}: array of shape {array.shape} has no pixels")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ImageInputError(f"{where}: array dtype {array.dtype} is not numeric")
    pixels = _to_uint8(array, where)
    image = Image.fromarray(np.ascontiguousarray(pixels))
    original = image.size
    if original[0] * original[1] > max_pixels:
        factor = (max_pixels / (original[0] * original[1])) ** 0.5
        image = image.resize(
            (max(1, int(original[0] * factor)), max(1, int(original[1] * factor))), Image.Resampling.BILINEAR
        )
    rgb = to_rgb(image, where)
    return LoadedImage(rgb, original[0] / rgb.width, original)


def save_atomically(image: Image.Image, target: Path, *, format: str = "JPEG") -> Path:
    """Write ``image`` beside ``target`` under a temporary name, fsync, then rename over it.

    A reader never sees half a picture, and an interrupted write leaves no file behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            image.save(out, format=format, **({"quality": 92} if format == "JPEG" else {}))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a picture is as readable as any file
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def unique_name(stem: str, used: set[str], *, suffix: str = ".jpg") -> str:
    """``stem.jpg``, or ``stem_1.jpg``... when an earlier image of the same call took that name."""
    name, n = f"{stem}{suffix}", 0
    while name in used:
        n += 1
        name = f"{stem}_{n}{suffix}"
    used.add(name)
    return name
