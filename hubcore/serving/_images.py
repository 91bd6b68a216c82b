"""Base64 image files in a request, decoded into RGB (or BGR) arrays with hubcore's safe image loader."""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from typing import Any

from hubcore.serving._envelope import BadInputError


def decode_images(items: list[str], field: str, max_pixels: int, channels: str = "RGB") -> list[Any]:
    """One HxWx3 uint8 array per base64 string; the first that cannot be used fails the request.

    ``channels="BGR"`` gives the channels in OpenCV's order (a contiguous copy), for methods that
    take arrays as ``cv2.imread`` returns them.
    """
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    from hubcore.images import ImageInputError, to_rgb

    arrays = []
    for index, text in enumerate(items):
        where = f"{field}[{index}]"
        if "," in text[:100] and text.startswith("data:"):
            text = text.split(",", 1)[1]  # a data: URL, as browsers produce
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise BadInputError(f"{where}: not valid base64") from None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(raw)) as opened:
                    width, height = opened.size
                    if width * height > max_pixels:
                        raise BadInputError(
                            f"{where}: {width}x{height} pixels is more than the {max_pixels} allowed"
                        )
                    opened.load()
                    rgb = np.asarray(to_rgb(opened, where))
                    arrays.append(np.ascontiguousarray(rgb[:, :, ::-1]) if channels == "BGR" else rgb)
        except ImageInputError as exc:
            raise BadInputError(str(exc)) from None
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
            raise BadInputError(
                f"{where}: not an image file Pillow can read ({type(exc).__name__})"
            ) from None
    return arrays
