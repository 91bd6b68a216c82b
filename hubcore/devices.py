"""``use_gpu``: PaddleHub's switch, resolved the same way by every module method.

``use_gpu=True`` means CUDA, and when torch sees no CUDA device the call fails at once,
before any input is read or any weight moved, with one line saying so: a PaddleHub
script that asked for the GPU learns that it is not there rather than silently running
on the CPU.  torch is imported only when the GPU is asked for.
"""

from __future__ import annotations

from hubcore._errors import HubcoreError


class DeviceUnavailableError(HubcoreError):
    """``use_gpu=True`` on a machine (or a torch build) without CUDA."""


def resolve_device(use_gpu: object, *, owner: str) -> str:
    """``"cuda"`` for ``use_gpu=True`` when CUDA is present, ``"cpu"`` for False; else an error.

    ``owner`` names the method in the message (``"lac.cut"``).
    """
    if not isinstance(use_gpu, bool):
        raise HubcoreError(f"{owner}: use_gpu must be True or False, not {use_gpu!r}")
    if not use_gpu:
        return "cpu"
    try:
        import torch
    except ImportError:  # a plugin that needs no torch (the template's toy): no CUDA either
        raise DeviceUnavailableError(
            f"{owner}: use_gpu=True, but torch is not installed, so there is no CUDA; "
            "pass use_gpu=False to run on the CPU"
        ) from None

    if not torch.cuda.is_available():
        build = f"a CUDA {torch.version.cuda} build" if torch.version.cuda else "a CPU-only build"
        raise DeviceUnavailableError(
            f"{owner}: use_gpu=True, but torch {torch.__version__} ({build}) sees no CUDA device; "
            "pass use_gpu=False to run on the CPU"
        )
    return "cuda"


def check_batch_size(batch_size: object, *, owner: str) -> int:
    """A positive int, or a one-line error naming the method."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise HubcoreError(f"{owner}: batch_size must be a positive int, not {batch_size!r}")
    return batch_size
