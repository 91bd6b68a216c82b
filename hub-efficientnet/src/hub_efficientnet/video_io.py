"""Reading and writing short clips with PyAV (FFmpeg), and choosing which frames a model sees.

``decode_clip`` returns every frame (up to ``max_frames``) as a square RGB uint8 array, so a
reader can draw new frame positions each epoch without decoding again.  ``segment_indices``
is the TSN-style sampling: the clip cut into K equal segments, one frame from each, at a random
offset when training and at the segment's centre when evaluating.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from hubcore import HubcoreError

DEFAULT_MAX_FRAMES = 600  # 20 s at 30 fps: beyond this the clip is cut (the sampler sees the start)


class VideoInputError(HubcoreError):
    """One clip cannot be used; the message names it and says why."""


def _square(image: Image.Image, size: int) -> np.ndarray:
    width, height = image.size
    side = min(width, height)
    box = ((width - side) // 2, (height - side) // 2, (width + side) // 2, (height + side) // 2)
    return np.asarray(image.resize((size, size), Image.Resampling.BILINEAR, box=box).convert("RGB"))


def decode_clip(path: str | os.PathLike[str], size: int, max_frames: int = DEFAULT_MAX_FRAMES) -> np.ndarray:
    """All frames of the first video stream, centre-cropped square and resized: (N, size, size, 3) uint8."""
    import av

    path = Path(path)
    if not path.is_file():
        raise VideoInputError(f"{path}: no such video file")
    frames: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VideoInputError(f"{path}: has no video stream")
            for frame in container.decode(video=0):
                frames.append(_square(frame.to_image(), size))
                if len(frames) >= max_frames:
                    break
    except VideoInputError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise VideoInputError(f"{path}: not a video PyAV can decode ({detail})") from None
    if not frames:
        raise VideoInputError(f"{path}: the video has no frames")
    return np.stack(frames)


def write_clip(path: str | os.PathLike[str], frames: Sequence[np.ndarray], fps: int = 12) -> Path:
    """Encode RGB uint8 frames (H and W even) as an MP4, written to a temporary name and renamed."""
    import av

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".mp4", dir=path.parent)
    os.close(fd)
    try:
        with av.open(tmp, mode="w") as container:
            # H.264 where this PyAV build's FFmpeg has the encoder, else MPEG-4 part 2 (always built in).
            codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
            stream = container.add_stream(codec, rate=fps)
            stream.height, stream.width = frames[0].shape[:2]
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": "18", "preset": "veryfast"} if codec == "libx264" else {"qscale": "2"}
            for array in frames:
                for packet in stream.encode(
                    av.VideoFrame.from_ndarray(np.ascontiguousarray(array), format="rgb24")
                ):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def segment_indices(
    num_frames: int, num_segments: int, generator: torch.Generator | None = None
) -> list[int]:
    """One frame index per segment: random within it with ``generator``, its centre without.

    Clips shorter than ``num_segments`` repeat frames, still in order.
    """
    if num_frames < 1 or num_segments < 1:
        raise HubcoreError(f"cannot sample {num_segments} segments from {num_frames} frames")
    indices = []
    for segment in range(num_segments):
        start = segment * num_frames / num_segments
        end = (segment + 1) * num_frames / num_segments
        if generator is None:
            position = (start + end) / 2
        else:
            position = start + float(torch.rand((), generator=generator)) * (end - start)
        indices.append(min(num_frames - 1, int(position)))
    return indices
